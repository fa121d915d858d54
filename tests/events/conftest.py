import pytest

from tests.events.factories import EventFactory


@pytest.fixture
def training(lab_staff):
    """A published training for the whole network, organised by the lab, ten seats."""
    return EventFactory(organisers=[lab_staff])


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
