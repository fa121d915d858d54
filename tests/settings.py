"""Test overlay on caflab.settings: same stack, faster hasher, tasks in-process by default.

Tests marked `real_broker` switch the Celery app to the real broker for their duration.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from caflab.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # A temporary directory (PRIVATE_MEDIA_ROOT below); tests/core/test_object_storage.py
    # switches it to a bucket of a local S3 server.
    "private": {"BACKEND": "caflab.core.uploads.PrivateStorage"},
}
MEDIA_ROOT = tempfile.mkdtemp(prefix="caflab-test-media-")
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="caflab-test-private-media-")
# An existing (empty) STATIC_ROOT keeps whitenoise quiet; files come from the finders.
STATIC_ROOT = tempfile.mkdtemp(prefix="caflab-test-static-")
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Each anonymous answer is written at once, in a batch of its own, so that a test reads it back
# right after sending it; tests/ecoute/test_anonymous_batches.py sets real batch sizes.
ECOUTE_ANONYMOUS_BATCH_SIZE = 1
