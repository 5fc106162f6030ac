"""Daily digests: one email a day per address and site, with what its daily subscriptions missed, and a one-click
way out of all of them; delivered to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from conftest import ApiClient
from parvis.comments.models import Comment, Status
from parvis.moderation.actions import set_status
from parvis.notifications import digests, outbox
from parvis.notifications.models import Frequency, Subscription
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

ALICE = "alice@example.org"


def tomorrow_morning() -> datetime:
    """A moment after tomorrow's digest hour (PARVIS_EMAIL_DIGEST_HOUR, 7 UTC by default)."""
    return (timezone.now() + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def subscribe_daily(api: ApiClient, client: Client, smtp: SmtpServer, **fields: Any) -> None:
    body = {"email": ALICE, "kind": "thread", "frequency": "daily", "language": "en", "thread": {"key": "article-1"},
            **fields}  # fmt: skip
    assert api.send("post", "/subscriptions", body).status_code == 202
    outbox.deliver_due()
    found = re.search(r"https://parvis\.test(/notifications/confirm/\S+)", text_of(smtp.messages[-1]))
    assert found
    assert client.post(found.group(1)).status_code == 200


def post(api: ApiClient, body: str, **fields: Any) -> int:
    answer = api.post_comment(body, **fields)
    assert answer.status_code == 201, answer.content
    return int(answer.json()["comment"]["id"])


@pytest.fixture
def daily_alice(api: ApiClient, client: Client, smtp: SmtpServer) -> int:
    """Alice commented, and follows that thread and the replies to her comments once a day."""
    mine = post(api, "Mon avis sur la réforme.", author={"name": "Alice", "email": ALICE})
    subscribe_daily(api, client, smtp)
    subscribe_daily(api, client, smtp, kind="replies", thread=None)
    assert Subscription.objects.filter(frequency=Frequency.DAILY, confirmed_at__isnull=False).count() == 2
    return mine


def test_a_daily_subscriber_gets_one_digest_with_both_subscriptions_and_only_approved_comments(
    api: ApiClient, smtp: SmtpServer, daily_alice: int
) -> None:
    post(api, "Je réponds à Alice.", name="Bob", parent=daily_alice)
    post(api, "Un autre avis.", name="Carol")
    removed = post(api, "Un avis bientôt retiré.", name="Dan")
    set_status(Comment.objects.get(pk=removed), Status.REJECTED)
    assert outbox.deliver_due().sent == 0  # nothing instant for a daily subscriber
    assert digests.write_due(tomorrow_morning()) == 1
    assert digests.write_due(tomorrow_morning() + timedelta(hours=3)) == 0  # once a day
    assert outbox.deliver_due().sent == 1
    message = smtp.messages[-1]
    assert "daily digest" in str(message["Subject"]) and "3 comments" in str(message["Subject"])
    text = text_of(message)
    assert "Replies to your comments" in text and "New comments on" in text
    assert "Je réponds à Alice." in text and "Un autre avis." in text
    assert "bientôt retiré" not in text and "Mon avis sur la réforme." not in text  # nor Alice's own


def test_the_digest_carries_one_click_unsubscribe_that_ends_every_daily_subscription_it_covers(
    api: ApiClient, smtp: SmtpServer, daily_alice: int
) -> None:
    post(api, "Je réponds à Alice.", name="Bob", parent=daily_alice)
    digests.write_due(tomorrow_morning())
    outbox.deliver_due()
    message = smtp.messages[-1]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(message["List-Unsubscribe"]).strip("<>")
    assert header.startswith("https://parvis.test/notifications/unsubscribe/")
    assert header in text_of(message)  # the plain link in the footer is the same one
    answer = Client(enforce_csrf_checks=True).post(
        urlsplit(header).path + "?" + urlsplit(header).query, "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert answer.status_code == 200
    assert not Subscription.objects.exists()
    post(api, "Encore une réponse.", name="Dan", parent=daily_alice)
    assert digests.write_due(tomorrow_morning() + timedelta(days=1)) == 0


def test_the_digest_unsubscribe_leaves_the_instant_subscriptions_of_the_address(
    api: ApiClient, client: Client, smtp: SmtpServer, daily_alice: int
) -> None:
    subscribe_daily(api, client, smtp, frequency="instant", thread={"key": "article-2"})
    post(api, "Je réponds à Alice.", name="Bob", parent=daily_alice)
    digests.write_due(tomorrow_morning())
    outbox.deliver_due()
    header = str(smtp.messages[-1]["List-Unsubscribe"]).strip("<>")
    assert Client().post(urlsplit(header).path, "List-Unsubscribe=One-Click",
                         content_type="application/x-www-form-urlencoded").status_code == 200  # fmt: skip
    assert list(Subscription.objects.values_list("frequency", flat=True)) == [Frequency.INSTANT]


def test_a_day_without_new_approved_comments_sends_no_digest(
    api: ApiClient, smtp: SmtpServer, daily_alice: int
) -> None:
    removed = post(api, "Un avis bientôt retiré.", name="Dan")
    set_status(Comment.objects.get(pk=removed), Status.SPAM)
    digests.write_due(tomorrow_morning())
    result = outbox.deliver_due()
    assert (result.sent, result.dropped) == (0, 1)
