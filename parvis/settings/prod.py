"""Production: the base settings as configured; `parvis serve` checks them before it starts.

Nothing is relaxed here. The deploy checks in parvis.core.checks refuse a missing, short or default
secret and DEBUG on, each with a message that says which variable to set.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from parvis.settings.base import *  # noqa: F403
from parvis.settings.base import PUBLIC_URL, SECRET_KEY

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "PARVIS_SECRET_KEY is not set. Production needs a secret of 50+ random characters, e.g. "
        "PARVIS_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'). "
        "For a local trial, use development mode instead: parvis --dev ... or PARVIS_MODE=dev."
    )

if PUBLIC_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
