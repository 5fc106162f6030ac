"""Subscriptions nobody confirmed are deleted by the worker's minute tick once every link that could confirm
them has expired (PARVIS_EMAIL_CONFIRM_DAYS); confirmed ones, and ones asked for again lately, stay."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import ApiClient
from parvis.moderation.models import AuditEntry
from parvis.notifications import outbox, tasks
from parvis.notifications.models import OutboxMessage, Subscription
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db


def subscribe(api: ApiClient, email: str) -> None:
    body = {"email": email, "kind": "thread", "thread": {"key": "article-1"}}
    assert api.send("post", "/subscriptions", body).status_code == 202


def age(email: str, days: int) -> None:
    """Make the subscription of ``email`` and its confirmation emails ``days`` old."""
    moment = timezone.now() - timedelta(days=days)
    Subscription.objects.filter(email=email).update(created_at=moment)
    OutboxMessage.objects.filter(recipient=email).update(created_at=moment, sent_at=moment)


def confirm_link(smtp: SmtpServer, email: str) -> str:
    message = next(item for item in smtp.messages if item["To"] == email)
    found = re.search(r"https://parvis\.test(/notifications/confirm/\S+)", message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert found
    return found.group(1)


def test_the_tick_deletes_only_subscriptions_whose_confirmation_can_no_longer_happen(
    api: ApiClient, client: Client, smtp: SmtpServer, settings: Any
) -> None:
    settings.PARVIS_EMAIL_CONFIRM_DAYS = 7
    for email in ("never@example.org", "confirmed@example.org", "again@example.org", "recent@example.org"):
        subscribe(api, email)
    outbox.deliver_due()
    assert client.post(confirm_link(smtp, "confirmed@example.org")).status_code == 200
    age("never@example.org", 8)
    age("confirmed@example.org", 30)
    age("again@example.org", 10)
    age("recent@example.org", 6)
    subscribe(api, "again@example.org")  # asked again yesterday: a fresh link is out there
    assert Subscription.objects.count() == 4

    assert "1 unconfirmed removed" in tasks.tick.call()

    assert sorted(Subscription.objects.values_list("email", flat=True)) == [
        "again@example.org", "confirmed@example.org", "recent@example.org",
    ]  # fmt: skip
    expired = AuditEntry.objects.get(action="subscription.expired")
    assert expired.actor_label == "system" and "never@example.org" not in str(expired.details)
    # The old link of the deleted subscription now says it does not work, and creates nothing.
    answer = client.post(confirm_link(smtp, "never@example.org"))
    assert answer.status_code == 400
    assert not Subscription.objects.filter(email="never@example.org").exists()
    assert "0 unconfirmed removed" in tasks.tick.call()


def test_a_confirmation_still_waiting_in_the_outbox_keeps_its_subscription(
    api: ApiClient, smtp: SmtpServer, settings: Any
) -> None:
    settings.PARVIS_EMAIL_CONFIRM_DAYS = 1
    smtp.stop()  # the SMTP server has been down for days: the confirmation never left
    subscribe(api, "patient@example.org")
    Subscription.objects.update(created_at=timezone.now() - timedelta(days=3))
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(days=3))
    tasks.tick.call()
    assert Subscription.objects.filter(email="patient@example.org").exists()
