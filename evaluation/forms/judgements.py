"""Forms of the judgements part: a judgement per criterion, the ecological assessment (seven
radio groups, each a fieldset with its legend, and a justification)."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import EcologicalRating, Indicator, Judgement, Survey, Testimony
from projects.models import Project


class JudgementForm(forms.ModelForm):
    class Meta:
        model = Judgement
        fields = ["rating", "rationale", "evidence", "indicators", "testimonies", "surveys"]
        widgets = {
            "rating": forms.RadioSelect,
            "rationale": forms.Textarea(attrs={"rows": 5}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
            "indicators": forms.CheckboxSelectMultiple,
            "testimonies": forms.CheckboxSelectMultiple,
            "surveys": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "rating": {"required": _("Choisissez une appréciation.")},
            "rationale": {"required": _("Argumentez votre appréciation.")},
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = Indicator.objects.filter(project=project).order_by(
            "name"
        )
        self.fields["testimonies"].queryset = Testimony.objects.filter(project=project).order_by(
            "-collected_on", "pk"
        )
        self.fields["surveys"].queryset = Survey.objects.filter(project=project).order_by("title")
        self.fields["testimonies"].label_from_instance = lambda t: (
            f"{t.get_tone_display()} – {t.text[:80]}"
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Enregistrer le jugement")))

    def validate_unique(self) -> None:
        """The service updates the one judgement per criterion."""


class EcologicalAssessmentForm(forms.Form):
    """One row per objective: a negative / neutral / positive radio group (a fieldset whose
    legend is the objective) and its justification."""

    def __init__(self, *args: Any, existing: dict[str, EcologicalRating], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blocks = []
        for objective, label in EcologicalRating.Objective.choices:
            rating_name, text_name = self.rating_field(objective), self.text_field(objective)
            self.fields[rating_name] = forms.TypedChoiceField(
                label=label,
                choices=EcologicalRating.Rating.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choisissez défavorable, neutre ou favorable.")},
            )
            self.fields[text_name] = forms.CharField(
                label=_("Justification : %(objective)s") % {"objective": label},
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": _("Justifiez cette appréciation.")},
            )
            mitigation_name = self.mitigation_field(objective)
            self.fields[mitigation_name] = forms.CharField(
                label=_("Mesures d’atténuation : %(objective)s") % {"objective": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_(
                    "Pour une appréciation défavorable. Sans mesure d’atténuation, un « go » "
                    "à une revue de passage devra être justifié par écrit."
                ),
            )
            if objective in existing:
                self.initial.setdefault(rating_name, existing[objective].rating)
                self.initial.setdefault(text_name, existing[objective].justification)
                self.initial.setdefault(mitigation_name, existing[objective].mitigation)
            blocks.append(
                Div(
                    Field(rating_name),
                    Field(text_name),
                    Field(mitigation_name),
                    css_class="border-bottom mb-3",
                )
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(*blocks)
        self.helper.add_input(Submit("submit", _("Enregistrer l’évaluation écologique")))

    @staticmethod
    def rating_field(objective: str) -> str:
        return f"note_{objective}"

    @staticmethod
    def text_field(objective: str) -> str:
        return f"justification_{objective}"

    @staticmethod
    def mitigation_field(objective: str) -> str:
        return f"attenuation_{objective}"

    def ratings(self) -> dict[str, tuple[int, str, str]]:
        return {
            objective: (
                self.cleaned_data[self.rating_field(objective)],
                self.cleaned_data[self.text_field(objective)],
                self.cleaned_data[self.mitigation_field(objective)],
            )
            for objective in EcologicalRating.Objective.values
        }
