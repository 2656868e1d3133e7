"""Tests: an in-memory SQLite database unless DATABASE_URL names another; fast password hashing."""

import os
import tempfile

os.environ.setdefault("KUNDENNETZ_HOME", tempfile.mkdtemp(prefix="kundennetz-test-"))

from .base import *  # noqa: E402,F401,F403
from .base import DATABASES  # noqa: E402

if not os.environ.get("DATABASE_URL"):
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
LANGUAGE_CODE = "en"
# Tasks run at once inside the request that queues them; worker tests switch to the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
