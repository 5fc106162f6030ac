"""The demo's captured mailbox in a real browser: a real `parvis --dev serve` with the capture SMTP server it
starts (as `make demo` runs it), Debian's Chromium driven by playwright.

Anything on the machine can send to the capture server, so a hostile email arrives: its HTML tries to run a
script, raise a dialog and talk to the mailbox page. The page shows the email's text and its HTML in a
sandboxed frame: the HTML is rendered (its styles too), and none of its scripts runs.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import Watched, staff_page
from tests.servers import HOST, ParvisServer, free_port

pytestmark = pytest.mark.browser

HOSTILE = """<!doctype html><html><body>
<p id="greeting" style="color:#b5123e">Bonjour depuis le courriel</p>
<script>parent.postMessage({parvis: "script ran"}, "*"); alert("script ran");</script>
<img src="data:," onerror="parent.postMessage({parvis: 'handler ran'}, '*')">
<a href="javascript:alert(1)">lien</a>
</body></html>"""


@pytest.fixture(scope="module")
def mailbox(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Iterator[tuple[ParvisServer, int]]:
    directory = tmp_path_factory.mktemp("parvis-mailbox")
    port = free_port()
    environment = {
        "PARVIS_EMAIL_CAPTURE_DIR": str(directory / "mail"),
        "PARVIS_EMAIL_HOST": HOST,
        "PARVIS_EMAIL_PORT": str(port),
        "PARVIS_MODERATION_ENCODER": "off",
    }
    with ParvisServer(directory / "server", workers=1, env=environment) as server:
        server.copy_database(migrated)
        server.start()
        wait_for_smtp(port)
        yield server, port


def wait_for_smtp(port: int, timeout: float = 180) -> None:
    """The capture server starts beside the web server; on a loaded machine it may answer a little later."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with smtplib.SMTP(HOST, port, timeout=5) as client:
                client.noop()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    with staff_page(browser) as page:
        yield page


def send_hostile(port: int) -> None:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = "Un courriel piégé", "x@example.org", "y@example.org"
    message.set_content("Bonjour en texte brut.")
    message.add_alternative(HOSTILE, subtype="html")
    with smtplib.SMTP(HOST, port) as client:
        client.send_message(message)


def test_a_hostile_email_is_shown_in_a_sandbox_where_none_of_its_scripts_runs(
    mailbox: tuple[ParvisServer, int], watched: Watched, tmp_path: Path
) -> None:
    server, port = mailbox
    send_hostile(port)
    page = watched.page
    page.goto(f"{server.url}/notifications/mailbox/")
    expect(page.get_by_role("heading", name="Un courriel piégé")).to_be_visible()
    expect(page.locator("pre.parvis-mail-text")).to_contain_text("Bonjour en texte brut.")
    frame = page.frame_locator("iframe.parvis-mail-html")
    greeting = frame.locator("#greeting")
    expect(greeting).to_have_text("Bonjour depuis le courriel")  # the HTML is rendered, its inline style kept
    expect(greeting).to_have_css("color", "rgb(181, 18, 62)")
    page.wait_for_load_state("load")
    assert watched.recorded("messages") == []  # neither the script nor the handler could reach the page
    assert watched.dialogs == []
    assert page.title() == "Captured emails"
    # Chromium says why: the frame is sandboxed without allow-scripts. Nothing else went wrong on the page.
    blocked = [text for text in watched.console if "Blocked script execution" in text and "allow-scripts" in text]
    assert blocked and all("/notifications/mailbox/" in text and ".html" in text for text in blocked)
    watched.assert_quiet(allow_console="Blocked script execution .* 'allow-scripts' permission is not set")
