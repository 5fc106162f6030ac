"""Signing in by email: the link arrives through a real SMTP server, its page confirms on a POST only, and the app
polling with its request secret gets one session, on whatever device the link was clicked."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import ApiClient
from parvis.accounts.models import Commenter
from parvis.core.models import Site
from parvis.identity import accounts
from parvis.identity.models import EmailLink, Identity, Provider, SignInSettings
from parvis.notifications import outbox
from parvis.privacy.actions import erase
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

ALICE = "Alice.Martin@Example.org"
# As stored and mailed: the domain lower-cased, the local part kept.
ALICE_MAILED = "Alice.Martin@example.org"


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def link_in(message: EmailMessage, site: str = "news") -> tuple[str, str]:
    """The path of the link page in the email and the language it opens in."""
    found = re.search(rf"https://parvis\.test(/auth/{site}/email/[0-9a-f]+)\?lang=(\w+)", text_of(message))
    assert found, text_of(message)
    return found.group(1), found.group(2)


def ask(api: ApiClient, email: str = ALICE, language: str = "en") -> Any:
    return api.send("post", "/auth/email", {"email": email, "language": language})


def poll(api: ApiClient, request: str) -> Any:
    return api.send("post", "/auth/email/poll", {"request": request})


def delivered(smtp: SmtpServer) -> EmailMessage:
    outbox.deliver_due()
    return smtp.messages[-1]


def test_a_reader_signs_in_with_the_link_mailed_to_them_and_gets_one_session(
    api: ApiClient, client: Client, smtp: SmtpServer
) -> None:
    answer = ask(api, language="he")
    assert answer.status_code == 202, answer.content
    request = answer.json()["request"]
    assert set(answer.json()) == {"request", "expires_at"}
    message = delivered(smtp)
    assert message["To"] == ALICE_MAILED
    assert message["Content-Language"] == "he"
    path, language = link_in(message)
    assert language == "he"
    assert 'dir="rtl"' in message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    # Nothing clicked yet: the app waits.
    assert poll(api, request).status_code == 202
    assert poll(api, request).json() == {"state": "waiting"}
    page = client.get(f"{path}?lang=he")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.content.decode() and '<form method="post">' in page.content.decode()
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "no-referrer"
    # Opening the page (a mail scanner does) signs nobody in.
    assert poll(api, request).status_code == 202
    done = client.post(f"{path}?lang=en")
    assert done.status_code == 200
    assert "You are signed in — go back to the article." in done.content.decode()
    session = poll(api, request)
    assert session.status_code == 200, session.content
    token = session.json()["token"]
    assert session.json()["reader"]["verified"] is True
    me = api.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["id"] == session.json()["reader"]["id"]
    again = poll(api, request)
    assert again.status_code == 410
    assert again["Content-Type"] == "application/problem+json"
    assert again.json()["code"] == "link_used"
    # A second click on the link says it is done, and gives no second session.
    assert client.post(path).status_code == 200
    assert poll(api, request).json()["code"] == "link_used"


def test_only_hashes_of_the_secrets_are_stored(api: ApiClient, smtp: SmtpServer) -> None:
    request = ask(api).json()["request"]
    path, _ = link_in(delivered(smtp))
    token = path.rsplit("/", 1)[1]
    link = EmailLink.objects.get()
    stored = " ".join(str(value) for value in EmailLink.objects.values().get().values())
    assert request not in stored and token not in stored
    assert link.request_secret_hash != link.link_token_hash


def test_the_email_speaks_the_language_asked_and_the_site_language_otherwise(api: ApiClient, smtp: SmtpServer) -> None:
    ask(api, language="ar")
    assert link_in(delivered(smtp))[1] == "ar"
    ask(api, email="bob@example.org", language="xx")
    assert link_in(delivered(smtp))[1] == "fr"  # the site's own language


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(
    api: ApiClient, site: Site, smtp: SmtpServer
) -> None:
    accounts.sign_in(site, Provider.EMAIL, ALICE.lower(), accounts.Claims(email=ALICE))
    known, unknown = ask(api), ask(api, email="nobody@example.org")
    assert known.status_code == unknown.status_code == 202
    assert set(known.json()) == set(unknown.json())
    outbox.deliver_due()
    assert sorted(message["To"] for message in smtp.messages) == sorted([ALICE_MAILED, "nobody@example.org"])


def test_an_expired_link_neither_signs_in_nor_confirms(api: ApiClient, client: Client, smtp: SmtpServer) -> None:
    request = ask(api).json()["request"]
    path, _ = link_in(delivered(smtp))
    EmailLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.post(path)
    assert page.status_code == 410
    assert "This link has expired." in page.content.decode()
    answer = poll(api, request)
    assert answer.status_code == 410 and answer.json()["code"] == "link_expired"


def test_an_email_that_waited_past_its_link_is_not_sent(api: ApiClient, smtp: SmtpServer) -> None:
    ask(api)
    EmailLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert outbox.deliver_due().dropped == 1
    assert smtp.messages == []


def test_a_link_of_one_site_is_refused_on_another(
    api: ApiClient, api_for: Any, client: Client, site: Site, smtp: SmtpServer
) -> None:
    other = Site.objects.create(slug="other", name="Other", allowed_origins=["https://news.example"])
    request = ask(api).json()["request"]
    path, _ = link_in(delivered(smtp))
    foreign = path.replace("/auth/news/", "/auth/other/")
    assert client.post(foreign).status_code == 403
    refused = api_for(other).send("post", "/auth/email/poll", {"request": request})
    assert refused.status_code == 403 and refused.json()["code"] == "link_other_site"
    # Still unconfirmed on its own site.
    assert poll(api, request).status_code == 202


def test_an_unknown_request_or_token_is_invalid(api: ApiClient, client: Client) -> None:
    answer = poll(api, "not-a-request")
    assert answer.status_code == 403 and answer.json()["code"] == "link_invalid"
    assert client.get("/auth/news/email/" + "0" * 64).status_code == 403


def test_a_site_without_email_sign_in_refuses_and_mails_nothing(api: ApiClient, site: Site, smtp: SmtpServer) -> None:
    SignInSettings.objects.create(site=site, email_sign_in=False)
    answer = ask(api)
    assert answer.status_code == 409 and answer.json()["code"] == "sign_in_unavailable"
    outbox.deliver_due()
    assert smtp.messages == []


def test_a_bad_address_is_a_named_422(api: ApiClient) -> None:
    answer = ask(api, email="not an address")
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_email"


def test_links_are_rate_limited_per_address_and_per_ip(api: ApiClient, settings: Any, smtp: SmtpServer) -> None:
    settings.PARVIS_RATELIMIT_EMAIL_LINK_ADDRESS = "2/3600"
    settings.PARVIS_RATELIMIT_EMAIL_LINK_IP = "4/3600"
    assert [ask(api).status_code for _ in range(3)] == [202, 202, 429]
    limited = ask(api)
    assert limited["Content-Type"] == "application/problem+json"
    assert limited.json()["code"] == "rate_limited" and int(limited["Retry-After"]) > 0
    # Other addresses from the same IP: the IP's budget (4, the refused ones counted too) is spent.
    assert ask(api, email="bob@example.org").status_code == 429
    outbox.deliver_due()
    assert len(smtp.messages) == 2


def test_signing_in_by_email_cannot_take_over_a_publisher_account_claiming_the_address(
    api: ApiClient, client: Client, site: Site, smtp: SmtpServer
) -> None:
    publisher_user, _ = accounts.sign_in(site, Provider.SSO, "user-7", accounts.Claims(name="Alice M", email=ALICE))
    request = ask(api).json()["request"]
    path, _ = link_in(delivered(smtp))
    client.post(path)
    session = poll(api, request).json()
    assert session["reader"]["id"] != publisher_user.pk
    assert Identity.objects.get(provider=Provider.EMAIL).subject == ALICE.lower()
    assert Identity.objects.get(provider=Provider.SSO).commenter_id == publisher_user.pk
    assert Commenter.objects.get(pk=publisher_user.pk).name == "Alice M"


def test_signing_in_twice_by_email_is_the_same_reader(api: ApiClient, client: Client, smtp: SmtpServer) -> None:
    readers = []
    for address in (ALICE, ALICE.lower()):
        request = ask(api, email=address).json()["request"]
        client.post(link_in(delivered(smtp))[0])
        readers.append(poll(api, request).json()["reader"]["id"])
    assert readers[0] == readers[1]


def test_a_client_without_an_origin_header_can_ask_as_the_readme_shows(api_for: Any, site: Site) -> None:
    answer = api_for(site, None).send("post", "/auth/email", {"email": "lea@example.org", "language": "fr"})
    assert answer.status_code == 202
    assert poll(api_for(site, None), answer.json()["request"]).json() == {"state": "waiting"}


def sign_in_by_email(api: ApiClient, client: Client, smtp: SmtpServer, email: str = ALICE) -> dict[str, Any]:
    request = ask(api, email=email).json()["request"]
    client.post(link_in(delivered(smtp))[0])
    session: dict[str, Any] = poll(api, request).json()
    return session


def test_a_new_reader_is_not_named_after_their_private_address(
    api: ApiClient, client: Client, smtp: SmtpServer
) -> None:
    reader = sign_in_by_email(api, client, smtp)["reader"]
    assert reader["name"] == "Reader" and "Alice" not in reader["name"]


def test_a_guest_who_signs_in_by_email_keeps_the_name_they_commented_under(
    api: ApiClient, client: Client, smtp: SmtpServer
) -> None:
    assert api.post_comment("Avant.", author={"name": "Alice M.", "email": ALICE}).status_code == 201
    reader = sign_in_by_email(api, client, smtp)["reader"]
    assert reader["name"] == "Alice M."
    [shown] = api.thread().json()["comments"]
    assert shown["author"]["profile"] == reader["id"] and shown["author"]["verified"] is True


def test_a_publisher_accounts_comments_never_join_the_email_reader(
    api: ApiClient, client: Client, site: Site, smtp: SmtpServer
) -> None:
    publisher_user, opened = accounts.sign_in(
        site, Provider.SSO, "user-7", accounts.Claims(name="Alice M", email=ALICE)
    )
    posted = api.post_comment("Par le journal.", headers={"Authorization": f"Bearer {opened.token}"})
    assert posted.status_code == 201
    reader = sign_in_by_email(api, client, smtp)["reader"]
    [shown] = api.thread().json()["comments"]
    assert shown["author"]["profile"] == publisher_user.pk != reader["id"]


def test_erasing_an_address_deletes_its_links(api: ApiClient, site: Site, smtp: SmtpServer) -> None:
    ask(api)
    erase(site, ALICE_MAILED, label="reader", via="link")
    assert not EmailLink.objects.exists()
