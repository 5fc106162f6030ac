"""The test suite: SQLite by default, PostgreSQL (127.0.0.1:5432, db `test`) when PARVIS_TEST_POSTGRES is set."""

from __future__ import annotations

import os

from parvis.settings import database_url
from parvis.settings.base import *  # noqa: F403
from parvis.settings.base import DATA_DIR

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1", "parvis.test"]
PUBLIC_URL = "http://parvis.test"

if os.environ.get("PARVIS_TEST_POSTGRES"):
    DATABASES = {
        "default": database_url.parse(
            os.environ["PARVIS_TEST_POSTGRES_URL"]
            if os.environ.get("PARVIS_TEST_POSTGRES_URL")
            else "postgres://postgres@127.0.0.1:5432/test",
            DATA_DIR,
        )
    }
else:
    DATABASES = {"default": database_url.parse("sqlite:///test.sqlite3", DATA_DIR)}
    # One file per test run, so two runs at once (a developer and an editor plugin, say) never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-db-{os.getpid()}.sqlite3")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PARVIS_RATELIMIT_COMMENT_IP = "1000/60"
PARVIS_RATELIMIT_SIGN_IN_IP = "1000/60"
PARVIS_RATELIMIT_COMMENT_THREAD = "1000/60"
PARVIS_RATELIMIT_ACTION_IP = "1000/60"
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
# Under the WSGI test client a live-update stream is read to its end: end it at once unless a test asks.
PARVIS_LIVE_MAX_SECONDS = 0
