"""Challenge forms: the challenge with its criteria (a formset) and jury, a team's entry, the
jury's scores (the gate reviews' scoring form, reused), the results.

People (jury, team members, facilitators, idea authors) are given by e-mail address: the
network has tens of thousands of agents, too many for a list to choose from.
"""

import re
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import NETWORK_ROLES, User
from caflab.core.forms import DateInput
from caflab.network.models import Directorate
from ideas.models import Challenge, ChallengeEntry
from projects.forms.gates import BaseJuryCriteriaFormSet, GateScoreForm
from projects.models import GateCriterion, Scorecard

SEPARATORS = re.compile(r"[\s,;]+")


def network_members() -> QuerySet[User]:
    return User.objects.active().filter(role__in=NETWORK_ROLES)


class UserEmailsField(forms.CharField):
    """Several people by e-mail address (one per line, or separated by commas), each an active
    account of `queryset`. Cleans to a list of users; unknown addresses are named in the error."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *args: Any, queryset: QuerySet[User] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.queryset = queryset if queryset is not None else network_members()

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple | QuerySet):
            return "\n".join(u.email if isinstance(u, User) else str(u) for u in value)
        return value

    def clean(self, value: Any) -> list[User]:
        text = super().clean(value)
        emails = [e for e in SEPARATORS.split(text or "") if e]
        normalized = list(dict.fromkeys(e.lower() for e in emails))
        found = self.queryset.annotate(email_ci=Lower("email")).filter(email_ci__in=normalized)
        users = {u.email.lower(): u for u in found}
        unknown = [e for e in normalized if e not in users]
        if unknown:
            raise forms.ValidationError(
                _("Adresse inconnue ou non autorisée ici : %(emails)s.")
                % {"emails": ", ".join(unknown)},
                code="unknown",
            )
        return [users[e] for e in normalized]


class UserEmailField(UserEmailsField):
    """One person by e-mail address; cleans to a user (or None when not required and empty)."""

    widget = forms.EmailInput

    def clean(self, value: Any) -> User | None:
        users = super().clean(value)
        if len(users) > 1:
            raise forms.ValidationError(_("Une seule adresse ici."), code="many")
        return users[0] if users else None


# --- the challenge -------------------------------------------------------------------------

CHALLENGE_FIELDSETS = (
    (_("Le défi"), ("title", "kind", "brief", "sponsor", "audience")),
    (
        _("Calendrier"),
        ("submissions_open_on", "submissions_close_on", "judging_close_on", "results_on"),
    ),
    (_("Jury"), ("jury",)),
)


class ChallengeForm(forms.ModelForm):
    """The challenge itself. The dates must follow each other (a database constraint too):
    the error is said on the first date out of order, in French."""

    jury = UserEmailsField(
        label=_("Membres du jury"),
        help_text=_(
            "Adresses e-mail de membres du réseau, une par ligne. Ils noteront les "
            "contributions pendant les délibérations."
        ),
    )

    class Meta:
        model = Challenge
        fields = [
            "title",
            "kind",
            "brief",
            "sponsor",
            "audience",
            "submissions_open_on",
            "submissions_close_on",
            "judging_close_on",
            "results_on",
        ]
        widgets = {
            "brief": forms.Textarea(attrs={"rows": 5}),
            "kind": forms.RadioSelect,
            "audience": forms.RadioSelect,
            "submissions_open_on": DateInput(),
            "submissions_close_on": DateInput(),
            "judging_close_on": DateInput(),
            "results_on": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("kind", "audience"):  # a radio group has no "empty" choice
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]
        sponsor_id = self.instance.sponsor_id
        self.fields["sponsor"].queryset = Directorate.objects.filter(
            pk__in=Directorate.objects.active().values("pk")
        ) | Directorate.objects.filter(pk=sponsor_id)
        if self.instance.pk:
            self.initial.setdefault(
                "jury", list(self.instance.jury.order_by("last_name", "first_name", "email"))
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *(Fieldset(legend, *names) for legend, names in CHALLENGE_FIELDSETS)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        order = [
            ("submissions_open_on", "submissions_close_on", _("La clôture suit l’ouverture.")),
            (
                "submissions_close_on",
                "judging_close_on",
                _("La fin des délibérations suit la clôture des contributions."),
            ),
            (
                "judging_close_on",
                "results_on",
                _("La publication des résultats suit la fin des délibérations."),
            ),
        ]
        for before, after, message in order:
            first, second = data.get(before), data.get(after)
            if first and second and second < first:
                self.add_error(after, message)
        return data


class CriterionForm(forms.ModelForm):
    """One criterion of the challenge's jury scorecard."""

    class Meta:
        model = GateCriterion
        fields = ["label", "description", "weight", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set before validation: the model's constraints check the scorecard.
        self.instance.scorecard = Scorecard.CHALLENGE
        self.fields["weight"].widget.attrs.update(min=1, max=5)
        # Optional (0 when empty), and empty in a blank row so that it counts as untouched.
        self.fields["position"].required = False
        self.fields["position"].initial = None

    def clean_position(self) -> int:
        return self.cleaned_data.get("position") or 0


class BaseCriterionFormSet(BaseJuryCriteriaFormSet):
    scores_name = "entryscores"

    def save_new(self, form: forms.ModelForm, commit: bool = True) -> GateCriterion:
        form.instance.scorecard = Scorecard.CHALLENGE
        return super().save_new(form, commit=commit)


CriterionFormSet = forms.inlineformset_factory(
    Challenge,
    GateCriterion,
    form=CriterionForm,
    formset=BaseCriterionFormSet,
    fk_name="challenge",
    extra=2,
    can_delete=True,
)


def criterion_formset(*args: Any, instance: Challenge | None = None, **kwargs: Any):
    formset = CriterionFormSet(
        *args,
        instance=instance or Challenge(),
        queryset=GateCriterion.objects.filter(scorecard=Scorecard.CHALLENGE).order_by(
            "position", "pk"
        ),
        prefix="criteres",
        **kwargs,
    )
    if instance is None or instance.pk is None:
        formset.extra = 3
    return formset


class ChallengeMoveForm(forms.Form):
    status = forms.ChoiceField(choices=Challenge.Status.choices, widget=forms.HiddenInput)


# --- entries -------------------------------------------------------------------------------


class EntryForm(forms.ModelForm):
    """A team's entry. Whoever submits it is a member; the others are named by e-mail."""

    members = UserEmailsField(
        label=_("Autres membres de l’équipe"),
        help_text=_(
            "Facultatif : leurs adresses e-mail, une par ligne. Vous faites partie de l’équipe."
        ),
    )

    class Meta:
        model = ChallengeEntry
        fields = ["title", "summary", "team_name"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "summary": _("Le problème traité, votre proposition, pour qui, et ce qu’elle change."),
        }

    def __init__(self, *args: Any, member_choices: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = member_choices
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Déposer la contribution")))


# --- results -------------------------------------------------------------------------------


class EntryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ChallengeEntry) -> str:
        return f"{obj.title} ({obj.team_name})" if obj.team_name else obj.title


class ResultsForm(forms.Form):
    winners = EntryChoiceField(
        label=_("Contributions lauréates"),
        queryset=ChallengeEntry.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins une contribution lauréate.")},
    )
    results_summary = forms.CharField(
        label=_("Résultats"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce que le jury retient : envoyé à toutes les équipes et aux abonnés."),
        error_messages={"required": _("Présentez les résultats en quelques mots.")},
    )

    def __init__(self, *args: Any, challenge: Challenge, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["winners"].queryset = challenge.entries.order_by("created_at", "pk")
        self.action = action
        self.helper = _tagless_helper(_("Publier les résultats"))


def _tagless_helper(submit_label: str) -> FormHelper:
    """The template writes the <form> tag (and its action): crispy would copy a helper's
    action and id onto every radio or checkbox group, duplicating the id."""
    helper = FormHelper()
    helper.form_tag = False
    helper.add_input(Submit("submit", submit_label))
    return helper


class EntryScoreForm(GateScoreForm):
    """A juror's scores of an entry: the gate reviews' scoring form (one 1-5 radio fieldset per
    criterion, with a comment), its <form> tag written by the template."""

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.helper.form_tag = False
        self.helper.form_action = ""
        self.helper.form_id = ""
