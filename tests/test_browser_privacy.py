"""A reader gets their data and erases it in a real browser: a real `parvis serve` (with its task worker, which
sends the link), a real SMTP server, Debian's Chromium driven by playwright. Each page is checked for Content-
Security-Policy violations and dialogs, as the other browser tests do."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import Watched, watch
from tests.servers import ParvisServer
from tests.smtp import SmtpServer

pytestmark = pytest.mark.browser

EMAIL = "lea.reader@example.org"


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer, migrated: Path) -> Iterator[ParvisServer]:
    env = {
        "PARVIS_EMAIL_HOST": "127.0.0.1",
        "PARVIS_EMAIL_PORT": str(smtp.port),
        "PARVIS_EMAIL_FROM": "Parvis <notifications@parvis.test>",
        "PARVIS_EMAIL_TIMEOUT": "5",
    }
    with ParvisServer(tmp_path_factory.mktemp("parvis-privacy"), workers=1, env=env) as running:
        running.copy_database(migrated)
        running.cli("site", "create", "journal", "--name", "The Journal", "--language", "en")
        running.cli("site", "create", "iton", "--name", "Iton", "--language", "he")
        running.start()
        yield running


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    yield watch(context.new_page())
    context.close()


def test_a_reader_downloads_then_erases_their_comment(watched: Watched, server: ParvisServer, smtp: SmtpServer) -> None:
    page = watched.page
    page.goto(f"{server.url}/t/journal/?key=story-1")
    page.fill("textarea[name=body]", "A comment Léa will take back later.")
    page.fill("input[name=name]", "Léa")
    page.fill("input[name=email]", EMAIL)
    page.click("#parvis-form button[type=submit]")
    expect(page.locator(".parvis-comments")).to_contain_text("A comment Léa will take back later.")

    page.goto(f"{server.url}/privacy/journal/request/")
    page.fill("input[name=email]", EMAIL)
    page.click("button[type=submit]")
    expect(page.locator("[role=status]")).to_contain_text("we have just sent to it")
    [message] = smtp.wait_for(1, timeout=120)
    assert message["To"] == EMAIL
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"http://[^\s]+/privacy/journal/access/[^\s/]+/", text)
    assert found, text
    assert urlsplit(found.group(0)).netloc == urlsplit(server.url).netloc

    page.goto(found.group(0))
    expect(page.locator(".parvis-privacy-summary")).to_contain_text("1 comment")
    with page.expect_download() as download_info:
        page.click("text=Download my data (JSON)")
    document = json.loads(download_info.value.path().read_text(encoding="utf-8"))
    assert [item["text"] for item in document["comments"]] == ["A comment Léa will take back later."]

    page.click("text=Erase my data")
    page.click("text=Erase my data for good")
    expect(page.locator("[role=status]")).to_contain_text("Your data was erased")
    page.goto(f"{server.url}/t/journal/?key=story-1")
    expect(page.locator("#parvis-count")).to_have_text("0 comments")
    assert "take back later" not in page.content()
    page.goto(found.group(0))
    expect(page.locator("code")).to_have_text("link_used")
    # The used link's page is answered 410 on purpose; Chromium logs every 4xx page load as a console error.
    watched.assert_quiet(allow_console=r"status of 410 \(Gone\)")


def test_the_privacy_pages_of_a_hebrew_site_read_right_to_left(watched: Watched, server: ParvisServer) -> None:
    page = watched.page
    page.goto(f"{server.url}/privacy/iton/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    page.click("a[href='/privacy/iton/request/']")
    assert page.locator("html").get_attribute("lang") == "he"
    # The address itself stays left to right inside the right-to-left form.
    assert page.locator("input[name=email]").evaluate("element => getComputedStyle(element).direction") == "ltr"
    watched.assert_quiet()
