"""The demo's capture SMTP server and its mailbox page: what the outbox sends lands there and can be read, and
an email's HTML (which anything on the machine can send) is only ever shown sandboxed, where no script runs."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from conftest import ApiClient
from parvis.notifications import capture, outbox
from tests.servers import HOST, free_port

pytestmark = pytest.mark.django_db

HOSTILE = '<p>Bonjour</p><script>document.title="pwned"</script><img src="x" onerror="alert(1)">'


@pytest.fixture
def mailcapture(settings: Any, tmp_path: Path) -> Iterator[int]:
    """The capture server `parvis mailcapture` runs (its real handler), writing into a folder of this test."""
    controller = Controller(capture.Handler(tmp_path), hostname=HOST, port=free_port(), enable_SMTPUTF8=True)
    controller.start()
    settings.PARVIS_EMAIL_CAPTURE_DIR = str(tmp_path)
    settings.PARVIS_EMAIL_HOST, settings.PARVIS_EMAIL_PORT = HOST, controller.port
    settings.PARVIS_EMAIL_FROM = "Parvis <notifications@parvis.test>"
    settings.PUBLIC_URL = "https://parvis.test"
    try:
        yield controller.port
    finally:
        controller.stop()


def send_hostile(port: int) -> None:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = "Hostile", "x@example.org", "y@example.org"
    message.set_content("plain text")
    message.add_alternative(HOSTILE, subtype="html")
    with smtplib.SMTP(HOST, port) as client:
        client.send_message(message)


def test_an_email_the_outbox_sends_appears_in_the_mailbox_with_its_text_and_html(
    api: ApiClient, client: Client, mailcapture: int
) -> None:
    body = {"email": "élodie@bücher.example", "kind": "thread", "thread": {"key": "article-1"}, "language": "he"}
    assert api.send("post", "/subscriptions", body).status_code == 202
    assert outbox.deliver_due().sent == 1
    page = client.get("/notifications/mailbox/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "News Example" in text and "élodie@xn--bcher-kva.example" in text
    assert "https://parvis.test/notifications/confirm/" in text  # the plain-text part, links clickable
    frame = re.search(r'<iframe class="parvis-mail-html" sandbox src="([^"]+)"', text)
    assert frame, text
    html = client.get(frame.group(1))
    assert html.status_code == 200
    assert '<html lang="he" dir="rtl">' in html.content.decode()
    assert "sandbox" in html["Content-Security-Policy"].split(";")[0]


def test_a_hostile_email_html_is_never_part_of_the_page_and_is_served_sandboxed_without_scripts(
    client: Client, mailcapture: int
) -> None:
    send_hostile(mailcapture)
    page = client.get("/notifications/mailbox/")
    text = page.content.decode()
    assert "Hostile" in text
    assert "<script>document.title" not in text and "onerror" not in text
    iframe = re.search(r"<iframe[^>]*>", text)
    assert iframe and " sandbox " in iframe.group(0) and "allow-scripts" not in iframe.group(0)
    assert "'unsafe-inline'" not in page["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    source = re.search(r'src="([^"]+)"', iframe.group(0))
    assert source
    html = client.get(source.group(1))
    policy = [part.strip() for part in html["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert not any(part.startswith("script-src") for part in policy)  # default-src 'none' applies to scripts


@pytest.mark.parametrize("name", ["..%2Fsecret", "nothing-here-1", "1-2-3"])
def test_only_captured_files_can_be_read(client: Client, mailcapture: int, tmp_path: Path, name: str) -> None:
    (tmp_path.parent / "secret.eml").write_text("Subject: secret\n\nsecret")
    assert client.get(f"/notifications/mailbox/{name}.html").status_code == 404


def test_without_a_capture_folder_there_is_no_mailbox(client: Client, settings: Any) -> None:
    settings.PARVIS_EMAIL_CAPTURE_DIR = ""
    assert client.get("/notifications/mailbox/").status_code == 404
    assert client.get("/notifications/mailbox/1-2-3.html").status_code == 404
