"""What the emails look like to the reader who gets them: headers, languages, the site's name and colour, and the
links back, delivered to a real SMTP server (aiosmtpd on 127.0.0.1) and read back from the bytes it received."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from conftest import ApiClient
from parvis.core.models import Site
from parvis.notifications import outbox
from parvis.notifications.models import SiteEmailSettings, Subscription
from parvis.threads.models import Thread
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db

ALICE = "alice@example.org"


def subscribe(api: ApiClient, email: str = ALICE, **fields: Any) -> Any:
    body = {"email": email, "kind": "thread", "thread": {"key": "article-1", "url": "https://news.example/article-1"}}
    body.update(fields)
    answer = api.send("post", "/subscriptions", body)
    assert answer.status_code == 202, answer.content
    return answer


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()  # type: ignore[union-attr]


def links(message: EmailMessage) -> list[str]:
    return re.findall(r"https://parvis\.test/notifications/[^\s\"<>]+", text_of(message) + html_of(message))


def confirm_last(client: Client, smtp: SmtpServer) -> None:
    outbox.deliver_due()
    found = re.search(r"https://parvis\.test(/notifications/confirm/[^\s]+)", text_of(smtp.messages[-1]))
    assert found
    assert client.post(found.group(1)).status_code == 200


@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("en", "ltr"), ("he", "rtl"), ("ar", "rtl")])
def test_an_email_states_its_language_and_reads_right_to_left_in_hebrew_and_arabic(
    api: ApiClient, smtp: SmtpServer, language: str, direction: str
) -> None:
    subscribe(api, language=language)
    outbox.deliver_due()
    [message] = smtp.messages
    assert message["Content-Language"] == language
    html = html_of(message)
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert f'<body dir="{direction}"' in html
    assert "News Example" in html and "News Example" in text_of(message)


@pytest.mark.parametrize("language", ["fr", "en", "he", "ar"])
def test_every_link_in_an_email_opens_its_page_in_the_email_language(
    api: ApiClient, client: Client, smtp: SmtpServer, language: str
) -> None:
    subscribe(api, language=language)
    confirm_last(client, smtp)
    api.post_comment("Un premier avis sur l'article.", name="Bob")
    outbox.deliver_due()
    [confirmation, thread] = smtp.messages
    found = links(confirmation) + links(thread) + [str(thread["List-Unsubscribe"]).strip("<>")]
    assert {urlsplit(url).path.split("/")[2] for url in found} == {"confirm", "unsubscribe", "manage"}
    for url in found:
        assert parse_qs(urlsplit(url).query)["lang"] == [language], url
    manage = next(url for url in found if "/manage/" in url)
    page = client.get(urlsplit(manage).path + "?" + urlsplit(manage).query).content.decode()
    assert f'<html lang="{language}"' in page


@pytest.mark.parametrize(
    "name",
    ["Le Quotidien, édition du soir", 'The "Daily" Planet', "Ha'aretz <news>", "صحيفة الأيام", "A\r\nBcc: x@y.org"],
)
def test_the_site_name_in_the_from_header_is_quoted_so_the_sender_stays_one_address(
    api: ApiClient, site: Site, smtp: SmtpServer, name: str
) -> None:
    Site.objects.filter(pk=site.pk).update(name=name)
    subscribe(api)
    outbox.deliver_due()
    [received] = smtp.received
    sender = received.message["From"]
    assert len(sender.addresses) == 1
    assert sender.addresses[0].addr_spec == "notifications@parvis.test"
    assert sender.addresses[0].display_name == " ".join(name.split())
    assert received.message["Bcc"] is None and b"\nBcc:" not in received.raw.split(b"\r\n\r\n", 1)[0]
    assert received.sender == "notifications@parvis.test"


def test_a_title_with_line_breaks_cannot_add_headers(api: ApiClient, client: Client, smtp: SmtpServer) -> None:
    subscribe(api)
    confirm_last(client, smtp)
    # An importer or an old row may hold anything; the subject is made one line whatever the title says.
    Thread.objects.update(title="Réforme\r\nBcc: victim@example.org\nX-Evil: 1")
    api.post_comment("Un avis.", name="Bob")
    outbox.deliver_due()
    received = smtp.received[-1]
    assert received.message["Bcc"] is None and received.message["X-Evil"] is None
    headers = received.raw.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in headers and b"\nX-Evil" not in headers
    assert "Réforme Bcc: victim@example.org X-Evil: 1" in str(received.message["Subject"])


def test_emails_wear_the_site_colour_and_carry_both_html_and_text(
    api: ApiClient, client: Client, site: Site, smtp: SmtpServer
) -> None:
    SiteEmailSettings.objects.create(site=site, accent_colour="#b5123e")
    subscribe(api)
    confirm_last(client, smtp)
    api.post_comment("Un **avis** argumenté.", name="Bob")
    outbox.deliver_due()
    message = smtp.messages[-1]
    assert message.get_content_type() == "multipart/alternative"
    assert "#b5123e" in html_of(message) and "<strong>avis</strong>" in html_of(message)
    assert "Un **avis** argumenté." in text_of(message) and "<" not in text_of(message).replace("<https", "")
    # The footer names the address and offers a plain unsubscribe link besides the header.
    assert ALICE in text_of(message) and "/notifications/unsubscribe/" in text_of(message)
    assert "/notifications/unsubscribe/" in html_of(message)


def test_a_tampered_link_shows_a_clear_page_in_the_email_language_and_removes_nothing(
    api: ApiClient, client: Client, smtp: SmtpServer
) -> None:
    subscribe(api, language="he")
    confirm_last(client, smtp)
    api.post_comment("Un premier avis.", name="Bob")
    outbox.deliver_due()
    for url in links(smtp.messages[-1]):
        parts = urlsplit(url)
        token = parts.path.split("/")[3]
        tampered = parts.path.replace(token, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
        for method in ("get", "post"):
            answer = getattr(client, method)(
                f"{tampered}?{parts.query}", {"subscription": "1"} if method == "post" else {}
            )
            page = answer.content.decode()
            assert answer.status_code == 400, (url, method)
            assert '<html lang="he" dir="rtl">' in page and "token_invalid" in page
    assert Subscription.objects.filter(email=ALICE, confirmed_at__isnull=False).count() == 1
