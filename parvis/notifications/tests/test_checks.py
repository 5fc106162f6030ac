"""`parvis check` refuses email settings that would fail silently or leak: an unknown security mode (it used to
mean plain SMTP), a password without TLS, a sender without an address, malformed limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from parvis.notifications import outbox
from parvis.notifications.models import OutboxMessage, OutboxStatus
from tests.smtp import SmtpServer


def check_ids() -> str:
    try:
        call_command("check", tags=["notifications"], fail_level="WARNING")
    except SystemCheckError as error:
        return str(error)
    return ""


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("PARVIS_EMAIL_SECURITY", "ssl", "parvis.E050"),
        ("PARVIS_EMAIL_FROM", "Parvis", "parvis.E052"),
        ("PARVIS_RATELIMIT_SUBSCRIBE_EMAIL", "three an hour", "parvis.E053"),
        ("PARVIS_EMAIL_DIGEST_HOUR", 24, "parvis.E054"),
        ("PARVIS_EMAIL_LEASE_SECONDS", 10, "parvis.W055"),
    ],
)
def test_a_bad_email_setting_is_reported_by_its_code(settings: Any, name: str, value: Any, code: str) -> None:
    assert check_ids() == ""
    setattr(settings, name, value)
    assert code in check_ids()


def test_a_password_without_tls_is_refused_by_the_check_and_never_sent(
    settings: Any, smtp: SmtpServer, db: Any
) -> None:
    settings.PARVIS_EMAIL_USER, settings.PARVIS_EMAIL_PASSWORD = "comments", "secret"
    assert "parvis.E051" in check_ids()
    from parvis.core.models import Site

    site = Site.objects.create(slug="news", name="News", allowed_origins=["https://news.example"])
    outbox.enqueue("staff:1", site=site, kind="staff_queue", recipient="mod@example.org", language="en",
                   payload={"count": 3})  # fmt: skip
    assert outbox.deliver_due().retried == 1
    assert smtp.messages == []
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.PENDING and "without TLS" in row.last_error
