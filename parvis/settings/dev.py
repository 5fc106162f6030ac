"""Local development and the demo: a generated secret kept in DATA_DIR, localhost allowed."""

from __future__ import annotations

import secrets

from parvis.settings.base import *  # noqa: F403
from parvis.settings.base import ALLOWED_HOSTS, DATA_DIR, SECRET_KEY

if not SECRET_KEY:
    _key_file = DATA_DIR / "secret.key"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = [*ALLOWED_HOSTS, "localhost", "127.0.0.1", "[::1]"]

# No collectstatic step in development: files are served from the apps' static folders.
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
