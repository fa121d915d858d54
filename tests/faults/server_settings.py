"""The production settings for the servers the fault tests start (DEBUG off, the real mail,
cache and database configuration from the environment), with static files served from the
finders: a test does not run collectstatic (a minute with compression)."""

from caflab.settings import *  # noqa: F403
from caflab.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
