"""The type-ahead sources of the portfolio (caflab/core/typeahead.py): projects, projects with
deployments (the Caf map), and project leads (the list's filter). Each is scoped to the
projects the user may see, so a hidden draft's title or lead never appears."""

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict

from caflab.accounts.models import User
from caflab.core.typeahead import Source, clean_text, key_before_dash, words_match
from projects.models import Deployment, Project


def _projects(user: Any, params: QueryDict) -> QuerySet[Project]:
    return Project.objects.visible_to(user).only("pk", "code", "title")


def _deployed(user: Any, params: QueryDict) -> QuerySet[Project]:
    return _projects(user, params).filter(Exists(Deployment.objects.filter(project=OuterRef("pk"))))


def _project_match(queryset: QuerySet[Project], text: str) -> QuerySet[Project]:
    return words_match(queryset, text, ("code", "title"))


def _project_resolve(queryset: QuerySet[Project], text: str) -> QuerySet[Project]:
    return queryset.filter(code__iexact=key_before_dash(text))


PROJECTS = Source(
    scope=_projects,
    match=_project_match,
    resolve=_project_resolve,
    value=lambda p: f"{p.code} – {p.title}",
    order=("code",),
    permission="projects.view_portfolio",
)
DEPLOYED_PROJECTS = Source(
    scope=_deployed,
    match=_project_match,
    resolve=_project_resolve,
    value=lambda p: f"{p.code} – {p.title}",
    order=("code",),
    permission="projects.view_portfolio",
)


def leads_of(projects: QuerySet[Project]) -> QuerySet[User]:
    return User.objects.filter(pk__in=projects.values("lead")).only(
        "pk", "first_name", "last_name", "email"
    )


def match_people(queryset: QuerySet[User], text: str) -> QuerySet[User]:
    """A typed address (exact), else every word in the first name, last name or address."""
    text = clean_text(text)
    if "@" in text and " " not in text:
        return queryset.filter(email__iexact=text)
    return words_match(queryset, text, ("first_name", "last_name", "email"))


def resolve_person(queryset: QuerySet[User], text: str) -> QuerySet[User]:
    """An option's value (the address), or an id (the links of older pages: ?lead=12)."""
    text = clean_text(text)
    if text.isdigit():
        return queryset.filter(pk=int(text))
    return queryset.filter(email__iexact=text)


LEADS = Source(
    scope=lambda user, params: leads_of(Project.objects.visible_to(user)),
    match=match_people,
    resolve=resolve_person,
    value=lambda u: u.email,
    label=lambda u: str(u),
    order=("last_name", "first_name", "email"),
    permission="projects.view_portfolio",
    lists_people=True,
)
