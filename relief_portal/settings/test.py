"""Test settings: the same stack as configured by the environment, made fast."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The test client's login() calls authenticate() without a request, which django-axes refuses;
# the throttling tests switch it back on for themselves.
AXES_ENABLED = False

# Tasks run in process during tests, whatever broker is configured; the tests that need a real
# worker (marked celery_worker) switch this off for themselves.
CELERY_TASK_ALWAYS_EAGER = True

# Citizen IDs are hashed with this key in tests unless the environment gives one.
ASSISTANCE_ID_HMAC_KEY = env("ASSISTANCE_ID_HMAC_KEY", default="test-only-citizen-id-key-0123456789")
