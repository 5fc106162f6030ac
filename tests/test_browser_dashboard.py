"""The moderation dashboard in a real browser: a real `parvis serve`, Debian's Chromium driven by playwright.

A moderator signs in and, with the keyboard only, approves a held comment (j a), rejects one with a reason
(j r 2), marks one as spam (j s) and undoes that (u). After each key, the public API shows what readers now see
and the audit log shows who did what. Then bulk decisions (x to select, A / R / S) and the editor (e, a passage
selected with the keyboard, redacted and saved). The page runs under the strict Content-Security-Policy (htmx
and the queue's script are static files); each test ends by checking that nothing violated it and no script
failed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import Watched, sign_in, staff_page
from tests.servers import ParvisServer, seeded_server

pytestmark = pytest.mark.browser

SITE = "dash"
ORIGIN = "https://news.example"
KEY = "budget-2027"
PASSWORD = "a moderator's long password"
# A pre-moderated site whose policy ignores how fast and from where comments come: the test posts three in a
# second from one machine, and only the moderator's decisions may change their status.
SETUP = f"""
from django.contrib.auth import get_user_model
from parvis.core.models import Site
from parvis.dashboard.models import Membership
from parvis.moderation.policy import save_policy
site = Site.objects.create(slug={SITE!r}, name="Dash News", allowed_origins=[{ORIGIN!r}], moderation_mode="pre")
save_policy(site, {{
    "velocity": {{"per_ip": 100000, "per_commenter": 100000, "duplicates": 100000, "min_seconds_to_submit": 0}},
    "surge": {{"enabled": False}},
}}, note="browser tests")
user = get_user_model().objects.create_user("mona", password={PASSWORD!r})
Membership.objects.create(user=user, site=site, role="moderator")
"""
COLLEAGUE_APPROVES = """
from django.contrib.auth import get_user_model
from parvis.comments.models import Comment
from parvis.moderation.actions import moderate
from parvis.moderation.models import Action
colleague = get_user_model().objects.create_superuser("colette", password="another long password")
moderate(Comment.objects.get(pk={comment}), Action.PUBLISH, actor=colleague)
"""
AUDIT = """
import json
from parvis.moderation.models import AuditEntry
print(json.dumps([[e.action, e.comment_id, e.actor_label, e.details.get("category"), e.details.get("note")]
                  for e in AuditEntry.objects.filter(action__startswith="comment.").order_by("pk")]))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Iterator[ParvisServer]:
    settings = {"PARVIS_MODERATION_ENCODER": "off", "PARVIS_TRUSTED_PROXIES": "1"}
    with seeded_server(tmp_path_factory.mktemp("parvis-dashboard"), SETUP, settings, migrated) as running:
        yield running


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    with staff_page(browser) as page:
        yield page


def post(http: httpx.Client, body: str, reader: int, key: str = KEY) -> int:
    answer = http.post(
        f"/api/v1/sites/{SITE}/comments",
        json={"thread": {"key": key, "title": "Le budget 2027"}, "body": body, "author": {"name": f"Lecteur {reader}"}},
        headers={"Origin": ORIGIN, "X-Forwarded-For": f"10.0.0.{reader}"},
    )
    assert answer.status_code == 201, answer.text
    comment: dict[str, Any] = answer.json()["comment"]
    assert comment["status"] == "pending"
    return int(comment["id"])


def public_comments(http: httpx.Client, key: str = KEY) -> list[dict[str, Any]]:
    answer = http.get(f"/api/v1/sites/{SITE}/thread", params={"key": key, "limit": 100}, headers={"Origin": ORIGIN})
    assert answer.status_code == 200, answer.text
    comments: list[dict[str, Any]] = answer.json()["comments"]
    return comments


def public(http: httpx.Client, key: str = KEY) -> dict[int, str]:
    """What readers see: comment id → status in the public thread."""
    return {int(c["id"]): str(c["status"]) for c in public_comments(http, key)}


def queue_ids(page: Page) -> list[int]:
    found = page.locator(".dash-item").evaluate_all("(items) => items.map((i) => Number(i.dataset.comment))")
    return [int(value) for value in found]


def audit(server: ParvisServer) -> list[list[Any]]:
    rows: list[list[Any]] = json.loads(server.cli("manage", "shell", "-c", AUDIT).strip().splitlines()[-1])
    return rows


def item_status(page: Page, comment: int) -> Any:
    return expect(page.locator(f"#item-{comment}"))


def test_a_moderator_decides_with_the_keyboard_only(server: ParvisServer, watched: Watched) -> None:
    page = watched.page
    with httpx.Client(base_url=server.url, timeout=30) as http:
        first = post(http, "Le budget participatif est une bonne idée.", 1)
        second = post(http, "Les élus ne lisent jamais ces projets.", 2)
        third = post(http, "Achetez des montres pas chères ici.", 3)
        assert public(http) == {}

        answer = page.goto(f"{server.url}/moderate/?sort=newest")
        assert answer is not None and page.url.startswith(f"{server.url}/moderate/login/")
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        page.fill("input[name=username]", "mona")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server.url}/moderate/?sort=newest")
        # Newest first: the third, the second, then the first comment.
        assert queue_ids(page) == [third, second, first]

        page.keyboard.press("?")
        expect(page.locator("#dash-help")).to_be_visible()
        page.keyboard.press("?")
        expect(page.locator("#dash-help")).to_be_hidden()

        # j selects the newest comment, a approves it: readers see it at once.
        page.keyboard.press("j")
        expect(page.locator(f"#item-{third}")).to_have_class("dash-item dash-pending dash-selected")
        page.keyboard.press("a")
        item_status(page, third).to_have_attribute("data-status", "approved")
        assert public(http) == {third: "approved"}
        assert audit(server) == [["comment.publish", third, "mona", None, ""]]

        # j moves on; r opens the reasons, 2 picks the second one (insult).
        page.keyboard.press("j")
        page.keyboard.press("r")
        menu = page.locator(f"#item-{second}-menu")
        expect(menu).to_be_visible()
        expect(menu.locator('button[data-digit="2"]')).to_have_attribute("value", "insult")
        page.keyboard.press("2")
        item_status(page, second).to_have_attribute("data-status", "rejected")
        assert public(http) == {third: "approved"}
        assert audit(server)[-1] == ["comment.reject", second, "mona", "insult", ""]

        # j, s: spam.
        page.keyboard.press("j")
        page.keyboard.press("s")
        item_status(page, first).to_have_attribute("data-status", "spam")
        assert audit(server)[-1] == ["comment.spam", first, "mona", None, ""]

        # u undoes the last decision: the first comment waits for a person again, and the undo is on record.
        page.keyboard.press("u")
        item_status(page, first).to_have_attribute("data-status", "pending")
        expect(page.locator(f"#item-{first} .dash-notice")).to_contain_text("Undone")
        assert public(http) == {third: "approved"}
        last = audit(server)[-1]
        assert last[:4] == ["comment.hold", first, "mona", None] and last[4].startswith("undo of decision #")

        # A colleague decides on the first comment after the page showed it: the moderator's key is refused (409)
        # and the item says who decided, instead of deciding twice.
        server.cli("manage", "shell", "-c", COLLEAGUE_APPROVES.format(comment=first))
        page.keyboard.press("s")
        expect(page.locator(f"#item-{first} .dash-notice")).to_contain_text("Already decided by colette")
        item_status(page, first).to_have_attribute("data-status", "approved")
        assert public(http) == {third: "approved", first: "approved"}
        assert audit(server)[-1][:3] == ["comment.publish", first, "colette"]

    # The browser logs the refused decision's 409 as a failed resource; that one is expected.
    watched.assert_quiet(allow_console=r"status of 409")


def test_bulk_keys_and_the_redaction_editor_work_from_the_keyboard(server: ParvisServer, watched: Watched) -> None:
    page = watched.page
    key = "bulk-and-edit"
    with httpx.Client(base_url=server.url, timeout=30) as http:
        body = "Mon voisin Jean Dupont fraude les impôts."
        redacted = post(http, body, 10, key)
        spam = post(http, "Des montres pas chères, cliquez ici.", 11, key)
        rejected = post(http, "Un message hors sujet.", 12, key)
        approved = [post(http, "Bonne analyse du budget.", 13, key), post(http, "Merci pour cet article.", 14, key)]
        before = len(audit(server))
        sign_in(page, server.url, "/moderate/?sort=newest", "mona", PASSWORD)
        # The pending tab, newest first (whatever the other test left is decided).
        assert queue_ids(page) == [approved[1], approved[0], rejected, spam, redacted]

        # x on the two newest, then A: both are published at once, the rest still wait.
        page.keyboard.press("j")
        page.keyboard.press("x")
        page.keyboard.press("j")
        page.keyboard.press("x")
        expect(page.locator("[data-bulk-count]")).to_have_text("Selected: 2")
        page.keyboard.press("A")
        expect(page.locator("#dash-status")).to_contain_text("Done: 2 · already decided: 0")
        expect(page.locator(f"#item-{approved[0]}")).to_have_count(0)  # the pending tab reloaded without them
        assert public(http, key) == {approved[0]: "approved", approved[1]: "approved"}

        # x then R rejects (no reason chosen), x then S marks as spam; the selection starts at the top again.
        for comment, bulk_key in ((rejected, "R"), (spam, "S")):
            for _ in range(3):
                page.keyboard.press("k")
            expect(page.locator(".dash-selected")).to_have_attribute("data-comment", str(comment))
            page.keyboard.press("x")
            expect(page.locator("[data-bulk-count]")).to_have_text("Selected: 1")
            page.keyboard.press(bulk_key)
            expect(page.locator("#dash-status")).to_contain_text("Done: 1 · already decided: 0")
            expect(page.locator(f"#item-{comment}")).to_have_count(0)
        assert public(http, key) == {approved[0]: "approved", approved[1]: "approved"}
        actions = [(row[0], row[1]) for row in audit(server)[before:]]
        assert sorted(actions) == sorted(
            [("comment.publish", approved[0]), ("comment.publish", approved[1]), ("comment.reject", rejected),
             ("comment.spam", spam)]
        )  # fmt: skip

        # e opens the editor with the focus in the text; the moderator selects "Jean Dupont" with the keyboard,
        # redacts it, saves, and approves: readers see the redacted text marked as edited by the moderation.
        for _ in range(3):
            page.keyboard.press("k")
        expect(page.locator(".dash-selected")).to_have_attribute("data-comment", str(redacted))
        page.keyboard.press("e")
        editor = page.locator(f"#item-{redacted}-body")
        expect(editor).to_be_focused()
        page.keyboard.press("Control+Home")
        for _ in range(len("Mon voisin ")):
            page.keyboard.press("ArrowRight")
        for _ in range(len("Jean Dupont")):
            page.keyboard.press("Shift+ArrowRight")
        page.keyboard.press("Tab")  # to "Redact the selection"
        page.keyboard.press("Enter")
        expect(editor).to_have_value("Mon voisin […] fraude les impôts.")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")  # to "Save"
        page.keyboard.press("Enter")
        item = page.locator(f"#item-{redacted}")
        expect(item.locator(".dash-edited")).to_be_visible()
        expect(item.locator(".dash-text")).to_contain_text("Mon voisin […] fraude les impôts.")
        page.keyboard.press("a")
        expect(item).to_have_attribute("data-status", "approved")
        shown = {int(c["id"]): c for c in public_comments(http, key)}[redacted]
        assert "Jean Dupont" not in shown["html"] and "[…]" in shown["html"]
        assert shown["moderator_edited"] is True
        assert [row[:3] for row in audit(server)[-2:]] == [
            ["comment.moderator_edit", redacted, "mona"],
            ["comment.publish", redacted, "mona"],
        ]
    watched.assert_quiet()
