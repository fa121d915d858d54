"""The incubator's forms: a call (the lab's), an application (its title and summary; the
answers are écoute's form, built from the call's questionnaire), the jury's scores (the gate
reviews' scoring form, reused), the lab's decision, a cohort and a milestone."""

import datetime
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import NETWORK_ROLES, User
from caflab.core.forms import DateInput
from ecoute.forms.answering import SectionAnswerForm
from ecoute.plan import Plan, Step
from events.models import Event
from ideas.forms.challenges import UserEmailsField
from incubator.models import Application, Call, CallCriterion, Cohort, Milestone
from projects.forms.gates import BaseJuryCriteriaFormSet, GateScoreForm

__all__ = ["ApplicationScoreForm"]

# A milestone links to an event of the last year or to come.
RECENT_EVENT_DAYS = 365

# The jury's scorecard is the gate reviews' (a 1-5 radio group and a comment per criterion).
ApplicationScoreForm = GateScoreForm


class CallForm(forms.ModelForm):
    jury = UserEmailsField(
        label=_("Membres du jury"),
        help_text=_(
            "Adresses e-mail de membres du réseau, une par ligne. Ils noteront les candidatures "
            "une fois l’appel clos."
        ),
        queryset=User.objects.active().filter(role__in=NETWORK_ROLES),
    )

    class Meta:
        model = Call
        fields = ["title", "brief", "eligibility", "audience", "opens_on", "closes_on"]
        widgets = {
            "brief": forms.Textarea(attrs={"rows": 6}),
            "eligibility": forms.Textarea(attrs={"rows": 4}),
            "opens_on": DateInput(),
            "closes_on": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("jury", list(self.instance.jury.order_by("email")))
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Enregistrer l’appel")))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("La clôture suit l’ouverture."))
        return data


class ApplicationForm(forms.ModelForm):
    """The title and summary of an application (the answers come with their own form)."""

    class Meta:
        model = Application
        fields = ["title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "summary": _("Le besoin auquel répond votre projet, pour qui, et ce qu’il change."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class AnswersForm(SectionAnswerForm):
    """Every question of the call's form on one page (one step holding them all). Saving a
    draft skips the required rule: only submitting enforces it (`answers_check`)."""

    def __init__(self, *args: Any, plan: Plan, draft: Any, is_draft: bool, **kwargs: Any) -> None:
        self.is_draft = is_draft
        section = plan.sections[0] if plan.sections else None
        step = Step(number=1, section=section, questions=list(plan.questions))
        super().__init__(*args, plan=plan, step=step, draft=draft, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.is_draft:
            for question in self.step.questions:
                value = self.answers.get(question.pk)
                if question.is_required and (value is None or value.is_empty):
                    self._drop_errors(question)
        return cleaned

    @property
    def has_questions(self) -> bool:
        return bool(self.step.questions)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=Application.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une décision.")},
    )
    reason = forms.CharField(
        label=_("Motifs, dits au candidat ou à la candidate"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Les motifs sont obligatoires.")},
    )
    cohort = forms.ModelChoiceField(
        label=_("Promotion"),
        queryset=Cohort.objects.none(),
        required=False,
        help_text=_(
            "Pour une candidature retenue : la promotion que rejoint le projet (la première de "
            "l’appel, créée au besoin, si vous n’en choisissez pas)."
        ),
    )

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = call.cohorts.order_by("created_at", "pk")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Enregistrer la décision")))


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Créer la promotion")))


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["kind", "title", "on", "event"]
        widgets = {"on": DateInput()}
        help_texts = {"event": _("Facultatif : l’événement du réseau qui tient ce jalon.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The events still to come, a bounded list (not every event ever held).
        recent = timezone.now() - datetime.timedelta(days=RECENT_EVENT_DAYS)
        self.fields["event"].queryset = (
            Event.objects.exclude(status=Event.Status.DRAFT)
            .filter(starts_at__gte=recent)
            .order_by("starts_at")
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Ajouter le jalon")))


class CriterionForm(forms.ModelForm):
    """One criterion of the call's jury scorecard."""

    class Meta:
        model = CallCriterion
        fields = ["label", "description", "weight", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["weight"].widget.attrs.update(min=1, max=5)
        self.fields["position"].required = False

    def clean_position(self) -> int:
        return self.cleaned_data.get("position") or 0


class BaseCriterionFormSet(BaseJuryCriteriaFormSet):
    scores_name = "scores"


CriterionFormSet = forms.inlineformset_factory(
    Call,
    CallCriterion,
    form=CriterionForm,
    formset=BaseCriterionFormSet,
    extra=1,
    can_delete=True,
)
