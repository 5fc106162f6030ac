"""Signing in by email end to end: a real `parvis serve` (its task worker sends the email) and a real SMTP server;
the link is opened on another device (a second HTTP client, with its own cookies) while the app polls."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import ParvisServer
from tests.smtp import SmtpServer
from tests.test_notifications_worker import mail_env

pytestmark = pytest.mark.server

SITE = "mail"
ORIGIN = "https://news.example"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


def test_a_link_clicked_on_another_device_signs_in_the_app_that_polls(
    tmp_path: Path, migrated: Path, smtp: SmtpServer
) -> None:
    with ParvisServer(tmp_path / "data", env=mail_env(smtp.port)) as server:
        server.copy_database(migrated)
        server.cli("site", "create", SITE, "--name", "Le Quotidien", f"--origin={ORIGIN}")
        server.start()
        api = f"{server.url}/api/v1/sites/{SITE}"
        with httpx.Client(headers={"Origin": ORIGIN}, timeout=30) as app:
            asked = app.post(f"{api}/auth/email", json={"email": "lea@example.org", "language": "en"})
            assert asked.status_code == 202, asked.text
            request = asked.json()["request"]
            [mail] = smtp.wait_for(1, timeout=30)
            assert mail["To"] == "lea@example.org"
            assert app.post(f"{api}/auth/email/poll", json={"request": request}).status_code == 202
            text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            found = re.search(rf"{re.escape(server.url)}(/auth/{SITE}/email/[0-9a-f]+\?lang=en)", text)
            assert found, text

            with httpx.Client(base_url=server.url, timeout=30) as phone:
                page = phone.get(found.group(1))
                csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
                assert page.status_code == 200 and csrf
                assert app.post(f"{api}/auth/email/poll", json={"request": request}).status_code == 202
                done = phone.post(found.group(1), data={"csrfmiddlewaretoken": csrf.group(1)},
                                  headers={"Referer": str(page.url)})  # fmt: skip
                assert done.status_code == 200 and "You are signed in" in done.text

            session = app.post(f"{api}/auth/email/poll", json={"request": request})
            assert session.status_code == 200, session.text
            me = app.get(f"{api}/auth/me", headers={"Authorization": f"Bearer {session.json()['token']}"})
            assert me.status_code == 200 and me.json()["verified"] is True
            used = app.post(f"{api}/auth/email/poll", json={"request": request})
            assert used.status_code == 410 and used.json()["code"] == "link_used"
