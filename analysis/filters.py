"""The coding list's filters (django-filter): question, source, segment (audience, Caf, wave),
code (or uncoded, or suggestions to confirm), personal data, and words, accent-insensitive
(each word must appear in the text's stored folded form: no database extension needed).

The same filters select the texts of a bulk action: the form posts the list's query string."""

from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from analysis.masking import fold
from analysis.models import Analysis, AnalysisText, CodeAssignment, SourceKind
from caflab.network.models import Caf
from ecoute.models import TEXT_KINDS, Audience, Question

UNCODED = "aucun"
SUGGESTED = "suggere"


class TextFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Mots"),
        method="filter_words",
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Sans tenir compte des accents ni des majuscules."),
    )
    question = django_filters.ModelChoiceFilter(
        label=_("Question"), queryset=Question.objects.none(), empty_label=_("Toutes")
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"),
        field_name="source_kind",
        choices=SourceKind.choices,
        empty_label=_("Toutes"),
    )
    audience = django_filters.ChoiceFilter(
        label=_("Public"), choices=Audience.choices, empty_label=_("Tous")
    )
    caf = django_filters.ModelChoiceFilter(
        label=_("Caf"), queryset=Caf.objects.none(), empty_label=_("Toutes")
    )
    # The waves of an evaluation survey ("avant", "après"…): offered when the texts have two or
    # more (Analysis.waves, kept by the build: no query here).
    wave = django_filters.ChoiceFilter(label=_("Vague"), choices=[], empty_label=_("Toutes"))
    code = django_filters.ChoiceFilter(
        label=_("Code"), method="filter_code", choices=[], empty_label=_("Tous les textes")
    )
    personal = django_filters.ChoiceFilter(
        label=_("Données personnelles"),
        method="filter_personal",
        choices=[("oui", _("En contient")), ("non", _("N’en contient pas"))],
        empty_label=_("Peu importe"),
    )
    groups = django_filters.ChoiceFilter(
        label=_("Doublons"),
        method="filter_groups",
        choices=[("tous", _("Montrer chaque texte"))],
        empty_label=_("Un texte par groupe"),
    )

    class Meta:
        model = AnalysisText
        fields: list[str] = []

    def __init__(self, *args: Any, analysis: Analysis, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.analysis = analysis
        if analysis.consultation_id:
            questionnaire = getattr(analysis.consultation, "questionnaire", None)
            questions = (
                Question.objects.filter(questionnaire=questionnaire)
                if questionnaire
                else Question.objects.none()
            )
        else:  # a registered source: the questions its texts answer, if any
            questions = Question.objects.filter(
                pk__in=AnalysisText.objects.filter(analysis=analysis, question__isnull=False)
                .order_by()
                .values("question_id")
            )
        self.filters["question"].queryset = questions.filter(
            Q(kind__in=TEXT_KINDS) | Q(allow_other=True)
        )
        self.filters["caf"].queryset = Caf.objects.order_by("position")
        self.filters["wave"].extra["choices"] = [(wave, wave) for wave in analysis.waves]
        codes = list(analysis.codes.select_related("parent").order_by("position", "pk"))
        self.filters["code"].extra["choices"] = [
            (UNCODED, _("Aucun code")),
            (SUGGESTED, _("Suggestions à confirmer")),
            *[(str(code.pk), str(code)) for code in codes],
        ]

    @property
    def qs(self) -> QuerySet[AnalysisText]:
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("groups"):
            queryset = queryset.representatives()
        return queryset

    def filter_words(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in fold(value).split()[:10]:
            queryset = queryset.filter(folded__contains=word)
        return queryset

    def filter_code(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == UNCODED:
            return queryset.uncoded()
        if value == SUGGESTED:
            return queryset.filter(
                Exists(CodeAssignment.objects.filter(text=OuterRef("pk"), is_suggested=True))
            )
        return queryset.filter(
            Exists(
                CodeAssignment.objects.filter(text=OuterRef("pk")).filter(
                    Q(code_id=value) | Q(code__parent_id=value)
                )
            )
        )

    def filter_personal(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(has_personal_data=value == "oui")

    def filter_groups(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset
