"""Criées fixtures: a correspondent of Caf B, a published initiative of Caf A led by agent A,
a criée open for proposals. Uploaded files go to a temporary private root."""

import pytest

from caflab.accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.criees.factories import CrieeFactory, InitiativeFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


@pytest.fixture
def correspondent_b(caf_b):
    return UserFactory(email="correspondant.b@caf69.example", role=Role.CORRESPONDENT, caf=caf_b)


@pytest.fixture
def moderator(db):
    return UserFactory(email="moderation@cnaf.example", moderator=True)


@pytest.fixture
def initiative(agent_a, caf_a):
    return InitiativeFactory(
        title="Accueil sans rendez-vous repensé", caf=caf_a, created_by=agent_a
    )


@pytest.fixture
def criee(db):
    return CrieeFactory(title="Criée de printemps")
