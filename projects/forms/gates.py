"""Gate review forms: ask for a review, score its criteria, record the decision."""

import datetime
from collections.abc import Iterable
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import Role, User
from caflab.core.forms import DateInput
from projects.models import GateCriterion, GateReview, GateScore, Project

Decision = GateReview.Decision

SCORE_CHOICES = [
    (1, _("1 – très insuffisant")),
    (2, _("2 – insuffisant")),
    (3, _("3 – correct")),
    (4, _("4 – bon")),
    (5, _("5 – excellent")),
]
# Who may be named reviewer: the lab and the network's committee roles, plus the project's
# own team. Not every agent of the network: the list would hold tens of thousands of names.
REVIEWER_ROLES = (Role.LAB_STAFF, Role.CORRESPONDENT, Role.DIRECTORATE, Role.ADMIN)


def reviewer_choices(project: Project):
    return (
        User.objects.active()
        .filter(Q(role__in=REVIEWER_ROLES) | Q(project_memberships__project=project))
        .exclude(role__in=[Role.CITIZEN, Role.PARTNER])
        .select_related("caf", "directorate")
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


class ReviewerField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        where = obj.caf or obj.directorate
        details = f"{obj.get_role_display()}, {where}" if where else obj.get_role_display()
        return f"{obj} ({details})"


class GateRequestForm(forms.Form):
    motivation = forms.CharField(
        label=_("Motivation de la demande"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Ce qui montre que le projet est prêt pour l’étape suivante."),
    )
    reviewers = ReviewerField(
        label=_("Évaluateurs"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Facultatif. L’équipe du CafLab évalue toujours ; ajoutez des membres du comité. "
            "Maintenez Ctrl (ou Cmd) pour en choisir plusieurs."
        ),
    )
    due_on = forms.DateField(
        label=_("À décider avant le"),
        required=False,
        widget=DateInput(),
        help_text=_("Facultatif : dans quinze jours par défaut."),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewer_choices(project)
        self.fields["reviewers"].widget.attrs["size"] = 8
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Demander la revue de passage")))

    def clean_due_on(self) -> datetime.date | None:
        due_on = self.cleaned_data["due_on"]
        if due_on is not None and due_on < timezone.localdate():
            raise forms.ValidationError(_("La date ne peut pas être passée."))
        return due_on


class GateScoreForm(forms.Form):
    """One 1-5 radio group per criterion (a fieldset with its legend), each with a comment.
    The reviewer's earlier scores are the initial values: scoring again updates them."""

    def __init__(
        self,
        *args: Any,
        criteria: Iterable[GateCriterion],
        existing: Iterable[GateScore] = (),
        action: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        previous = {s.criterion_id: s for s in existing}
        blocks = []
        for criterion in self.criteria:
            score_name, comment_name = self.score_field(criterion), self.comment_field(criterion)
            help_parts = [criterion.description] if criterion.description else []
            help_parts.append(_("Poids %(weight)s.") % {"weight": criterion.weight})
            if criterion.is_blocking:
                help_parts.append(_("Critère bloquant : une moyenne sous 3 interdit un « go »."))
            self.fields[score_name] = forms.TypedChoiceField(
                label=criterion.label,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                help_text=" ".join(str(p) for p in help_parts),
                error_messages={
                    "required": _("Choisissez une note de 1 à 5."),
                    "invalid_choice": _("Choisissez une note de 1 à 5."),
                },
            )
            self.fields[comment_name] = forms.CharField(
                label=_("Commentaire sur « %(label)s »") % {"label": criterion.label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            if criterion.pk in previous:
                self.initial.setdefault(score_name, previous[criterion.pk].score)
                self.initial.setdefault(comment_name, previous[criterion.pk].comment)
            # The radio group renders as a fieldset whose legend is the criterion.
            blocks.append(
                Div(Field(score_name), Field(comment_name), css_class="border-bottom mb-3")
            )
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_id = "form-notes"
        self.helper.layout = Layout(*blocks)
        self.helper.add_input(Submit("submit", _("Enregistrer mes notes")))

    @staticmethod
    def score_field(criterion: GateCriterion) -> str:
        return f"note_{criterion.pk}"

    @staticmethod
    def comment_field(criterion: GateCriterion) -> str:
        return f"commentaire_{criterion.pk}"

    def scores(self) -> dict[int, tuple[int, str]]:
        """{criterion id: (score, comment)}, as `gate_score` takes them."""
        return {
            c.pk: (
                self.cleaned_data[self.score_field(c)],
                self.cleaned_data[self.comment_field(c)],
            )
            for c in self.criteria
        }


class GateDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une décision.")},
    )
    rationale = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("La justification est obligatoire.")},
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour un « go sous conditions »."),
    )
    revisit_on = forms.DateField(
        label=_("À réexaminer le"),
        required=False,
        widget=DateInput(),
        help_text=_("Obligatoire pour une mise en attente : une date à venir."),
    )
    lesson_learned = forms.CharField(
        label=_("Leçon apprise"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour un arrêt : elle restera consultable."),
    )

    override_justification = forms.CharField(
        label=_("Justification du passage outre"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Obligatoire pour un « go » malgré les blocages listés ci-dessus : elle restera "
            "visible dans la revue."
        ),
    )

    def __init__(
        self, *args: Any, action: str = "", blockers: Iterable[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.blockers = list(blockers)
        if not self.blockers:  # the field only shows when something blocks a go
            del self.fields["override_justification"]
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_id = "form-decision"
        self.helper.add_input(Submit("submit", _("Enregistrer la décision")))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        decision = data.get("decision")
        if decision == Decision.GO_WITH_CONDITIONS and not data.get("conditions", "").strip():
            self.add_error("conditions", _("Précisez les conditions du go."))
        if decision == Decision.HOLD:
            revisit_on = data.get("revisit_on")
            if revisit_on is None or revisit_on <= timezone.localdate():
                self.add_error("revisit_on", _("Indiquez une date de réexamen à venir."))
        if decision == Decision.STOP and not data.get("lesson_learned", "").strip():
            self.add_error("lesson_learned", _("La leçon apprise est obligatoire."))
        if (
            self.blockers
            and decision in (Decision.GO, Decision.GO_WITH_CONDITIONS)
            and not data.get("override_justification", "").strip()
        ):
            self.add_error(
                "override_justification",
                _("Un « go » malgré les blocages demande une justification écrite."),
            )
        return data


class BaseJuryCriteriaFormSet(forms.BaseInlineFormSet):
    """The criteria of a jury's scorecard (a challenge's, a call's), edited inline: at least
    one, no two with the same name, and a criterion already scored is never removed.
    `scores_name`: the criterion's reverse name of its scores."""

    scores_name = "scores"

    def clean(self) -> None:
        super().clean()
        labels: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                scored = form.instance.pk and getattr(form.instance, self.scores_name).exists()
                if scored:
                    form.add_error(
                        None,
                        _("Le critère « %(label)s » a déjà été noté : il ne peut plus être retiré.")
                        % {"label": form.instance.label},
                    )
                continue
            label = (form.cleaned_data.get("label") or "").strip().lower()
            if label in labels:
                form.add_error("label", _("Deux critères portent ce nom."))
            labels.add(label)
        if not labels:
            raise forms.ValidationError(_("Le jury a besoin d’au moins un critère."))
