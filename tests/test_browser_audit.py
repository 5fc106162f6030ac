"""The audit log in a real browser: a real `parvis serve`, Debian's Chromium driven by playwright.

A moderator approves a held comment from the queue with the keyboard (j a), opens the audit log from the
navigation, finds the entry of that decision and reverses it with its button. The public API then shows the comment
held again (readers no longer see it; its author sees it waiting), the reversal is itself in the log, and nothing
violated the page's Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser import Watched, sign_in, staff_page
from tests.servers import ParvisServer, seeded_server

pytestmark = pytest.mark.browser

SITE = "audit"
ORIGIN = "https://news.example"
KEY = "elections-2027"
PASSWORD = "a moderator's long password"
SETUP = f"""
from django.contrib.auth import get_user_model
from parvis.core.models import Site
from parvis.dashboard.models import Membership
from parvis.moderation.policy import save_policy
site = Site.objects.create(slug={SITE!r}, name="Audit News", allowed_origins=[{ORIGIN!r}], moderation_mode="pre")
save_policy(site, {{"velocity": {{"min_seconds_to_submit": 0}}, "surge": {{"enabled": False}}}}, note="browser tests")
user = get_user_model().objects.create_user("mona", password={PASSWORD!r})
Membership.objects.create(user=user, site=site, role="moderator")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Iterator[ParvisServer]:
    settings = {"PARVIS_MODERATION_ENCODER": "off", "PARVIS_TRUSTED_PROXIES": "1"}
    with seeded_server(tmp_path_factory.mktemp("parvis-audit"), SETUP, settings, migrated) as running:
        yield running


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    with staff_page(browser) as page:
        yield page


def thread(http: httpx.Client, token: str = "") -> dict[int, str]:
    """Comment id → status in the public thread, as a reader (or, with ``token``, the author) sees it."""
    headers = {"Origin": ORIGIN, **({"Parvis-Own-Tokens": token} if token else {})}
    answer = http.get(f"/api/v1/sites/{SITE}/thread", params={"key": KEY}, headers=headers)
    assert answer.status_code == 200, answer.text
    comments: list[dict[str, Any]] = answer.json()["comments"]
    return {int(c["id"]): str(c["status"]) for c in comments}


def test_a_moderator_reverses_an_approval_from_the_audit_log(server: ParvisServer, watched: Watched) -> None:
    page = watched.page
    with httpx.Client(base_url=server.url, timeout=30) as http:
        posted = http.post(
            f"/api/v1/sites/{SITE}/comments",
            json={"thread": {"key": KEY, "title": "Les élections"}, "body": "Un avis sur le scrutin.",
                  "author": {"name": "Lectrice"}},
            headers={"Origin": ORIGIN, "X-Forwarded-For": "10.0.0.7"},
        )  # fmt: skip
        assert posted.status_code == 201, posted.text
        comment, token = int(posted.json()["comment"]["id"]), str(posted.json()["edit_token"])
        assert thread(http) == {} and thread(http, token) == {comment: "pending"}

        sign_in(page, server.url, "/moderate/", "mona", PASSWORD)
        page.keyboard.press("j")
        page.keyboard.press("a")
        expect(page.locator(f"#item-{comment}")).to_have_attribute("data-status", "approved")
        assert thread(http) == {comment: "approved"}

        page.get_by_role("link", name="Audit log").click()
        page.wait_for_url(f"{server.url}/moderate/audit/")
        entry = page.locator('.dash-entry[data-action="comment.publish"]')
        expect(entry).to_have_count(1)
        expect(entry).to_contain_text("mona")
        expect(entry).to_contain_text("pending → approved")
        entry.get_by_role("button", name="Reverse").click()
        expect(entry.locator(".dash-notice")).to_contain_text("Reversed")

        # Readers no longer see the comment; its author sees it waiting for a moderator again.
        assert thread(http) == {}
        assert thread(http, token) == {comment: "pending"}

        page.reload()
        reversal = page.locator(".dash-entry").first
        expect(reversal).to_have_attribute("data-action", "comment.hold")
        expect(reversal).to_contain_text("reversal of audit entry #")
        # The reversed approval can no longer be reversed a second time: a later decision exists.
        page.locator('.dash-entry[data-action="comment.publish"]').get_by_role("button", name="Reverse").click()
        expect(page.locator('.dash-entry[data-action="comment.publish"] .dash-notice')).to_contain_text(
            "decided on this comment since"
        )
        assert thread(http, token) == {comment: "pending"}

    # The refused second reversal's 409 is logged by the browser as a failed resource; that one is expected.
    watched.assert_quiet(allow_console=r"status of 409")
