"""The cross-app search: what each kind of result is, who sees which, and the grouped results.

Each kind reuses its app's own scope (`visible_to`) and search function, so the search page
never shows what the app's own pages would hide: another Caf's draft, an internal idea to a
citizen. One statement per kind, whatever the data: the first rows and the kind's total (a
window count) come back together.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import CharField, Count, F, QuerySet, Value, Window
from django.db.models.functions import Cast, RowNumber
from django.urls import reverse
from django.utils.module_loading import import_string
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
    # The grouped page reads every kind in one statement (`grouped_results`): what `item`
    # reads, as (title, text, extra, extra) fields, and `build` making an unsaved instance of
    # the row from them (pk, title, text, extra, extra) for `item`.
    slots: tuple[str, str, str | None, str | None] = ("title", "title", None, None)
    build: Callable[..., Any] | None = None


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


def _ranked(
    user,
    text: str,
    typos: str,
    *,
    model: str,
    search: str,
    only: tuple[str, ...],
    related: tuple[str, ...] = (),
    allowed: Callable[[Any], bool] = lambda user: True,
    scope: Callable[[Any, Any], QuerySet] = lambda user, objects: objects.visible_to(user),
) -> QuerySet | None:
    """A kind's matching rows, best first, or None if `user` may not search that kind: the
    app's search function `search` (a dotted path) over the rows of `model` ("app.Model") that
    `scope(user, objects)` lets the user see, reading only the fields `only` (and the
    `related` rows). Imported when called: the apps' modules are not loaded with this one."""
    if not allowed(user):
        return None
    rows = import_string(search)(scope(user, apps.get_model(model).objects), text, typos=typos)
    if related:
        rows = rows.select_related(*related)
    return rows.only(*only)


def _is_network_member(user) -> bool:
    return bool(user.is_authenticated and user.is_network_member)


def _sees_portfolio(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_lab_staff or user.is_network_member or (user.is_partner and user.partner_id))
    )


def _project_scope(user, projects) -> QuerySet:
    # Everyone else reads the public project sheets only.
    return projects.visible_to(user) if _sees_portfolio(user) else projects.published()


_projects = partial(
    _ranked,
    model="projects.Project",
    search="projects.filters.search_projects",
    only=("pk", "code", "title", "problem", "stage", "is_draft", "is_public"),
    scope=_project_scope,
)


def _project_item(user, project) -> Result:
    url = (
        project.get_absolute_url()
        if _sees_portfolio(user)
        else reverse("projects:public-sheet", kwargs={"code": project.code})
    )
    return Result(project.title, url, [project.code, project.get_stage_display()], project.problem)


def _project_row(pk, title, text, code, stage):
    from projects.models import Project

    return Project(pk=pk, title=title, problem=text, code=code, stage=stage)


def _projects_list(user, text: str) -> str | None:
    if user.has_perm("projects.view_portfolio"):
        return _with_query(reverse("projects:index"), q=text)
    return None


_ideas = partial(
    _ranked,
    model="ideas.Idea",
    search="ideas.filters.search_ideas",
    only=("pk", "title", "problem", "status", "caf__code", "caf__name"),
    related=("caf",),
    allowed=_is_network_member,
)


def _idea_item(user, idea) -> Result:
    meta = [idea.get_status_display()]
    if idea.caf:
        meta.append(str(idea.caf))
    return Result(idea.title, idea.get_absolute_url(), meta, idea.problem)


def _idea_row(pk, title, text, status, caf_name):
    from caflab.network.models import Caf
    from ideas.models import Idea

    caf = Caf(name=caf_name) if caf_name is not None else None
    return Idea(pk=pk, title=title, problem=text, status=status, caf=caf)


def _ideas_list(user, text: str) -> str | None:
    if user.has_perm("ideas.view_ideas"):
        return _with_query(reverse("ideas:idea-list"), q=text)
    return None


_initiatives = partial(
    _ranked,
    model="criees.Initiative",
    search="criees.filters.search_initiatives",
    only=("pk", "title", "summary", "status", "caf__code", "caf__name"),
    related=("caf",),
    allowed=_is_network_member,
)


def _initiative_item(user, initiative) -> Result:
    meta = [str(initiative.caf)]
    if not initiative.is_published:
        meta.append(initiative.get_status_display())
    return Result(initiative.title, initiative.get_absolute_url(), meta, initiative.summary)


def _initiative_row(pk, title, text, status, caf_name):
    from caflab.network.models import Caf
    from criees.models import Initiative

    return Initiative(pk=pk, title=title, summary=text, status=status, caf=Caf(name=caf_name))


def _initiatives_list(user, text: str) -> str | None:
    if user.has_perm("criees.view_catalogue"):
        return _with_query(reverse("criees:index"), q=text, statut="toutes")
    return None


_consultations = partial(
    _ranked,
    model="ecoute.Consultation",
    search="ecoute.search.search_consultations",
    only=("pk", "slug", "title", "summary", "status"),
)


def _consultation_item(user, consultation) -> Result:
    return Result(
        consultation.title,
        consultation.get_absolute_url(),
        [consultation.get_status_display()],
        consultation.summary,
    )


def _consultation_row(pk, title, text, slug, status):
    from ecoute.models import Consultation

    return Consultation(pk=pk, title=title, summary=text, slug=slug, status=status)


_contributions = partial(
    _ranked,
    model="ecoute.Contribution",
    search="ecoute.search.search_contributions",
    only=("pk", "title", "text", "status", "consultation__title"),
    related=("consultation",),
)


def _contribution_item(user, contribution) -> Result:
    meta = [contribution.consultation.title]
    if not contribution.is_published:
        meta.append(contribution.get_status_display())
    return Result(contribution.title, contribution.get_absolute_url(), meta, contribution.text)


def _contribution_row(pk, title, text, status, consultation_title):
    from ecoute.models import Consultation, Contribution

    return Contribution(
        pk=pk,
        title=title,
        text=text,
        status=status,
        consultation=Consultation(title=consultation_title),
    )


_plans = partial(
    _ranked,
    model="evaluation.EvaluationPlan",
    search="evaluation.search.search_plans",
    only=("pk", "summary", "project__code", "project__title"),
    related=("project",),
    allowed=lambda user: user.has_perm("evaluation.read_project_evaluation"),
)


def _plan_item(user, plan) -> Result:
    return Result(
        plan.project.title,
        reverse("evaluation:plan", kwargs={"code": plan.project.code}),
        [plan.project.code, str(_("Plan d’évaluation"))],
        plan.summary,
    )


def _plan_row(pk, title, text, code, _unused):
    from evaluation.models import EvaluationPlan
    from projects.models import Project

    return EvaluationPlan(pk=pk, summary=text, project=Project(code=code, title=title))


KINDS: tuple[Kind, ...] = (
    Kind(
        "projets",
        _("Projets"),
        _("Aucun projet ne correspond."),
        _projects,
        _project_item,
        _projects_list,
        slots=("title", "problem", "code", "stage"),
        build=_project_row,
    ),
    Kind(
        "idees",
        _("Idées"),
        _("Aucune idée ne correspond."),
        _ideas,
        _idea_item,
        _ideas_list,
        slots=("title", "problem", "status", "caf__name"),
        build=_idea_row,
    ),
    Kind(
        "initiatives",
        _("Initiatives"),
        _("Aucune initiative ne correspond."),
        _initiatives,
        _initiative_item,
        _initiatives_list,
        slots=("title", "summary", "status", "caf__name"),
        build=_initiative_row,
    ),
    Kind(
        "consultations",
        _("Consultations"),
        _("Aucune consultation ne correspond."),
        _consultations,
        _consultation_item,
        slots=("title", "summary", "slug", "status"),
        build=_consultation_row,
    ),
    Kind(
        "contributions",
        _("Contributions"),
        _("Aucune contribution ne correspond."),
        _contributions,
        _contribution_item,
        slots=("title", "text", "status", "consultation__title"),
        build=_contribution_row,
    ),
    Kind(
        "evaluations",
        _("Évaluations"),
        _("Aucune évaluation ne correspond."),
        _plans,
        _plan_item,
        slots=("project__title", "summary", "project__code", None),
        build=_plan_row,
    ),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


# --- the page's data --------------------------------------------------------------------------


def grouped_results(*, user, text: str, size: int = GROUP_SIZE) -> list[Group]:
    """Every kind `user` may search, with its first `size` results and its total. A kind the
    user may not see at all is left out.

    PostgreSQL: one statement for every kind (each kind's first rows, ranked, and its total, in
    a UNION ALL), and a second one, by trigram similarity of the titles, for the kinds the full
    text found nothing in: two statements at most, whatever the data. Elsewhere (SQLite): one
    query per kind."""
    text = clean(text)
    searched = [(kind, kind.results(user, text, FULLTEXT)) for kind in KINDS]
    searched = [(kind, rows) for kind, rows in searched if rows is not None]
    if not is_postgresql():
        pages = {
            kind.key: [
                (row, row.search_total)
                for row in rows.annotate(search_total=Window(Count("pk")))[:size]
            ]
            for kind, rows in searched
        }
    else:
        pages = _first_rows(searched, size)
        missed = [kind for kind, _rows in searched if not pages[kind.key]]
        if missed and is_plain(text):
            # No full-text hit in these kinds: a second statement, by trigram similarity.
            pages |= _first_rows([(kind, kind.results(user, text, TYPOS)) for kind in missed], size)
    groups: list[Group] = []
    for kind, _rows in searched:
        page = pages[kind.key]
        total = page[0][1] if page else 0
        more_url = None
        if total > size:
            more_url = kind.app_list(user, text) or _with_query(
                reverse("search:results"), q=text, type=kind.key
            )
        groups.append(Group(kind, [kind.item(user, row) for row, _ in page], total, more_url))
    return groups


def _first_rows(searched: list[tuple[Kind, QuerySet]], size: int) -> dict[str, list]:
    """Each kind's first `size` rows (as `Kind.build` makes them) with the kind's total, in one
    statement: a UNION ALL of each kind's ranked, limited rows, on the same columns (the kind,
    its row's pk, four text fields, its place in the kind's order and its total)."""
    parts = []
    for kind, rows in searched:
        order = rows.query.order_by
        columns = {
            "s_kind": Value(kind.key, output_field=CharField()),
            "s_pk": F("pk"),
            **{
                f"s_{n}": Cast(F(slot), CharField()) if slot else Value(None, CharField())
                for n, slot in enumerate(kind.slots)
            },
            "s_place": Window(RowNumber(), order_by=[_ordering(o) for o in order]),
            "s_total": Window(Count("pk")),
        }
        parts.append(rows.annotate(**columns).values_list(*columns)[:size])
    pages: dict[str, list] = {kind.key: [] for kind, _rows in searched}
    if not parts:
        return pages
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    kinds = {kind.key: kind for kind, _rows in searched}
    for key, pk, title, body, extra, other, _place, total in sorted(
        union, key=lambda row: (row[0], row[6])
    ):
        pages[key].append((kinds[key].build(pk, title, body, extra, other), total))
    return pages


def _ordering(order: Any) -> Any:
    """An order_by() entry ("-rank", an F().desc()...) as a window's ordering expression."""
    if isinstance(order, str):
        return F(order[1:]).desc() if order.startswith("-") else F(order).asc()
    return order


def kind_results(*, user, text: str, kind: Kind) -> QuerySet | None:
    """Every result of one kind (for a paginated "voir tout"), or None if `user` may not see
    that kind."""
    return kind.results(user, clean(text), AUTO)
