"""Criées fixtures: a published initiative of Caf A led by agent A, a criée open for proposals
(the personas are in tests/conftest.py). Uploaded files go to a temporary private root."""

import pytest

from tests.criees.factories import CrieeFactory, InitiativeFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


@pytest.fixture
def initiative(agent_a, caf_a):
    return InitiativeFactory(
        title="Accueil sans rendez-vous repensé", caf=caf_a, created_by=agent_a
    )


@pytest.fixture
def criee(db):
    return CrieeFactory(title="Criée de printemps")
