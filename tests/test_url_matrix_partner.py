"""The URL × role matrix for the partner persona (`partner_user`, tests/conftest.py): a member
of an organisation that is a partner of one incubated project (issue 14).

On that project they follow up (status reports, blockers and levers, prototypes, documents)
and read its evaluation, never edit the project itself; another organisation's project is
404; a project of another track they are a partner of is theirs to read, not to follow up
(403); the network's internal pages are 403. Same answers and conventions as
tests/test_url_matrix.py (REDIRECT: a 302 elsewhere than the login page; a POST without data
answers its form again, with the errors: 200).
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from tests.test_url_matrix import REDIRECT, assert_every_post_form_has_a_csrf_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_matrix(partner_user, incubated_project, partner_org, lab_staff, settings, tmp_path):
    """Their incubated project with a blocker and a document; a national lab project of their
    organisation; an incubated project of another organisation."""
    from kits.services.documents import document_add
    from projects.models import Track
    from tests.kits.factories import pdf
    from tests.network.factories import PartnerFactory
    from tests.projects.factories import BlockerLeverFactory, ProjectFactory

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    national = ProjectFactory(lead=lab_staff, track=Track.NATIONAL_LAB)
    national.partners.add(partner_org)
    other = ProjectFactory(lead=lab_staff, track=Track.LOCAL_INCUBATOR)
    other.partners.add(PartnerFactory())
    document = document_add(
        holder=incubated_project, kind="other", title="Note", upload=pdf(), by=lab_staff
    )
    return {
        "own": incubated_project,
        "national": national,
        "other": other,
        "lever": BlockerLeverFactory(project=incubated_project),
        "other_lever": BlockerLeverFactory(project=other),
        "document": document,
    }


def _code(key: str) -> Callable[[pytest.FixtureRequest], dict[str, Any]]:
    return lambda request: {"code": request.getfixturevalue("partner_matrix")[key].code}


def _pk(key: str, project: str | None = None) -> Callable[[pytest.FixtureRequest], dict]:
    def kwargs(request) -> dict[str, Any]:
        objects = request.getfixturevalue("partner_matrix")
        found = {"pk": objects[key].pk}
        return {"code": objects[project].code, **found} if project else found

    return kwargs


def _none(request) -> dict[str, Any]:
    return {}


# (route, kwargs, method, expected)
ROWS: list[tuple[str, Callable[[pytest.FixtureRequest], dict], str, Any]] = [
    # their incubated project: read, follow up, never edit
    ("projects:detail", _code("own"), "get", 200),
    ("projects:team", _code("own"), "get", 200),
    ("projects:status-report-add", _code("own"), "post", 200),
    ("projects:lever-add", _code("own"), "post", 200),
    ("projects:prototype-add", _code("own"), "post", 200),
    ("projects:lever-escalate", _pk("lever", "own"), "post", REDIRECT),
    ("projects:update", _code("own"), "get", 403),
    ("projects:experiment-add", _code("own"), "post", 403),
    ("projects:event-add", _code("own"), "post", 403),
    ("projects:lever-lift", _pk("lever", "own"), "post", 403),
    ("projects:lever-pull", _pk("lever", "own"), "post", 403),
    ("projects:gate-request", _code("own"), "get", 403),
    ("kits:project-document-add", _code("own"), "get", 200),
    ("kits:document", _pk("document"), "get", 200),
    ("kits:version-add", _pk("document"), "post", 200),
    ("projects:follow", _code("own"), "post", 403),  # following is the network's
    ("evaluation:plan", _code("own"), "get", 200),
    ("evaluation:indicator-list", _code("own"), "get", 200),
    ("evaluation:judgements", _code("own"), "get", 200),
    # a project of another track their organisation is a partner of: read only
    ("projects:detail", _code("national"), "get", 200),
    ("projects:status-report-add", _code("national"), "post", 403),
    ("projects:lever-add", _code("national"), "post", 403),
    ("projects:prototype-add", _code("national"), "post", 403),
    ("kits:project-document-add", _code("national"), "get", 403),
    # another organisation's project: not there
    ("projects:detail", _code("other"), "get", 404),
    ("projects:team", _code("other"), "get", 404),
    ("projects:status-report-add", _code("other"), "post", 404),
    ("projects:lever-add", _code("other"), "post", 404),
    ("projects:lever-escalate", _pk("other_lever", "other"), "post", 404),
    ("kits:project-document-add", _code("other"), "get", 404),
    ("evaluation:plan", _code("other"), "get", 404),
    # the network's internal pages
    ("projects:dashboard", _none, "get", 403),
    ("projects:levers", _none, "get", 403),
    ("projects:create", _none, "get", 403),
    ("ideas:idea-list", _none, "get", 403),
    ("criees:index", _none, "get", 403),
    ("evaluation:index", _none, "get", 403),
    ("events:figures", _none, "get", 403),
    ("engagement:queue", _none, "get", 403),
    ("accounts:pending-list", _none, "get", 403),
    ("network:caf-list", _none, "get", 403),
]


@pytest.mark.parametrize(
    ("route", "kwargs", "method", "expected"),
    ROWS,
    ids=[f"{i:02d}-{route}-{method}" for i, (route, _kwargs, method, _e) in enumerate(ROWS)],
)
def test_route_answers_the_partner_as_expected(
    route, kwargs, method, expected, client, partner_user, request
):
    url = reverse(route, kwargs=kwargs(request) or None)
    client.force_login(partner_user)
    response = getattr(client, method)(url)
    where = f"{method.upper()} {url} as partner_user"
    if expected == REDIRECT:
        assert response.status_code == 302, f"{where}: {response.status_code}, expected 302"
        assert not response["Location"].startswith(str(settings.LOGIN_URL)), where
    else:
        assert response.status_code == expected, f"{where}: {response.status_code}"
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        assert_every_post_form_has_a_csrf_token(response.content.decode(), where)
