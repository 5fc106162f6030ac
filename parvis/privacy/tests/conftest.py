from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.smtp import SmtpServer


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 the outbox sends to; links in emails are https."""
    with SmtpServer() as server:
        settings.PARVIS_EMAIL_HOST = "127.0.0.1"
        settings.PARVIS_EMAIL_PORT = server.port
        settings.PARVIS_EMAIL_TIMEOUT = 5
        settings.PARVIS_EMAIL_FROM = "Parvis <notifications@parvis.test>"
        settings.PUBLIC_URL = "https://parvis.test"
        settings.PARVIS_EMAIL_BATCH_SECONDS = 0
        yield server
