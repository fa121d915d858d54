"""Personas shared by every test: lab staff, correspondent of Caf A, agent of Caf A,
agent of Caf B, citizen, anonymous (the `persona` matrix), and the other roles the apps need:
correspondent of Caf B, moderator, project lead of Caf A, directorate member, partner (and
`partner_user`, the same partner with an incubated project of theirs). Caf A is
the Isère (38), Caf B the Rhône (69); both exist from the reference-data migration. Every
persona is defined here, once: app conftests hold only their app's objects."""

import pytest

from caflab.accounts.models import Role
from caflab.network.models import Caf, Directorate, Partner
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.brokers import dead_broker, published_tasks, tasks_run  # noqa: F401 (fixtures)
from tests.mail_backends import mail_server  # noqa: F401 (a fixture for every test)
from tests.network.factories import PartnerFactory
from tests.oidc_fixtures import oidc_provider  # noqa: F401 (a fixture for every test)

PERSONAS = ("lab_staff", "correspondent_a", "agent_a", "agent_b", "citizen", "anonymous")


@pytest.fixture
def caf_a(db) -> Caf:
    return Caf.objects.get(code="38")


@pytest.fixture
def caf_b(db) -> Caf:
    return Caf.objects.get(code="69")


@pytest.fixture
def lab_staff(db):
    return UserFactory(email="labo@cnaf.example", role=Role.LAB_STAFF, caf=None)


@pytest.fixture
def correspondent_a(caf_a):
    return UserFactory(email="correspondant.a@caf38.example", role=Role.CORRESPONDENT, caf=caf_a)


@pytest.fixture
def agent_a(caf_a):
    return UserFactory(email="agent.a@caf38.example", role=Role.AGENT, caf=caf_a)


@pytest.fixture
def agent_b(caf_b):
    return UserFactory(email="agent.b@caf69.example", role=Role.AGENT, caf=caf_b)


@pytest.fixture
def citizen(db):
    return UserFactory(email="citoyenne@example.org", role=Role.CITIZEN, caf=None)


@pytest.fixture
def correspondent_b(caf_b):
    return UserFactory(email="correspondant.b@caf69.example", role=Role.CORRESPONDENT, caf=caf_b)


@pytest.fixture
def moderator(db):
    return UserFactory(email="moderation@cnaf.example", moderator=True)


@pytest.fixture
def lead(caf_a):
    """The project lead (porteuse): an agent of Caf A."""
    return UserFactory(email="porteuse@caf38.example", role=Role.AGENT, caf=caf_a)


@pytest.fixture
def directorate_member(db):
    """A member of the first Cnaf directorate (from the reference data)."""
    return UserFactory(
        email="directrice@cnaf.example",
        role=Role.DIRECTORATE,
        caf=None,
        directorate=Directorate.objects.first(),
    )


@pytest.fixture
def partner_org(db) -> Partner:
    return PartnerFactory()


@pytest.fixture
def partner(partner_org):
    """A member of `partner_org`, a partner organisation."""
    return UserFactory(
        email="partenaire@asso.example", role=Role.PARTNER, caf=None, partner=partner_org
    )


@pytest.fixture
def incubated_project(lab_staff, partner_org):
    """A non-draft project of the incubator track, led by the lab, with `partner_org` among
    its partners."""
    from projects.models import Track
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory(
        lead=lab_staff, track=Track.LOCAL_INCUBATOR, title="Jardin des familles du quartier"
    )
    project.partners.add(partner_org)
    return project


@pytest.fixture
def partner_user(partner, incubated_project):
    """The partner persona: a member of `partner_org`, a partner of `incubated_project` (the
    incubator track), and of nothing else."""
    return partner


@pytest.fixture
def persona(request):
    """Indirect fixture: `persona` is the user of the named persona, or None for anonymous."""
    name = request.param
    if name == "anonymous":
        return None
    return request.getfixturevalue(name)


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (Redis in CI), so no state leaks between tests."""
    from django.core.cache import cache

    cache.clear()
