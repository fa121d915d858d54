"""The kit's demo data, through the real services: kits for the stages, a prototype's
documents (its blocking test protocol missing, so a "go" is refused), fiches d'essaimage on a
project at essaimage and on the promoted initiative; seeded once."""

import io

import pytest

from kits import demo
from kits.models import Deliverable, Document, ReplicationGuide, StageKit
from kits.services.deliverables import missing_blocking_deliverables
from projects.models import Stage
from tests.accounts.factories import UserFactory
from tests.criees.factories import InitiativeFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_kits_documents_and_fiches_once(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    lab = UserFactory(email=demo.LAB, lab=True)
    prototype = ProjectFactory(lead=lab, stage=Stage.PROTOTYPE)
    essaimage = ProjectFactory(lead=lab, stage=Stage.ESSAIMAGE)
    initiative = InitiativeFactory(project=ProjectFactory(lead=lab, stage=Stage.ESSAIMAGE))

    demo.seed(io.StringIO())
    demo.seed(io.StringIO())

    assert StageKit.objects.count() == len(demo.KITS)
    assert Deliverable.objects.exclude(template="").exists()
    brief = Document.objects.get(project=prototype, kind="prototype_brief")
    assert brief.n_versions == 2
    assert missing_blocking_deliverables(prototype) == [
        "livrables bloquants manquants pour l’étape «\u00a0Expérimentation\u00a0»\u00a0: "
        "Protocole de test avec les usagers"
    ]
    assert ReplicationGuide.objects.get(project=essaimage).documents.count() == 2
    assert not ReplicationGuide.objects.get(initiative=initiative).is_empty
