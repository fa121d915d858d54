"""Recruitment forms: the recruitment (managers), its eligibility questions (a formset: the
question, its possible answers and the accepted ones, one per line), and the registration form
(eligibility questions as radio groups; name, e-mail and phone for a visitor)."""

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ecoute.forms.consultations import DateTimeInput
from ecoute.models import Recruitment
from ecoute.services.recruitment import EligibilitySpec

EXTRA_QUESTIONS = 3


def _inner_helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class RecruitmentForm(forms.ModelForm):
    class Meta:
        model = Recruitment
        fields = [
            "title",
            "description",
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "video_link",
            "seats",
            "registration_opens_at",
            "registration_closes_at",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "kind": forms.RadioSelect,
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "registration_opens_at": DateTimeInput(),
            "registration_closes_at": DateTimeInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M"]
        self.helper = _inner_helper()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class EligibilityForm(forms.Form):
    label = forms.CharField(label=_("Question"), max_length=300, required=False)
    choices = forms.CharField(
        label=_("Réponses possibles (une par ligne)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accepted = forms.CharField(
        label=_("Réponses acceptées (une par ligne, parmi les réponses possibles)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        label = data.get("label", "").strip()
        choices, accepted = _lines(data.get("choices", "")), _lines(data.get("accepted", ""))
        if not label:
            if choices or accepted:
                self.add_error("label", _("Écrivez la question."))
            return data
        if len(choices) < 2:
            self.add_error("choices", _("Donnez au moins deux réponses possibles."))
        elif len(set(choices)) != len(choices):
            self.add_error("choices", _("Chaque réponse possible ne figure qu’une fois."))
        if not accepted:
            self.add_error("accepted", _("Indiquez au moins une réponse acceptée."))
        elif not set(accepted) <= set(choices):
            self.add_error(
                "accepted",
                _("Les réponses acceptées doivent figurer parmi les réponses possibles."),
            )
        data["spec"] = EligibilitySpec(label=label, choices=choices, accepted=accepted)
        return data


class BaseEligibilityFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _inner_helper()

    def specs(self) -> list[EligibilitySpec]:
        return [form.cleaned_data["spec"] for form in self.forms if "spec" in form.cleaned_data]


EligibilityFormSet = forms.formset_factory(
    EligibilityForm, formset=BaseEligibilityFormSet, extra=EXTRA_QUESTIONS, max_num=20
)


def eligibility_initial(recruitment: Recruitment) -> list[dict[str, str]]:
    return [
        {
            "label": question.label,
            "choices": "\n".join(question.choices),
            "accepted": "\n".join(question.accepted),
        }
        for question in recruitment.eligibility_questions.all()
    ]


class RegistrationForm(forms.Form):
    """The eligibility questions (`q<pk>`, radio groups), then contact details for a visitor.
    Nothing the person answers is stored: only whether they are eligible."""

    name = forms.CharField(label=_("Nom et prénom"), max_length=150)
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("Pour vous confirmer l’inscription et vous la rappeler la veille."),
    )
    phone = forms.CharField(
        label=_("Téléphone (facultatif)"),
        max_length=30,
        required=False,
        help_text=_("Seulement si vous préférez être appelé en cas de changement."),
    )

    def __init__(self, *args: Any, recruitment: Recruitment, visitor: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.questions = list(recruitment.eligibility_questions.all())
        eligibility = {
            f"q{question.pk}": forms.ChoiceField(
                label=question.label,
                choices=[(choice, choice) for choice in question.choices],
                widget=forms.RadioSelect,
                error_messages={"required": _("Répondez à cette question.")},
            )
            for question in self.questions
        }
        contact = {} if not visitor else {k: self.fields[k] for k in ("name", "email", "phone")}
        self.fields = {**eligibility, **contact}
        for name in ("name", "email", "phone"):
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = {
                    "name": "name",
                    "email": "email",
                    "phone": "tel",
                }[name]
        self.helper = _inner_helper()

    def answers(self) -> dict[int, str]:
        return {
            question.pk: self.cleaned_data.get(f"q{question.pk}", "") for question in self.questions
        }
