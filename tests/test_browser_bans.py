"""Banning from the moderation queue in a real browser: a real `parvis serve`, Debian's Chromium driven by playwright.

A moderator selects a comment with `j`, presses `b`: the item's ban form opens, prefilled from the comment (its
commenter chosen, seven days), with its confirm button focused; Enter bans. The item then says so, the commenter's
next post through the public API is refused as `banned`, and the audit log holds the ban with its author. All of it
under the strict Content-Security-Policy, with no violation and no script error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser import Watched, sign_in, staff_page
from tests.servers import ParvisServer, seeded_server

pytestmark = pytest.mark.browser

SITE = "bans"
ORIGIN = "https://news.example"
KEY = "municipales"
PASSWORD = "a moderator's long password"
AUTHOR = {"name": "Troll", "email": "troll@example.org"}
SETUP = f"""
from django.contrib.auth import get_user_model
from parvis.core.models import Site
from parvis.dashboard.models import Membership
from parvis.moderation.policy import save_policy
site = Site.objects.create(slug={SITE!r}, name="Bans News", allowed_origins=[{ORIGIN!r}], moderation_mode="pre")
save_policy(site, {{
    "velocity": {{"per_ip": 100000, "per_commenter": 100000, "duplicates": 100000, "min_seconds_to_submit": 0}},
    "surge": {{"enabled": False}},
}}, note="browser tests")
user = get_user_model().objects.create_user("mona", password={PASSWORD!r})
Membership.objects.create(user=user, site=site, role="moderator")
"""
AUDIT = """
import json
from parvis.moderation.models import AuditEntry
print(json.dumps([[e.action, e.comment_id, e.actor_label, (e.details.get("after") or {}).get("kind")]
                  for e in AuditEntry.objects.filter(action__startswith="ban.").order_by("pk")]))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Iterator[ParvisServer]:
    settings = {"PARVIS_MODERATION_ENCODER": "off", "PARVIS_TRUSTED_PROXIES": "1"}
    with seeded_server(tmp_path_factory.mktemp("parvis-bans"), SETUP, settings, migrated) as running:
        yield running


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    with staff_page(browser) as page:
        yield page


def post(http: httpx.Client, body: str) -> httpx.Response:
    return http.post(
        f"/api/v1/sites/{SITE}/comments",
        json={"thread": {"key": KEY, "title": "Les municipales"}, "body": body, "author": AUTHOR},
        headers={"Origin": ORIGIN, "X-Forwarded-For": "198.51.100.7"},
    )


def audit(server: ParvisServer) -> list[list[Any]]:
    rows: list[list[Any]] = json.loads(server.cli("manage", "shell", "-c", AUDIT).strip().splitlines()[-1])
    return rows


def test_a_moderator_bans_a_commenter_with_j_then_b_and_their_next_post_is_refused(
    server: ParvisServer, watched: Watched
) -> None:
    page = watched.page
    with httpx.Client(base_url=server.url, timeout=30) as http:
        first = post(http, "Tous des vendus, je reviendrai tous les jours.")
        assert first.status_code == 201, first.text
        comment = int(first.json()["comment"]["id"])

        sign_in(page, server.url, "/moderate/?sort=newest", "mona", PASSWORD)
        expect(page.locator("nav.dash-nav a[href='/moderate/bans/']")).to_be_visible()

        page.keyboard.press("j")
        expect(page.locator(f"#item-{comment}")).to_have_class("dash-item dash-pending dash-selected")
        page.keyboard.press("b")
        form = page.locator(f"#item-{comment}-ban")
        expect(form).to_be_visible()
        expect(form.locator("input[name=kind][value=commenter]")).to_be_checked()
        expect(form.locator("select[name=duration]")).to_have_value("7")
        expect(form.locator("[data-ban-confirm]")).to_be_focused()
        assert "198.51.100" not in form.inner_html()  # the moderator never sees the address
        page.keyboard.press("Enter")

        expect(page.locator(f"#item-{comment} .dash-notice")).to_contain_text("Banned (Troll (commenter #")
        expect(page.locator(f"#item-{comment} .dash-banned")).to_contain_text("Banned (Commenter, until")

        again = post(http, "Me revoilà, sous le même nom.")
        assert again.status_code == 403 and again.json()["code"] == "banned", again.text
        assert audit(server) == [["ban.create", comment, "mona", "commenter"]]

        page.goto(f"{server.url}/moderate/bans/")
        expect(page.locator("tbody tr[data-state=active]")).to_have_count(1)
        expect(page.locator("tbody")).to_contain_text("Troll (commenter #")

    watched.assert_quiet()
