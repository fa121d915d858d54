"""GET filters of the portfolio list and its exports (django-filter), with full-text search.

Choices use readable keys (theme slug, Caf code, directorate acronym) so that URLs stay stable
and shareable (?theme=parentalite&caf=38); each choice list costs one query, whatever the data.
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import User
from caflab.core.typeahead import TypeaheadInput, clean_text, resolve_text
from caflab.network.models import Caf, Directorate, Programme, Theme
from caflab.search.query import AUTO, clean, matching
from projects.models import (
    ADVANCED_STAGES,
    LEVER_AGE_GROUPS,
    PIPELINE,
    BlockerLever,
    Deployment,
    GateReview,
    Health,
    Project,
    Stage,
    Track,
    lever_age_q,
)
from projects.typeahead import LEADS, leads_of, match_people

# Stages in pipeline order, then the two side stages; health from unknown to worst.
STAGE_ORDER = (*PIPELINE, Stage.SHELVED, Stage.ABANDONED)
HEALTH_ORDER = (Health.UNKNOWN, Health.GREEN, Health.AMBER, Health.RED)

# ?tri= value -> the order_by keys (a leading "-" on the value reverses them).
SORTS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "title": ("title",),
    "stage": ("stage_rank", "code"),
    "health": ("health_rank", "code"),
    "updated": ("updated_at",),
}
SORT_CHOICES = [
    ("code", _("Code (croissant)")),
    ("-code", _("Code (décroissant)")),
    ("title", _("Titre (A → Z)")),
    ("-title", _("Titre (Z → A)")),
    ("stage", _("Étape (de l’idée à la généralisation)")),
    ("-stage", _("Étape (de la généralisation à l’idée)")),
    ("health", _("Santé (de la meilleure à la pire)")),
    ("-health", _("Santé (de la pire à la meilleure)")),
    ("-updated", _("Mise à jour (la plus récente d’abord)")),
    ("updated", _("Mise à jour (la plus ancienne d’abord)")),
]


def _rank(field: str, order: tuple[str, ...]) -> Case:
    return Case(
        *(When(**{field: value}, then=Value(i)) for i, value in enumerate(order)),
        default=Value(len(order)),
        output_field=IntegerField(),
    )


SEARCHED_FIELDS = ("title", "problem", "solution", "code")


def search_projects(
    queryset: QuerySet[Project], text: str, *, typos: str = AUTO
) -> QuerySet[Project]:
    """Projects matching `text`, best first (caflab.search.query.matching). PostgreSQL: the
    stored French vector of the code, title, problem and solution (stemmed, accents folded,
    websearch syntax: "quoted phrase", -excluded, or), plus typo tolerance on the title for a
    short query. Elsewhere (SQLite in development): every word must appear, case-insensitively,
    in the title, problem, solution or code."""
    if not clean(text):
        return queryset
    return matching(queryset, text, fields=SEARCHED_FIELDS, typos=typos).order_by(
        "-rank", "-updated_at", "pk"
    )


class ProjectFilterForm(forms.Form):
    """The filter's form: a typed lead must designate someone among the visible projects'
    leads, else a clear error (the list then shows nothing rather than everything)."""

    leads: QuerySet[User] | None = None

    def clean_lead(self) -> str:
        text = clean_text(self.cleaned_data.get("lead") or "")
        if text and self.leads is not None and not resolve_text(LEADS, self.leads, text):
            raise forms.ValidationError(
                _("Aucun porteur de projet ne correspond à « %(value)s »."),
                code="unknown_lead",
                params={"value": text},
            )
        return text


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Mots du titre, du problème, de la solution ou code du projet."),
    )
    stage = django_filters.ChoiceFilter(
        label=_("Étape"), choices=Stage.choices, empty_label=_("Toutes les étapes")
    )
    theme = django_filters.ChoiceFilter(
        label=_("Thème"), field_name="themes__slug", empty_label=_("Tous les thèmes")
    )
    programme = django_filters.ChoiceFilter(
        label=_("Programme"), field_name="programmes__slug", empty_label=_("Tous les programmes")
    )
    track = django_filters.ChoiceFilter(
        label=_("Filière"), choices=Track.choices, empty_label=_("Toutes les filières")
    )
    caf = django_filters.ChoiceFilter(
        label=_("Caf (pilote ou déploiement)"),
        method="filter_caf",
        empty_label=_("Toutes les Caf"),
    )
    health = django_filters.ChoiceFilter(
        label=_("Santé"), choices=Health.choices, empty_label=_("Toutes")
    )
    # A type-ahead over the leads of the visible projects (never a <select> of thousands):
    # the address a suggestion gives, or typed words matching one or more leads' names.
    lead = django_filters.CharFilter(
        label=_("Porteur"),
        method="filter_lead",
        widget=TypeaheadInput(source="porteurs"),
        help_text=_("Nom ou adresse e-mail : des suggestions s’affichent pendant la saisie."),
    )
    sponsor = django_filters.ChoiceFilter(
        label=_("Direction sponsor"),
        field_name="sponsor__acronym",
        empty_label=_("Toutes les directions"),
    )
    tri = django_filters.ChoiceFilter(
        label=_("Trier par"),
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=_("Pertinence, puis mise à jour la plus récente"),
    )
    # The lists behind the cockpit's figures (links only, not in the form): the projects of a
    # COG ambition, those at the experimentation stage or beyond, those whose stage changed or
    # whose gate review was decided since a date.
    ambition = django_filters.NumberFilter(method="filter_ambition")
    advanced = django_filters.BooleanFilter(method="filter_advanced")
    moved_since = django_filters.DateFilter(field_name="stage_changed_at", lookup_expr="date__gte")
    decided_since = django_filters.DateFilter(method="filter_decided_since")

    class Meta:
        model = Project
        fields: list[str] = []
        form = ProjectFilterForm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["theme"].extra["choices"] = list(Theme.objects.values_list("slug", "name"))
        self.filters["programme"].extra["choices"] = list(
            Programme.objects.values_list("slug", "name")
        )
        self.filters["caf"].extra["choices"] = [
            (code, f"{code} – {name}")
            for code, name in Caf.objects.order_by("position").values_list("code", "name")
        ]
        self.filters["sponsor"].extra["choices"] = list(
            Directorate.objects.values_list("acronym", "name")
        )
        # Only the leads of projects this user can see: no name leaks from hidden drafts.
        self.leads = leads_of(self.queryset)

    @property
    def form(self) -> forms.Form:
        form = super().form
        form.leads = self.leads
        return form

    @property
    def qs(self) -> QuerySet[Project]:
        # Annotations the sorts read; the default order (most recently updated) is stable.
        if not hasattr(self, "_qs"):
            self.queryset = self.queryset.annotate(
                stage_rank=_rank("stage", STAGE_ORDER), health_rank=_rank("health", HEALTH_ORDER)
            ).order_by("-updated_at", "pk")
        return super().qs

    def filter_search(self, queryset: QuerySet[Project], name: str, value: str):
        return search_projects(queryset, value)

    def filter_lead(self, queryset: QuerySet[Project], name: str, value: str):
        exact = LEADS.resolve(self.leads, value)
        people = exact if exact.exists() else match_people(self.leads, value)
        return queryset.filter(lead__in=people.values("pk"))

    def filter_caf(self, queryset: QuerySet[Project], name: str, value: str):
        # A subquery, not a join: a join on deployments would repeat a project once per Caf.
        deployed = Deployment.objects.filter(caf__code=value).values("project")
        return queryset.filter(Q(pilot_caf__code=value) | Q(pk__in=deployed))

    def filter_ambition(self, queryset: QuerySet[Project], name: str, value: Any):
        tagged = Project.cog_ambitions.through.objects.filter(cogambition=value)
        return queryset.filter(pk__in=tagged.values("project"))

    def filter_advanced(self, queryset: QuerySet[Project], name: str, value: bool | None):
        if value is None:
            return queryset
        lookup = Q(stage__in=ADVANCED_STAGES)
        return queryset.filter(lookup if value else ~lookup)

    def filter_decided_since(self, queryset: QuerySet[Project], name: str, value: Any):
        decided = GateReview.objects.filter(
            status=GateReview.Status.DECIDED, decided_at__date__gte=value
        )
        return queryset.filter(pk__in=decided.values("project"))

    def filter_sort(self, queryset: QuerySet[Project], name: str, value: str):
        descending = value.startswith("-")
        keys = SORTS[value.lstrip("-")]
        return queryset.order_by(*(f"-{k}" if descending else k for k in keys), "pk")

    @property
    def current_sort(self) -> str:
        """The sort in force: the one asked for, else relevance when searching, else -updated."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        if data.get("tri"):
            return data["tri"]
        return "relevance" if data.get("q") else "-updated"


# --- the open blockers and levers (the cockpit's full list) ------------------------------------

LEVER_AGES = [(key, label) for key, label, _low, _high in LEVER_AGE_GROUPS]
YES_NO = [("oui", _("Oui")), ("non", _("Non"))]


class LeverFilter(django_filters.FilterSet):
    """The open blockers and levers of the visible projects: by kind, escalation and age."""

    kind = django_filters.ChoiceFilter(
        label=_("Type"), choices=BlockerLever.Kind.choices, empty_label=_("Freins et leviers")
    )
    escalated = django_filters.ChoiceFilter(
        label=_("À arbitrer par la direction"),
        choices=YES_NO,
        method="filter_escalated",
        empty_label=_("Tous"),
    )
    age = django_filters.ChoiceFilter(
        label=_("Ouverts depuis"), choices=LEVER_AGES, method="filter_age", empty_label=_("Toutes")
    )
    project = django_filters.CharFilter(label=_("Code du projet"), method="filter_project")

    class Meta:
        model = BlockerLever
        fields: list[str] = []

    def __init__(self, *args: Any, today: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def filter_escalated(self, queryset: QuerySet[BlockerLever], name: str, value: str):
        return queryset.filter(escalated_on__isnull=value != "oui")

    def filter_age(self, queryset: QuerySet[BlockerLever], name: str, value: str):
        return queryset.filter(lever_age_q(value, self.today))

    def filter_project(self, queryset: QuerySet[BlockerLever], name: str, value: str):
        return queryset.filter(project__code__iexact=value.strip())
