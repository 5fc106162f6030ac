"""Production: the base settings as configured; `parvis serve` checks them before it starts.

Nothing is relaxed here. The deploy checks in parvis.core.checks refuse a missing, short or default
secret and DEBUG on, each with a message that says which variable to set.
"""

from __future__ import annotations

from parvis.settings.base import *  # noqa: F403
from parvis.settings.base import PUBLIC_URL

if PUBLIC_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
