import datetime

import pytest
from django.test import Client

from caflab.api.services import token_create


def bearer_client(user) -> tuple[Client, str]:
    """A test client sending `user`'s new token on every request (no session)."""
    _token, secret = token_create(
        user=user, name="Tableau de bord", lifetime=datetime.timedelta(days=30)
    )
    return Client(headers={"Authorization": f"Bearer {secret}"}), secret


@pytest.fixture
def token_client():
    return lambda user: bearer_client(user)[0]


@pytest.fixture
def api_world(lab_staff, correspondent_a, agent_b, caf_a, caf_b):
    """What each Caf keeps to itself and what is public: a draft project and a draft
    initiative of Caf A, the same of Caf B, a public project sheet, a published initiative,
    an agents-only consultation of Caf A with a draft one beside it, a criée."""
    from criees.models import Initiative
    from ecoute.models import Consultation
    from tests.criees.factories import CrieeFactory, InitiativeFactory, PitchFactory
    from tests.ecoute.factories import ConsultationFactory, RestitutionFactory
    from tests.projects.factories import DeploymentFactory, ProjectFactory

    world = {
        "public_project": ProjectFactory(
            code="INNO-2026-900", is_public=True, lead=lab_staff, pilot_caf=caf_a
        ),
        "network_project": ProjectFactory(code="INNO-2026-901", lead=lab_staff, pilot_caf=caf_a),
        "draft_a": ProjectFactory(
            code="INNO-2026-902", is_draft=True, lead=correspondent_a, pilot_caf=caf_a
        ),
        "draft_b": ProjectFactory(
            code="INNO-2026-903", is_draft=True, lead=agent_b, pilot_caf=caf_b
        ),
        "initiative": InitiativeFactory(caf=caf_a),
        "initiative_draft_a": InitiativeFactory(caf=caf_a, status=Initiative.Status.DRAFT),
        "initiative_draft_b": InitiativeFactory(caf=caf_b, status=Initiative.Status.DRAFT),
        "consultation": ConsultationFactory(slug="publique"),
        "agents_consultation": ConsultationFactory(
            slug="agents-a", access=Consultation.Access.AGENTS, caf=caf_a
        ),
        "draft_consultation_b": ConsultationFactory(
            slug="brouillon-b", status=Consultation.Status.DRAFT, caf=caf_b, owner=agent_b
        ),
        "criee": CrieeFactory(),
    }
    DeploymentFactory(project=world["public_project"], caf=caf_b)
    PitchFactory(criee=world["criee"], initiative=world["initiative"])
    world["restitution"] = RestitutionFactory(consultation=world["consultation"])
    return world
