"""An administrator passes every permission rule, so every POST reaches the domain code, which
may still refuse (an unpublished contribution, a closed consultation, a decided review…).
A refusal must be a message or a form error, never a 500: this POSTs every route of the URL
matrix as a superuser, on the matrix objects as built and moved through the states they can
be in, and expects no 5xx.

Routes answering GET only give 405, which is fine: POSTing every route covers every route
that accepts POST, whatever its row's method says. The fixtures are the URL matrix's.
"""

import datetime
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory

# The URL matrix's fixtures, for `row.kwargs` to find through request.getfixturevalue.
from tests.test_url_matrix import (  # noqa: F401
    MATRIX,
    matrix_analysis,
    matrix_api,
    matrix_community,
    matrix_consultation,
    matrix_contribution,
    matrix_criees,
    matrix_ecoute_phase2,
    matrix_evaluation,
    matrix_events,
    matrix_idea,
    matrix_incubator,
    matrix_kits,
    matrix_participation,
    matrix_project,
    matrix_report,
    matrix_sources,
)

pytestmark = pytest.mark.django_db

# Routes that end the session or need a provider none of the matrix configures.
SKIPPED = {"accounts:logout", "admin:index"}


def _update(model: str, **fields) -> Callable[[], None]:
    def move() -> None:
        from django.apps import apps

        apps.get_model(model).objects.update(**fields)

    return move


def _accepted_ideas() -> None:
    from ideas.models import Idea
    from projects.models import Project
    from tests.projects.factories import ProjectFactory

    project = Project.objects.first() or ProjectFactory()
    Idea.objects.update(status="accepted", project=project)


def _decided_reviews() -> None:
    from projects.models import GateReview

    GateReview.objects.update(
        status="decided",
        decision="go",
        rationale="Les preuves suffisent.",
        decided_at=timezone.now(),
    )


def _closed_waves() -> None:
    from evaluation.models import SurveyWave

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    SurveyWave.objects.update(opens_on=yesterday - datetime.timedelta(days=7), closes_on=yesterday)


# state -> (which routes it concerns, how to move every row of the matrix there)
STATES: dict[str, tuple[Callable[[str], bool], Callable[[], None]]] = {
    **{
        f"consultation {status}": (
            lambda route: route.startswith("ecoute:"),
            _update("ecoute.Consultation", status=status),
        )
        for status in ("draft", "scheduled", "closed", "results_published", "archived")
    },
    **{
        f"contribution {status}": (
            lambda route: (
                route.startswith("ecoute:")
                and ("contribution" in route or "moderation" in route or "comment" in route)
            ),
            _update("ecoute.Contribution", status=status),
        )
        for status in ("pending", "reported", "hidden", "rejected")
    },
    "contribution comments hidden": (
        lambda route: route.startswith("ecoute:contribution-comment"),
        _update("ecoute.ContributionComment", status="hidden"),
    ),
    **{
        f"initiative {status}": (
            lambda route: route.startswith("criees:"),
            _update("criees.Initiative", status=status, return_comment="À compléter."),
        )
        for status in ("draft", "submitted", "returned")
    },
    "initiative published": (
        lambda route: route.startswith("criees:"),
        _update("criees.Initiative", status="published", published_at=timezone.now()),
    ),
    **{
        f"criee {status}": (
            lambda route: route.startswith("criees:"),
            _update("criees.Criee", status=status),
        )
        for status in ("planned", "open", "held", "followed_up")
    },
    "idea under review": (
        lambda route: route.startswith(("ideas:idea", "ideas:triage")),
        _update("ideas.Idea", status="under_review"),
    ),
    "idea shelved": (
        lambda route: route.startswith(("ideas:idea", "ideas:triage")),
        _update("ideas.Idea", status="shelved", revisit_on=timezone.localdate()),
    ),
    "idea accepted": (
        lambda route: route.startswith(("ideas:idea", "ideas:triage")),
        _accepted_ideas,
    ),
    "gate review decided": (lambda route: route.startswith("projects:gate"), _decided_reviews),
    "gate review cancelled": (
        lambda route: route.startswith("projects:gate"),
        _update("projects.GateReview", status="cancelled"),
    ),
    **{
        f"report {status}": (
            lambda route: route.startswith("evaluation:report"),
            _update("evaluation.ImpactReport", status=status, error="Délai dépassé."),
        )
        for status in ("queued", "running", "failed")
    },
    "survey wave closed": (
        lambda route: route.startswith(
            ("evaluation:survey", "evaluation:wave", "evaluation:answer")
        ),
        _closed_waves,
    ),
}

CASES = [
    pytest.param(route, None, id=f"{route} as built")
    for route in sorted(MATRIX)
    if route not in SKIPPED
] + [
    pytest.param(route, state, id=f"{route} {state}")
    for state, (concerns, _move) in STATES.items()
    for route in sorted(MATRIX)
    if route not in SKIPPED and concerns(route)
]


@pytest.fixture
def superuser(db):
    return UserFactory(email="administratrice@caf.example", admin=True)


@pytest.mark.parametrize(("route", "state"), CASES)
def test_superuser_post_is_never_a_server_error(route, state, superuser, client, request):
    row = MATRIX[route]
    url = reverse(route, kwargs=row.kwargs(request) if row.kwargs else None)
    if state is not None:
        STATES[state][1]()
    client.force_login(superuser)
    # The test client re-raises a view's exception: a refusal that escapes shows its traceback.
    response = client.post(url, row.data)
    assert response.status_code < 500, f"POST {url} ({state or 'as built'}): {response.status_code}"
