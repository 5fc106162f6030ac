"""Email notifications as a newcomer meets them: the widget's Subscribe control in Debian's Chromium, against a
real `parvis serve` (with its task worker) that sends through a real SMTP server (tests/smtp.py).

The right-to-left panels are compared with tests/screenshots/subscribe-rtl-*.png (PARVIS_UPDATE_SCREENSHOTS=1
stores new references, as in test_browser_widget.py).

The demo site is put in pre-moderation for this module, so every comment here waits for a moderator and
emails follow the moderator's approval (the `moderate` action, run with `parvis manage shell` as the dashboard
would run it). Each test has a thread of its own (the demo page with its thread key rewritten).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, FrameLocator, Page, expect

from parvis.web.demo import SITE_SLUG
from tests.browser import Watched, watch
from tests.servers import DEMO, ParvisServer
from tests.smtp import SmtpServer
from tests.test_browser_widget import (
    API,
    MODULE_POLICY,
    WIDGET_BUILD,
    app_frame,
    axe_violations,
    matches_reference,
    open_article,
    open_frame_page,
    post_in,
    top_form,
)

pytestmark = pytest.mark.browser

PREMODERATION = f"""
from parvis.core.models import Site
Site.objects.filter(slug={SITE_SLUG!r}).update(moderation_mode="pre")
"""
APPROVE = """
from django.contrib.auth import get_user_model
from parvis.comments.models import Comment
from parvis.moderation.actions import moderate
from parvis.moderation.models import Action
moderate(Comment.objects.get(pk={id}), Action.PUBLISH, actor=get_user_model().objects.get(username="moderateur"))
"""
LINK = re.compile(r"https?://\S+/notifications/confirm/[^\s/]+/")


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer, migrated: Path) -> Iterator[ParvisServer]:
    if not (WIDGET_BUILD / "meta.json").exists():
        pytest.fail("the widget is not built: run `make widget` (or `cd widget && node build.mjs`)")
    settings = {
        "PARVIS_EMAIL_HOST": "127.0.0.1",
        "PARVIS_EMAIL_PORT": str(smtp.port),
        # Thread emails leave at once instead of gathering ten minutes of comments.
        "PARVIS_EMAIL_BATCH_SECONDS": "0",
        # The other reader's reply comes from its own X-Forwarded-For address; the browser is 127.0.0.1.
        "PARVIS_TRUSTED_PROXIES": "1",
    }
    with ParvisServer(tmp_path_factory.mktemp("parvis-subscribe"), workers=1, env=settings) as running:
        running.copy_database(migrated)
        running.cli("manage", "shell", "-c", DEMO + MODULE_POLICY + PREMODERATION)
        running.start()
        yield running


@pytest.fixture(scope="module")
def messages() -> dict[str, Any]:
    table: dict[str, Any] = json.loads((WIDGET_BUILD / "i18n" / "fr.json").read_text(encoding="utf-8"))
    return table


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Watched]]:
    contexts: list[BrowserContext] = []

    def open_page(**options: Any) -> Watched:
        context = browser.new_context(**{"locale": "fr-FR", "viewport": {"width": 1000, "height": 900}, **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return watch(context.new_page())

    yield open_page
    for context in contexts:
        context.close()


_keys = itertools.count(1)


def new_key(purpose: str) -> str:
    return f"s{next(_keys)}-{purpose}"


def approve(server: ParvisServer, comment_id: int) -> None:
    server.cli("manage", "shell", "-c", APPROVE.format(id=comment_id))


def mail_to(smtp: SmtpServer, address: str, count: int) -> list[EmailMessage]:
    """Wait until ``count`` emails reached ``address``; return them, oldest first."""
    for _ in range(600):
        found = [message for message in smtp.messages if address in str(message["To"])]
        if len(found) >= count:
            return found
        smtp.wait_for(len(smtp.messages) + 1, timeout=60)
    raise AssertionError(f"fewer than {count} emails reached {address}")


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def open_subscribe(app: FrameLocator | Page, messages: dict[str, Any]) -> None:
    app.get_by_role("button", name=messages["subscribe"], exact=True).click()
    expect(app.get_by_role("form", name=messages["subscribe"])).to_be_visible()


def subscriptions_listed(page: Page, manage_url: str) -> int:
    page.goto(manage_url)
    expect(page.locator("main h1")).to_be_visible()
    return page.locator(".parvis-subscriptions li").count()


def test_a_guest_subscribes_to_replies_confirms_from_the_mail_gets_the_reply_and_leaves_in_one_click(
    server: ParvisServer, smtp: SmtpServer, open_page: Callable[..., Watched], messages: dict[str, Any]
) -> None:
    watched = open_page()
    page = watched.page
    address = "lea.subscribe@example.org"
    key = new_key("replies")
    app = open_article(watched, server, key)

    # Léa comments as a guest with her address, then subscribes to the replies to her comments.
    form = top_form(app)
    form.locator("textarea").click()
    form.get_by_label("E-mail").fill(address)
    own = post_in(app, page, form, "Les jardins partagés méritent une ligne du budget à eux seuls.", name="Léa")
    open_subscribe(app, messages)
    panel = app.locator("#ps")
    expect(panel.get_by_label(messages["sub.kind.thread"])).to_be_focused()
    panel.get_by_label(messages["sub.kind.replies"]).check()
    expect(panel.get_by_label("E-mail")).to_have_value(address)  # remembered from her comment
    panel.get_by_role("button", name=messages["sub.send"]).click()
    notice = messages["sub.sent"].replace("{email}", f"\u2068{address}\u2069")
    expect(panel.get_by_role("status")).to_have_text(notice)
    expect(panel.get_by_role("status")).to_be_focused()

    # Double opt-in: one confirmation email, whose link asks for a click before anything is sent.
    (confirmation,) = mail_to(smtp, address, 1)
    assert "List-Unsubscribe" not in confirmation
    found = LINK.search(text_of(confirmation))
    assert found is not None, text_of(confirmation)
    page.goto(found.group(0))
    page.locator("main form button[type=submit]").click()
    manage_url = page.locator("main a[href*='/notifications/manage/']").get_attribute("href")
    assert manage_url is not None
    manage_url = server.url + manage_url if manage_url.startswith("/") else manage_url
    assert subscriptions_listed(page, manage_url) == 1

    # Someone replies; once a moderator approves the reply (and Léa's comment), Léa gets it by email.
    approve(server, own)
    with httpx.Client(base_url=server.url, timeout=30) as http:
        answer = http.post(
            f"{API}/comments",
            json={
                "thread": {"key": key},
                "parent": own,
                "author": {"name": "Karim"},
                "body": "D’accord avec vous, et les vergers aussi.",
            },
            headers={"X-Forwarded-For": "10.9.0.1"},
        )
        assert answer.status_code == 201, answer.text
        reply = answer.json()["comment"]
        assert reply["status"] == "pending"
        approve(server, reply["id"])
        confirmation, notification = mail_to(smtp, address, 2)
        assert "D’accord avec vous, et les vergers aussi." in text_of(notification)
        assert "Karim" in text_of(notification)
        assert notification["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = str(notification["List-Unsubscribe"]).strip("<>")

        # One click in her mail client: the RFC 8058 POST, no page, no CSRF token.
        left = http.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
        assert left.status_code == 200, left.text
    assert subscriptions_listed(page, manage_url) == 0
    watched.assert_quiet(allow_console=r"favicon")


@pytest.mark.parametrize("lang", ["ar", "he"])
def test_a_bad_address_shows_the_translated_error_right_to_left_and_the_panel_works_by_keyboard(
    server: ParvisServer, smtp: SmtpServer, open_page: Callable[..., Watched], lang: str, tmp_path: Path
) -> None:
    table: dict[str, Any] = json.loads((WIDGET_BUILD / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    watched = open_page(
        locale={"ar": "ar-EG", "he": "he-IL"}[lang], viewport={"width": 560, "height": 700}, color_scheme="light"
    )
    page = open_frame_page(watched, server, new_key(f"bad-address-{lang}"), lang=lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    opener = page.get_by_role("button", name=table["subscribe"], exact=True)
    expect(opener).to_have_attribute("aria-expanded", "false")
    opener.focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("form", name=table["subscribe"])
    expect(panel).to_be_visible()
    expect(opener).to_have_attribute("aria-expanded", "true")
    expect(panel.get_by_label(table["sub.kind.thread"])).to_be_focused()
    page.keyboard.press("ArrowDown")  # radio buttons move by arrow keys
    expect(panel.get_by_label(table["sub.kind.replies"])).to_be_checked()

    before = len(smtp.messages)
    email = panel.get_by_label(table["email"])
    email.fill("lea@@example")
    email.press("Enter")
    expect(panel.get_by_role("alert")).to_have_text(table["error.invalid_email"])
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    # The panel mirrors: its first choice starts on the right.
    box = panel.bounding_box()
    first = panel.get_by_label(table["sub.kind.thread"]).bounding_box()
    assert box is not None and first is not None
    assert first["x"] > box["x"] + box["width"] / 2
    page.mouse.move(0, 0)
    png = panel.screenshot(animations="disabled", caret="hide", scale="css")
    matches_reference(png, f"subscribe-rtl-{lang}.png", tmp_path)

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(opener).to_be_focused()
    expect(opener).to_have_attribute("aria-expanded", "false")
    assert len(smtp.messages) == before  # nothing was sent to a refused address
    watched.assert_quiet(allow_console=r"422|favicon")


def test_the_open_panel_has_no_wcag_violation_and_links_the_discussion_s_atom_feed(
    server: ParvisServer, open_page: Callable[..., Watched], messages: dict[str, Any]
) -> None:
    # axe is injected as a script: only this test lets the pages' CSP allow that.
    watched = open_page(bypass_csp=True)
    app = open_article(watched, server)  # the demo thread, with its published comments
    open_subscribe(app, messages)
    frame = app_frame(watched.page)
    assert axe_violations(frame, {"include": [["#ps"]]}) == []
    href = app.get_by_role("link", name=messages["sub.feed"]).get_attribute("href")
    assert href is not None
    feed = httpx.get(server.url + href, timeout=30)
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert feed.text.count("<entry>") > 10
    watched.assert_quiet(csp=False)
