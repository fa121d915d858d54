import pytest

from tests.opendata.world import public_world  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # The files are written to the private storage: a directory of each test's own.
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
