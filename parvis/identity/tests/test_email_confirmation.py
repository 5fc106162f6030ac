"""Guests proving their email: a first comment waiting for the proof when the site asks for it, and the verified
badge a guest can ask for. The links arrive through a real SMTP server and are confirmed on their page."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import ORIGIN, ApiClient
from parvis.accounts.models import Commenter
from parvis.comments.models import Comment, Status
from parvis.core.models import Site
from parvis.identity.models import EmailLink, Identity, Provider, SignInSettings
from parvis.moderation.actions import moderate
from parvis.moderation.models import Action
from parvis.moderation.outcome import outcomes
from parvis.notifications import outbox
from parvis.threads.models import Thread
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

LEA = "lea@example.org"


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def link_in(message: EmailMessage) -> str:
    found = re.search(r"https://parvis\.test(/auth/\w+/email/[0-9a-f]+)\?lang=\w+", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def confirm_first(site: Site) -> None:
    SignInSettings.objects.create(site=site, confirm_first_comment=True)


def post(api: ApiClient, body: str, email: str = LEA, name: str = "Léa", **fields: Any) -> Any:
    answer = api.post_comment(body, author={"name": name, "email": email}, **fields)
    assert answer.status_code == 201, answer.content
    return answer.json()["comment"]


def visible(api: ApiClient) -> list[str]:
    return [comment["html"] for comment in api.thread().json()["comments"]]


def mail_for(smtp: SmtpServer, address: str) -> list[EmailMessage]:
    outbox.deliver_due()
    return [message for message in smtp.messages if message["To"] == address]


def test_a_guests_first_comment_waits_for_their_email_then_is_published(
    api: ApiClient, client: Client, site: Site, smtp: SmtpServer
) -> None:
    confirm_first(site)
    # Another reader watches the thread: they hear of the comment only once it is published.
    watch = {"email": "bob@example.org", "kind": "thread", "language": "en",
             "thread": {"key": "article-1", "url": f"{ORIGIN}/article-1"}}  # fmt: skip
    assert api.send("post", "/subscriptions", watch).status_code == 202
    [confirmation] = mail_for(smtp, "bob@example.org")
    subscribe_link = re.search(r"https://parvis\.test(/notifications/confirm/[^/\s]+/)", text_of(confirmation))
    assert subscribe_link and client.post(subscribe_link.group(1)).status_code == 200

    comment = post(api, "Mon premier commentaire ici.")
    assert comment["status"] == "pending"
    assert comment["moderation"]["action"] == "hold"
    assert [reason["code"] for reason in comment["moderation"]["reasons"]] == ["email_unconfirmed"]
    assert visible(api) == []
    assert Thread.objects.get().comment_count == 0
    [mail] = mail_for(smtp, LEA)
    assert "Mon premier commentaire ici." in text_of(mail)
    assert "publier votre commentaire" in str(mail["Subject"])  # the site's language
    assert len(mail_for(smtp, "bob@example.org")) == 1  # only the subscription's confirmation

    path = link_in(mail)
    assert client.get(path).status_code == 200
    assert visible(api) == []  # opening the page confirms nothing
    page = client.post(path)
    assert page.status_code == 200
    assert "Votre commentaire est publié." in page.content.decode()
    [shown] = api.thread().json()["comments"]
    assert shown["id"] == comment["id"] and shown["author"]["verified"] is True
    assert Thread.objects.get().comment_count == 1
    author = Commenter.objects.get(comments__pk=comment["id"])
    assert Identity.objects.get(provider=Provider.EMAIL, subject=LEA).commenter_id == author.pk
    news = mail_for(smtp, "bob@example.org")
    assert len(news) == 2 and "Mon premier commentaire ici." in text_of(news[-1])


def test_a_comment_the_policy_holds_still_waits_for_moderators_after_the_proof(
    api_for: Any, client: Client, premod_site: Site, smtp: SmtpServer
) -> None:
    confirm_first(premod_site)
    api = api_for(premod_site)
    comment = post(api, "Un avis à modérer.")
    assert [reason["code"] for reason in comment["moderation"]["reasons"]] == ["email_unconfirmed"]
    [mail] = mail_for(smtp, LEA)
    assert "Votre commentaire attend les modérateurs." in client.post(link_in(mail)).content.decode()
    assert Comment.objects.get().status == Status.PENDING
    assert visible(api) == []
    [told] = outcomes([Comment.objects.select_related("thread__site").get()]).values()
    assert [reason["code"] for reason in told["reasons"]] == ["premoderation"]


def test_without_the_site_rule_a_guest_comment_is_published_at_once_and_no_email_is_sent(
    api: ApiClient, smtp: SmtpServer
) -> None:
    comment = post(api, "Publié tout de suite.")
    assert comment["status"] == "approved"
    assert mail_for(smtp, LEA) == []


def test_a_guest_without_an_email_is_not_held(api: ApiClient, site: Site) -> None:
    confirm_first(site)
    assert post(api, "Sans adresse.", email="")["status"] == "approved"


def test_a_guest_asks_for_the_verified_badge_and_their_earlier_comments_join_them_after_the_proof(
    api: ApiClient, client: Client, site: Site, smtp: SmtpServer
) -> None:
    earlier = post(api, "Un ancien commentaire.", name="Léa M.")
    stranger = post(api, "Une autre adresse.", name="Léa", email="other@example.org")
    comment = post(api, "Je veux être vérifiée.", verify_email=True)
    assert comment["status"] == "approved"  # the badge was asked for; the comment does not wait
    # Only the proof groups: the same address typed twice is two unverified guests until then.
    assert Commenter.objects.filter(email=LEA, verified=False).count() == 2
    [mail] = mail_for(smtp, LEA)
    assert "vérifiés" in text_of(mail)
    assert "Votre adresse est confirmée" in client.post(link_in(mail)).content.decode()
    owner = Commenter.objects.get(pk=Comment.objects.get(pk=comment["id"]).commenter_id)
    assert owner.verified
    assert set(owner.comments.values_list("pk", flat=True)) == {earlier["id"], comment["id"]}
    authors = {shown["id"]: shown["author"]["verified"] for shown in api.thread().json()["comments"]}
    assert authors == {earlier["id"]: True, stranger["id"]: False, comment["id"]: True}


def test_a_signed_in_reader_is_never_held_for_an_email(
    api: ApiClient, client: Client, site: Site, smtp: SmtpServer
) -> None:
    confirm_first(site)
    request = api.send("post", "/auth/email", {"email": LEA}).json()["request"]
    client.post(link_in(mail_for(smtp, LEA)[-1]))
    token = api.send("post", "/auth/email/poll", {"request": request}).json()["token"]
    answer = api.post_comment("Connectée.", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201 and answer.json()["comment"]["status"] == "approved"


def test_the_author_who_confirms_is_signed_in_and_not_held_again(
    api: ApiClient, client: Client, site: Site, smtp: SmtpServer
) -> None:
    """The answer to the post carries the confirmation's polling secret: the author's widget polls with it and is
    signed in (by email) once they click, so their next comment is not held again; nobody else gets a session."""
    confirm_first(site)
    answer = api.post_comment("Attente.", author={"name": "Léa", "email": LEA})
    request = answer.json()["confirmation"]["request"]
    assert api.send("post", "/auth/email/poll", {"request": request}).status_code == 202
    assert api.send("post", "/auth/email/poll", {"request": "x" * 43}).status_code == 403
    [mail] = mail_for(smtp, LEA)
    client.post(link_in(mail))
    session = api.send("post", "/auth/email/poll", {"request": request})
    assert session.status_code == 200
    headers = {"Authorization": f"Bearer {session.json()['token']}"}
    again = api.post_comment("Deuxième, publié tout de suite.", headers=headers)
    assert again.json()["comment"]["status"] == "approved"
    assert again.json()["confirmation"] is None
    assert visible(api) == ['<p dir="auto">Attente.</p>', '<p dir="auto">Deuxième, publié tout de suite.</p>']
    assert api.send("post", "/auth/email/poll", {"request": request}).json()["code"] == "link_used"


def test_a_moderator_decision_before_the_proof_is_not_undone_by_it(
    api: ApiClient, client: Client, site: Site, smtp: SmtpServer
) -> None:
    confirm_first(site)
    comment = post(api, "Rejeté entre-temps.")
    moderate(Comment.objects.get(pk=comment["id"]), Action.REJECT)
    # The email still goes (it proves the address); confirming publishes nothing.
    [mail] = mail_for(smtp, LEA)
    client.post(link_in(mail))
    assert Comment.objects.get().status == Status.REJECTED
    assert visible(api) == []


def test_a_comment_whose_link_expired_is_released_by_the_next_proof(
    api: ApiClient, client: Client, site: Site, smtp: SmtpServer
) -> None:
    confirm_first(site)
    first = post(api, "Le premier, dont le lien a expiré.")
    EmailLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert outbox.deliver_due().dropped == 1  # the email that waited past its link is not sent
    second = post(api, "Le second.")
    [mail] = mail_for(smtp, LEA)
    client.post(link_in(mail))
    assert {comment["id"] for comment in api.thread().json()["comments"]} == {first["id"], second["id"]}


def test_signing_in_by_email_releases_the_comments_held_for_that_address(
    api: ApiClient, client: Client, site: Site, smtp: SmtpServer
) -> None:
    confirm_first(site)
    held = post(api, "En attente de mon adresse.")
    request = api.send("post", "/auth/email", {"email": LEA, "language": "en"}).json()["request"]
    sign_in_mail = [mail for mail in mail_for(smtp, LEA) if "sign-in" in str(mail["Subject"])]
    client.post(link_in(sign_in_mail[-1]))
    reader = api.send("post", "/auth/email/poll", {"request": request}).json()["reader"]
    [shown] = api.thread().json()["comments"]
    assert shown["id"] == held["id"] and shown["author"]["profile"] == reader["id"]
