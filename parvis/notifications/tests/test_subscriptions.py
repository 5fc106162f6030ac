"""Subscribe, confirm, get notified, leave: through the API and the pages, delivered to a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from conftest import ApiClient
from parvis.comments.models import Comment, Status
from parvis.moderation.actions import set_status
from parvis.moderation.models import AuditEntry
from parvis.notifications import outbox, tokens
from parvis.notifications.models import OutboxMessage, OutboxStatus, Subscription
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

ALICE = "alice@example.org"


def subscribe(api: ApiClient, email: str = ALICE, **fields: Any) -> Any:
    # In English: the assertions read the English text (the site's own language, French, is translated).
    body = {"email": email, "kind": "thread", "language": "en",
            "thread": {"key": "article-1", "url": "https://news.example/article-1"}}  # fmt: skip
    body.update(fields)
    return api.send("post", "/subscriptions", body)


def link(message: EmailMessage, name: str) -> str:
    """The path of the first https://parvis.test/notifications/<name>/... link in the plain-text part."""
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(rf"https://parvis\.test(/notifications/{name}/[^/\s]+/)", text)
    assert found, text
    return found.group(1)


def confirm(client: Client, smtp: SmtpServer, index: int = -1) -> None:
    outbox.deliver_due()
    path = link(smtp.messages[index], "confirm")
    assert client.get(path).status_code == 200
    answer = client.post(path)
    assert answer.status_code == 200
    assert "Subscription confirmed" in answer.content.decode()


def post(api: ApiClient, body: str, **fields: Any) -> int:
    answer = api.post_comment(body, **fields)
    assert answer.status_code == 201, answer.content
    return int(answer.json()["comment"]["id"])


def test_only_the_confirmation_goes_to_an_unconfirmed_address(api: ApiClient, smtp: SmtpServer) -> None:
    answer = subscribe(api)
    assert answer.status_code == 202
    assert answer.json()["status"] == "confirmation_sent"
    post(api, "Premier commentaire après l'abonnement.", name="Bob")
    result = outbox.deliver_due()
    assert result.sent == 1
    [message] = smtp.messages
    assert "Confirm" in str(message["Subject"])
    assert message["To"] == ALICE
    assert message["List-Unsubscribe"] is None
    assert message.get_body(("html",)) is not None


def test_the_same_answer_whoever_asks_and_a_confirmed_address_gets_no_second_confirmation(
    api: ApiClient, client: Client, smtp: SmtpServer
) -> None:
    subscribe(api)
    confirm(client, smtp)
    again = subscribe(api)
    assert again.status_code == 202 and again.json()["status"] == "confirmation_sent"
    outbox.deliver_due()
    assert len(smtp.messages) == 1


def test_thread_subscriber_gets_new_comments_in_one_email(api: ApiClient, client: Client, smtp: SmtpServer,
                                                          settings: Any) -> None:  # fmt: skip
    subscribe(api)
    confirm(client, smtp)
    settings.PARVIS_EMAIL_BATCH_SECONDS = 600
    for number in range(5):
        post(api, f"Commentaire numéro {number} sur le sujet.", name=f"Lecteur {number}")
    assert outbox.deliver_due().sent == 0  # the batch window is open
    waiting = OutboxMessage.objects.get(kind="thread")
    assert len(waiting.payload["comments"]) == 5
    OutboxMessage.objects.filter(pk=waiting.pk).update(send_after=timezone.now())
    assert outbox.deliver_due().sent == 1
    message = smtp.messages[-1]
    assert "5 new comments" in str(message["Subject"])
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert all(f"Commentaire numéro {number}" in text for number in range(5))


def test_a_comment_rejected_before_its_email_leaves_is_not_mailed(
    api: ApiClient, client: Client, smtp: SmtpServer, settings: Any
) -> None:
    subscribe(api)
    confirm(client, smtp)
    settings.PARVIS_EMAIL_BATCH_SECONDS = 600
    kept = post(api, "Un avis mesuré sur l'article.", name="Bob")
    removed = post(api, "Un message bientôt retiré.", name="Carol")
    set_status(Comment.objects.get(pk=removed), Status.REJECTED)
    OutboxMessage.objects.filter(kind="thread").update(send_after=timezone.now())
    outbox.deliver_due()
    text = smtp.messages[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Un avis mesuré" in text and "bientôt retiré" not in text
    assert Comment.objects.get(pk=kept).status == Status.APPROVED


def test_an_email_whose_comments_were_all_rejected_is_dropped(
    api: ApiClient, client: Client, smtp: SmtpServer, settings: Any
) -> None:
    subscribe(api)
    confirm(client, smtp)
    settings.PARVIS_EMAIL_BATCH_SECONDS = 600
    removed = post(api, "Un message bientôt retiré.", name="Carol")
    set_status(Comment.objects.get(pk=removed), Status.SPAM)
    OutboxMessage.objects.filter(kind="thread").update(send_after=timezone.now())
    assert outbox.deliver_due().dropped == 1
    assert len(smtp.messages) == 1  # the confirmation only


def test_a_comment_held_for_moderation_is_mailed_only_once_approved(
    api: ApiClient, client: Client, smtp: SmtpServer
) -> None:
    subscribe(api)
    confirm(client, smtp)
    comment_id = post(api, "Un commentaire qui attend.", name="Bob")
    comment = Comment.objects.get(pk=comment_id)
    # Pretend the moderation held it, then a moderator approves it.
    OutboxMessage.objects.filter(kind="thread").delete()
    Comment.objects.filter(pk=comment_id).update(status=Status.PENDING)
    comment.refresh_from_db()
    assert outbox.deliver_due().sent == 0
    set_status(comment, Status.APPROVED)
    assert outbox.deliver_due().sent == 1
    assert "Un commentaire qui attend" in smtp.messages[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_reply_notification_has_one_click_unsubscribe_headers(api: ApiClient, client: Client, smtp: SmtpServer) -> None:
    parent = post(api, "Mon avis sur l'article.", name="Alice", author={"name": "Alice", "email": ALICE})
    subscribe(api, kind="replies", thread=None)
    confirm(client, smtp)
    post(api, "Je ne suis pas d'accord.", author={"name": "Bob\r\nBcc: victim@example.org"}, parent=parent)
    assert outbox.deliver_due().sent == 1
    message = smtp.messages[-1]
    received = smtp.received[-1]
    assert received.recipients == [ALICE]
    assert "replied to your comment" in str(message["Subject"])
    assert message["Bcc"] is None and b"\r\nBcc:" not in received.raw
    unsubscribe_url = str(message["List-Unsubscribe"]).strip("<>")
    assert unsubscribe_url.startswith("https://parvis.test/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<[0-9a-f]{40}@parvis\.test>", str(message["Message-ID"]))
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Je ne suis pas d'accord." in text and unsubscribe_url in text

    # RFC 8058: the mail client POSTs List-Unsubscribe=One-Click, without cookies or CSRF token.
    strict = Client(enforce_csrf_checks=True)
    answer = strict.post(
        urlsplit(unsubscribe_url).path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200
    assert not Subscription.objects.exists()
    assert AuditEntry.objects.filter(action="subscription.unsubscribed").exists()
    post(api, "Encore une réponse.", name="Dan", parent=parent)
    assert outbox.deliver_due().sent == 0


def test_no_reply_email_for_answering_oneself(api: ApiClient, client: Client, smtp: SmtpServer) -> None:
    me = {"name": "Alice", "email": ALICE}
    parent = post(api, "Mon avis sur l'article.", author=me)
    subscribe(api, kind="replies", thread=None)
    confirm(client, smtp)
    post(api, "Et je complète mon propre avis.", author=me, parent=parent)
    assert outbox.deliver_due().sent == 0


def test_forged_foreign_and_expired_tokens_change_nothing(
    api: ApiClient, client: Client, smtp: SmtpServer, settings: Any
) -> None:
    subscribe(api)
    subscribe(api, email="bob@example.org")
    outbox.deliver_due()
    alice, bob = Subscription.objects.order_by("pk")
    path = link(smtp.messages[0], "confirm")
    token = path.split("/")[3]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(f"/notifications/confirm/{tampered}/").status_code == 400
    # A token made for Alice's address, pointed at Bob's subscription, fails its signature.
    forged = (
        tokens.confirm_token(alice.site_id, alice.address_key, bob.pk).rsplit(":", 1)[0] + ":" + token.rsplit(":", 1)[1]
    )
    assert client.post(f"/notifications/confirm/{forged}/").status_code == 400
    # A valid token of another purpose is refused too.
    unsubscribe = tokens.unsubscribe_token(alice.site_id, alice.address_key, alice.pk)
    assert client.post(f"/notifications/confirm/{unsubscribe}/").status_code == 400
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 400
    # Signed correctly, but for another address: no subscription matches, nothing happens.
    wrong = tokens.unsubscribe_token(bob.site_id, alice.address_key, bob.pk)
    assert client.post(f"/notifications/unsubscribe/{wrong}/").status_code == 200
    assert Subscription.objects.filter(pk=bob.pk).exists()
    settings.PARVIS_EMAIL_CONFIRM_DAYS = 1
    Subscription.objects.update(confirmed_at=None)
    with pytest.MonkeyPatch.context() as patch:
        later = timezone.now() + timedelta(days=2)
        patch.setattr("django.core.signing.time.time", lambda: later.timestamp())
        answer = client.post(path)
    assert answer.status_code == 400
    assert "expired" in answer.content.decode()
    assert not Subscription.objects.filter(confirmed_at__isnull=False).exists()


def test_manage_page_lists_every_subscription_of_the_address_and_removes_one(
    api: ApiClient, client: Client, smtp: SmtpServer
) -> None:
    subscribe(api)
    subscribe(api, thread={"key": "article-2", "url": "https://news.example/article-2", "title": "Deuxième"})
    subscribe(api, email="bob@example.org")
    outbox.deliver_due()
    alice = Subscription.objects.filter(email=ALICE).order_by("pk")
    token = tokens.manage_token(alice[0].site_id, alice[0].address_key)
    page = client.get(f"/notifications/manage/{token}/").content.decode()
    assert page.count('name="subscription"') == 2 and "Deuxième" in page
    bob = Subscription.objects.get(email="bob@example.org")
    client.post(f"/notifications/manage/{token}/", {"subscription": bob.pk})
    assert Subscription.objects.filter(pk=bob.pk).exists()  # not Alice's to remove
    client.post(f"/notifications/manage/{token}/", {"subscription": alice[0].pk})
    assert Subscription.objects.filter(email=ALICE).count() == 1
    assert client.post(f"/notifications/manage/{token}/", {"subscription": "x"}).status_code == 400


@pytest.mark.parametrize(
    ("address", "accepted"),
    [
        ("jean.dupont@exemple.fr", True),
        ("élodie@exemple.fr", True),
        ("δοκιμή@παράδειγμα.δοκιμή", True),
        ("user@bücher.example", True),
        ("no-at-sign.example", False),
        ("two@@example.org", False),
        ("a..b@example.org", False),
        ("name@localhost", False),
        ("name@127.0.0.1", False),
        ("name@exa mple.org", False),
        ("victim@example.org\r\nBcc: x@example.org", False),
        ("x" * 65 + "@example.org", False),
    ],
)
def test_addresses_valid_ones_accepted_the_rest_refused_clearly(
    api: ApiClient, smtp: SmtpServer, address: str, accepted: bool
) -> None:
    answer = subscribe(api, email=address)
    if accepted:
        assert answer.status_code == 202
    else:
        assert answer.status_code == 422
        assert answer.json()["code"] == "invalid_email"
        assert answer.json()["errors"][0]["field"] == "email"


def test_an_internationalised_address_is_delivered_with_smtputf8(api: ApiClient, smtp: SmtpServer) -> None:
    subscribe(api, email="élodie@bücher.example")
    outbox.deliver_due()
    [received] = smtp.received
    assert received.recipients == ["élodie@xn--bcher-kva.example"]


def test_subscription_floods_are_rate_limited(api: ApiClient, smtp: SmtpServer, settings: Any) -> None:
    settings.PARVIS_RATELIMIT_SUBSCRIBE_EMAIL = "3/3600"
    answers = [subscribe(api).status_code for _ in range(5)]
    assert answers == [202, 202, 202, 429, 429]
    settings.PARVIS_RATELIMIT_SUBSCRIBE_IP = "2/3600"
    api.client.defaults["REMOTE_ADDR"] = "192.0.2.9"
    answers = [subscribe(api, email=f"reader{number}@example.org").status_code for number in range(3)]
    assert answers == [202, 202, 429]
    outbox.deliver_due()
    assert len(smtp.messages) == 5


def test_a_recipient_rate_limit_delays_emails_and_drops_none(api: ApiClient, smtp: SmtpServer, settings: Any) -> None:
    settings.PARVIS_RATELIMIT_EMAIL_RECIPIENT = "2/3600"
    settings.PARVIS_RATELIMIT_SUBSCRIBE_EMAIL = "10/3600"
    for number in range(4):
        subscribe(api, thread={"key": f"article-{number}", "url": f"https://news.example/article-{number}"})
    result = outbox.deliver_due()
    assert (result.sent, result.deferred) == (2, 2)
    waiting = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
    assert waiting.count() == 2
    assert all(row.send_after > timezone.now() + timedelta(minutes=50) for row in waiting)


def test_bad_subscribe_input_is_a_named_4xx(api: ApiClient, smtp: SmtpServer) -> None:
    assert subscribe(api, kind="everything").status_code == 422
    assert subscribe(api, frequency="hourly").status_code == 422
    assert subscribe(api, thread={"url": "https://elsewhere.example/a"}).json()["code"] == "url_not_allowed"
    assert api.send("post", "/subscriptions", "{").status_code == 400
    assert api.send("post", "/subscriptions", {"email": ALICE, "thread": {"key": "a\x00b"}}).status_code in (400, 422)


def test_a_comment_rejected_after_its_email_left_sets_off_nothing_more_even_if_approved_again(
    api: ApiClient, client: Client, smtp: SmtpServer, settings: Any
) -> None:
    subscribe(api)
    confirm(client, smtp)
    settings.PARVIS_EMAIL_BATCH_SECONDS = 600
    first = post(api, "Un premier avis.", name="Bob")
    second = post(api, "Un second avis, bientôt retiré.", name="Carol")
    OutboxMessage.objects.filter(kind="thread").update(send_after=timezone.now())
    assert outbox.deliver_due().sent == 1
    comment = Comment.objects.get(pk=second)
    set_status(comment, Status.REJECTED)
    assert outbox.deliver_due().sent == 0
    set_status(comment, Status.APPROVED)  # a moderator changes their mind: it was mailed already
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(send_after=timezone.now())
    assert outbox.deliver_due().sent == 0
    assert len(smtp.messages) == 2 and Comment.objects.get(pk=first).status == Status.APPROVED


def test_a_signed_in_commenter_subscribes_by_account_without_a_confirmation_email(
    api: ApiClient, site: Any, smtp: SmtpServer
) -> None:
    from parvis.accounts.models import Commenter
    from parvis.core.exceptions import ProblemError
    from parvis.notifications import actions

    parent = post(api, "Mon avis sur l'article.", author={"name": "Alice", "email": ALICE})
    commenter = Commenter.objects.get(email=ALICE)
    wanted = actions.Request(email="ignored@example.org", kind="replies", language="he")
    with pytest.raises(ProblemError) as refused:  # an address nobody proved: the guest way, double opt-in
        actions.subscribe_account(commenter, wanted)
    assert refused.value.code == "email_required"
    Commenter.objects.filter(pk=commenter.pk).update(verified=True)  # what a sign-in provider would prove
    commenter.refresh_from_db()
    subscription = actions.subscribe_account(commenter, wanted)
    assert subscription.confirmed and subscription.email == ALICE
    assert AuditEntry.objects.filter(action="subscription.created", actor_label=f"commenter #{commenter.pk}").exists()
    post(api, "Je ne suis pas d'accord.", name="Bob", parent=parent)
    assert outbox.deliver_due().sent == 1
    [message] = smtp.messages  # the reply itself, no confirmation before it
    assert message["Content-Language"] == "he" and message["List-Unsubscribe"] is not None
    assert "Je ne suis pas d'accord." in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
