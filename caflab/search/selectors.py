"""The cross-app search: what each kind of result is, who sees which, and the grouped results.

Each kind reuses its app's own scope (`visible_to`) and search function, so the search page
never shows what the app's own pages would hide: another Caf's draft, an internal idea to a
citizen. One statement per kind, whatever the data: the first rows and the kind's total (a
window count) come back together.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Window
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caflab.search.query import AUTO, FULLTEXT, TYPOS, clean, is_plain, is_postgresql

# Results shown per kind on the grouped page; "voir tout" shows the rest.
GROUP_SIZE = 5
PAGE_SIZE = 20


@dataclass(frozen=True)
class Kind:
    key: str  # the ?type= value
    label: Any  # the group's heading
    empty: Any  # what an empty group says
    # (user, text, typos) -> the matching rows, best first, or None if the user sees none
    results: Callable[[Any, str, str], QuerySet | None]
    item: Callable[[Any, Any], "Result"]  # (user, row) -> what the page shows
    app_list: Callable[[Any, str], str | None] = lambda user, text: None  # the app's own list


@dataclass(frozen=True)
class Result:
    title: str
    url: str
    meta: list[str] = field(default_factory=list)
    excerpt: str = ""


@dataclass
class Group:
    kind: Kind
    results: list[Result]
    total: int
    more_url: str | None


def _with_query(url: str, **params: str) -> str:
    return f"{url}?{urlencode(params)}"


# --- the kinds -------------------------------------------------------------------------------


def _sees_portfolio(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_lab_staff or user.is_network_member or (user.is_partner and user.partner_id))
    )


def _projects(user, text: str, typos: str) -> QuerySet:
    from projects.filters import search_projects
    from projects.models import Project

    # Everyone else reads the public project sheets only.
    scope = (
        Project.objects.visible_to(user) if _sees_portfolio(user) else Project.objects.published()
    )
    return search_projects(scope, text, typos=typos).only(
        "pk", "code", "title", "problem", "stage", "is_draft", "is_public"
    )


def _project_item(user, project) -> Result:
    url = (
        project.get_absolute_url()
        if _sees_portfolio(user)
        else reverse("projects:public-sheet", kwargs={"code": project.code})
    )
    return Result(project.title, url, [project.code, project.get_stage_display()], project.problem)


def _projects_list(user, text: str) -> str | None:
    if user.has_perm("projects.view_portfolio"):
        return _with_query(reverse("projects:index"), q=text)
    return None


def _ideas(user, text: str, typos: str) -> QuerySet | None:
    from projects.filters_ideas import search_ideas
    from projects.models import Idea

    if not (user.is_authenticated and user.is_network_member):
        return None
    return (
        search_ideas(Idea.objects.visible_to(user), text, typos=typos)
        .select_related("caf")
        .only("pk", "title", "problem", "status", "caf__code", "caf__name")
    )


def _idea_item(user, idea) -> Result:
    meta = [idea.get_status_display()]
    if idea.caf:
        meta.append(str(idea.caf))
    return Result(idea.title, idea.get_absolute_url(), meta, idea.problem)


def _ideas_list(user, text: str) -> str | None:
    if user.has_perm("projects.view_ideas"):
        return _with_query(reverse("projects:idea-list"), q=text)
    return None


def _initiatives(user, text: str, typos: str) -> QuerySet | None:
    from criees.filters import search_initiatives
    from criees.models import Initiative

    if not (user.is_authenticated and user.is_network_member):
        return None
    return (
        search_initiatives(Initiative.objects.visible_to(user), text, typos=typos)
        .select_related("caf")
        .only("pk", "title", "summary", "status", "caf__code", "caf__name")
    )


def _initiative_item(user, initiative) -> Result:
    meta = [str(initiative.caf)]
    if not initiative.is_published:
        meta.append(initiative.get_status_display())
    return Result(initiative.title, initiative.get_absolute_url(), meta, initiative.summary)


def _initiatives_list(user, text: str) -> str | None:
    if user.has_perm("criees.view_catalogue"):
        return _with_query(reverse("criees:index"), q=text, statut="toutes")
    return None


def _consultations(user, text: str, typos: str) -> QuerySet:
    from ecoute.models import Consultation
    from ecoute.search import search_consultations

    return search_consultations(Consultation.objects.visible_to(user), text, typos=typos).only(
        "pk", "slug", "title", "summary", "status"
    )


def _consultation_item(user, consultation) -> Result:
    return Result(
        consultation.title,
        consultation.get_absolute_url(),
        [consultation.get_status_display()],
        consultation.summary,
    )


def _contributions(user, text: str, typos: str) -> QuerySet:
    from ecoute.models import Contribution
    from ecoute.search import search_contributions

    return (
        search_contributions(Contribution.objects.visible_to(user), text, typos=typos)
        .select_related("consultation")
        .only("pk", "title", "text", "status", "consultation__title")
    )


def _contribution_item(user, contribution) -> Result:
    meta = [contribution.consultation.title]
    if not contribution.is_published:
        meta.append(contribution.get_status_display())
    return Result(contribution.title, contribution.get_absolute_url(), meta, contribution.text)


def _plans(user, text: str, typos: str) -> QuerySet | None:
    from evaluation.models import EvaluationPlan
    from evaluation.search import search_plans

    if not user.has_perm("evaluation.read_project_evaluation"):
        return None
    return (
        search_plans(EvaluationPlan.objects.visible_to(user), text, typos=typos)
        .select_related("project")
        .only("pk", "summary", "project__code", "project__title")
    )


def _plan_item(user, plan) -> Result:
    return Result(
        plan.project.title,
        reverse("evaluation:plan", kwargs={"code": plan.project.code}),
        [plan.project.code, str(_("Plan d'évaluation"))],
        plan.summary,
    )


KINDS: tuple[Kind, ...] = (
    Kind(
        "projets",
        _("Projets"),
        _("Aucun projet ne correspond."),
        _projects,
        _project_item,
        _projects_list,
    ),
    Kind("idees", _("Idées"), _("Aucune idée ne correspond."), _ideas, _idea_item, _ideas_list),
    Kind(
        "initiatives",
        _("Initiatives"),
        _("Aucune initiative ne correspond."),
        _initiatives,
        _initiative_item,
        _initiatives_list,
    ),
    Kind(
        "consultations",
        _("Consultations"),
        _("Aucune consultation ne correspond."),
        _consultations,
        _consultation_item,
    ),
    Kind(
        "contributions",
        _("Contributions"),
        _("Aucune contribution ne correspond."),
        _contributions,
        _contribution_item,
    ),
    Kind(
        "evaluations",
        _("Évaluations"),
        _("Aucune évaluation ne correspond."),
        _plans,
        _plan_item,
    ),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


# --- the page's data --------------------------------------------------------------------------


def grouped_results(*, user, text: str, size: int = GROUP_SIZE) -> list[Group]:
    """Every kind `user` may search, with its first `size` results and its total: one query
    per kind, two for a kind where the full text finds nothing (then typos are tolerated). A
    kind the user may not see at all is left out."""
    text = clean(text)
    groups: list[Group] = []
    for kind in KINDS:
        rows = kind.results(user, text, FULLTEXT)
        if rows is None:
            continue
        page = list(rows.annotate(search_total=Window(Count("pk")))[:size])
        if not page and is_postgresql() and is_plain(text):
            # No full-text hit: a second statement, by trigram similarity of the titles.
            rows = kind.results(user, text, TYPOS)
            page = list(rows.annotate(search_total=Window(Count("pk")))[:size])
        total = page[0].search_total if page else 0
        more_url = None
        if total > size:
            more_url = kind.app_list(user, text) or _with_query(
                reverse("search:results"), q=text, type=kind.key
            )
        groups.append(Group(kind, [kind.item(user, row) for row in page], total, more_url))
    return groups


def kind_results(*, user, text: str, kind: Kind) -> QuerySet | None:
    """Every result of one kind (for a paginated "voir tout"), or None if `user` may not see
    that kind."""
    return kind.results(user, clean(text), AUTO)
