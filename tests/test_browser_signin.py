"""Signing in inside the embed, as readers of the demo newsroom meet it: Debian's Chromium driven by playwright
against a real `parvis serve` seeded by `parvis demo`.

The demo newsroom (/demo/newsroom/login/) has two sample readers, Léa (a subscriber) and Karim (not one); its
article pages give the embed a fresh publisher token for the reader of its cookie (`data-parvis-sso-token`), and
/demo/subscribers/ is an article whose thread only subscribers may comment on. Each test is a new browser
context: a reader with a newsroom cookie and a frame storage of their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, FrameLocator, Page, expect

from parvis.web.demo import SITE_SLUG, SUBSCRIBERS_KEY, SUBSCRIBERS_PATH
from tests.browser import Watched, watch
from tests.servers import DEMO, ParvisServer
from tests.test_browser_widget import axe_violations

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
WIDGET_BUILD = ROOT / "parvis" / "embed" / "static" / "parvis-widget"
API = f"/api/v1/sites/{SITE_SLUG}"
SESSION_KEY = f"parvis:session:{SITE_SLUG}"
# As in test_browser_widget.py: the browser posts at machine speed from one address; pace and surges are tested
# in parvis/moderation/tests.
MODULE_POLICY = f"""
from parvis.core.models import Site
from parvis.moderation.policy import save_policy
save_policy(Site.objects.get(slug={SITE_SLUG!r}), {{
    "velocity": {{"per_ip": 100000, "per_commenter": 100000, "duplicates": 100000, "min_seconds_to_submit": 0}},
    "surge": {{"enabled": False}},
}}, note="browser tests")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Iterator[ParvisServer]:
    if not (WIDGET_BUILD / "meta.json").exists():
        pytest.fail("the widget is not built: run `make widget` (or `cd widget && node build.mjs`)")
    settings = {
        "PARVIS_RATELIMIT_COMMENT_IP": "100000/60",
        "PARVIS_RATELIMIT_COMMENT_THREAD": "100000/60",
        "PARVIS_RATELIMIT_SIGN_IN_IP": "100000/60",
    }
    with ParvisServer(tmp_path_factory.mktemp("parvis-signin"), workers=1, env=settings) as running:
        running.copy_database(migrated)
        running.cli("manage", "shell", "-c", DEMO + MODULE_POLICY)
        running.start()
        yield running


@pytest.fixture(scope="module")
def fr() -> dict[str, Any]:
    """The French strings the app shows (the demo site's language)."""
    table: dict[str, Any] = json.loads((WIDGET_BUILD / "i18n" / "fr.json").read_text(encoding="utf-8"))
    return table


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Watched]]:
    contexts: list[BrowserContext] = []

    def open_page(**options: Any) -> Watched:
        context = browser.new_context(
            **{"locale": "fr-FR", "viewport": {"width": 1000, "height": 900}, "reduced_motion": "reduce", **options}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return watch(context.new_page())

    yield open_page
    for context in contexts:
        context.close()


def app(page: Page) -> FrameLocator:
    """The app's frame, once its first page of comments is shown."""
    page.locator("#parvis-thread").scroll_into_view_if_needed()
    frame = page.frame_locator("#parvis-thread iframe")
    frame.locator("main h2").wait_for(state="attached")
    frame.locator("main [aria-busy]").wait_for(state="detached")
    return frame


def visit(watched: Watched, server: ParvisServer, path: str) -> FrameLocator:
    answer = watched.page.goto(f"{server.url}{path}")
    assert answer is not None and answer.status == 200
    return app(watched.page)


def newsroom_sign_in(watched: Watched, server: ParvisServer, reader: str, path: str) -> FrameLocator:
    """Signs in on the demo newsroom's login page as ``reader`` and comes back to ``path``."""
    watched.page.goto(f"{server.url}/demo/newsroom/login/?next={path}")
    watched.page.locator(f"#reader-{reader}").click()
    watched.page.wait_for_url(f"{server.url}{path}")
    return app(watched.page)


def kept_session(page: Page) -> dict[str, Any] | None:
    frame = page.locator("#parvis-thread iframe").element_handle().content_frame()
    assert frame is not None
    raw = frame.evaluate(f"localStorage.getItem({SESSION_KEY!r})")
    return json.loads(raw) if raw else None


def crafted_post(server: ParvisServer, token: str | None = None) -> httpx.Response:
    """A comment sent straight to the API, as a script would, on the subscribers-only thread."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    payload = {"thread": {"key": SUBSCRIBERS_KEY}, "body": "Je passe par l’API.", "author": {"name": "Malin"}}
    return httpx.post(f"{server.url}{API}/comments", json=payload, headers=headers, timeout=30)


def test_a_subscriber_signs_in_through_the_newsroom_and_comments_with_the_subscriber_badge(
    server: ParvisServer, open_page: Callable[..., Watched], fr: dict[str, Any]
) -> None:
    watched = open_page()
    page = watched.page
    frame = visit(watched, server, SUBSCRIBERS_PATH)
    banner = frame.locator("main .gt")
    expect(banner).to_contain_text(fr["gate.subscribers"])
    # "Sign in" offers the newsroom (and the emailed link); the newsroom's button sends the whole page there.
    banner.get_by_role("button", name=fr["signIn"]).click()
    door = fr["signInWith"].replace("{name}", "Le Quotidien de Lyon (démo)")
    frame.get_by_role("button", name=door).click()
    page.wait_for_url(f"{server.url}/demo/newsroom/login/")
    page.locator("#reader-lea").click()
    page.wait_for_url(f"{server.url}{SUBSCRIBERS_PATH}")
    frame = app(page)

    expect(frame.locator(".si .wh")).to_contain_text("Léa Martin")
    expect(frame.locator(".si .wh .ab")).to_have_text(fr["badge.subscriber"])
    form = frame.locator("main form").first
    form.locator("textarea").click()
    # Signed in: the guest's name and email fields are gone; the comment goes out under the reader's profile.
    expect(form.get_by_label(fr["name"])).to_be_hidden()
    form.locator("textarea").fill("Merci pour cette enquête, les chiffres parlent d’eux-mêmes.")
    with page.expect_response(lambda answer: answer.url.endswith(f"{API}/comments")) as sent:
        form.locator("button[type=submit]").click()
    assert sent.value.status == 201, sent.value.text()
    assert sent.value.request.headers["authorization"].startswith("Bearer ")
    created = sent.value.json()["comment"]
    assert created["status"] == "approved"
    shown = frame.locator(f"#comment-{created['id']}")
    expect(shown.locator(".b")).to_contain_text("les chiffres parlent")
    expect(shown.locator(".hc .ab")).to_have_text(fr["badge.subscriber"])
    expect(shown.locator(".hc .vf")).to_have_attribute("aria-label", fr["verified"])
    profile = shown.locator(".hc a.n")
    expect(profile).to_have_text("Léa Martin")
    expect(profile).to_have_attribute("href", f"/t/{SITE_SLUG}/people/{created['author']['profile']}/")
    expect(profile).to_have_attribute("target", "_blank")
    # Others read it with the badge too.
    thread = httpx.get(f"{server.url}{API}/thread", params={"key": SUBSCRIBERS_KEY}, timeout=30).json()
    published = {item["id"]: item for item in thread["comments"]}[created["id"]]
    assert published["author"]["badge"] == "subscriber" and published["author"]["verified"] is True
    watched.assert_quiet()


def test_a_guest_sees_the_banner_instead_of_the_form_and_the_api_refuses_a_crafted_post(
    server: ParvisServer, open_page: Callable[..., Watched], fr: dict[str, Any]
) -> None:
    watched = open_page()
    frame = visit(watched, server, SUBSCRIBERS_PATH)
    expect(frame.locator("main .gt")).to_have_text(f"{fr['gate.subscribers']}{fr['signIn']}")
    expect(frame.locator("main textarea")).to_have_count(0)
    refused = crafted_post(server)
    assert refused.status_code == 403
    assert refused.json()["code"] == "subscribers_only"
    watched.assert_quiet()


def test_a_signed_in_non_subscriber_reads_that_comments_are_for_subscribers_and_is_refused(
    server: ParvisServer, open_page: Callable[..., Watched], fr: dict[str, Any]
) -> None:
    watched = open_page()
    frame = newsroom_sign_in(watched, server, "karim", SUBSCRIBERS_PATH)
    expect(frame.locator(".si .wh")).to_contain_text("Karim Benali")
    banner = frame.locator("main .gt")
    expect(banner).to_have_text(fr["gate.subscribers.reader"])
    expect(banner.get_by_role("button")).to_have_count(0)  # signing in again would not change it
    expect(frame.locator("main textarea")).to_have_count(0)
    session = kept_session(watched.page)
    assert session is not None and session["reader"]["roles"] == []
    refused = crafted_post(server, session["token"])
    assert refused.status_code == 403
    assert refused.json()["code"] == "subscribers_only"
    watched.assert_quiet()


def test_signing_out_in_the_widget_brings_back_the_guest_view(
    server: ParvisServer, open_page: Callable[..., Watched], fr: dict[str, Any]
) -> None:
    watched = open_page()
    frame = newsroom_sign_in(watched, server, "lea", SUBSCRIBERS_PATH)
    expect(frame.locator(".si .wh")).to_contain_text("Léa Martin")
    expect(frame.locator("main textarea")).to_be_visible()
    first = kept_session(watched.page)["token"]  # type: ignore[index]
    # The next page view brings a new token: its session replaces the first one, which is ended.
    with watched.page.expect_response(lambda answer: answer.url.endswith(f"{API}/auth/sign-out")) as replaced:
        frame = visit(watched, server, SUBSCRIBERS_PATH)
    assert replaced.value.status == 204
    expect(frame.locator(".si .wh")).to_contain_text("Léa Martin")
    token = kept_session(watched.page)["token"]  # type: ignore[index]
    assert token != first
    assert crafted_post(server, first).status_code == 401
    with watched.page.expect_response(lambda answer: answer.url.endswith(f"{API}/auth/sign-out")) as out:
        frame.get_by_role("button", name=fr["signOut"], exact=True).click()
    assert out.value.status == 204
    expect(frame.locator("main .gt")).to_contain_text(fr["gate.subscribers"])
    expect(frame.locator(".si .wh")).to_have_count(0)
    expect(frame.locator("main textarea")).to_have_count(0)
    assert kept_session(watched.page) is None
    # The server forgot the session too: the token no longer posts.
    refused = crafted_post(server, token)
    assert refused.status_code == 401 and refused.json()["code"] == "session_invalid"
    watched.assert_quiet()


def test_a_reader_signed_out_everywhere_falls_back_to_the_guest_view_on_their_other_device(
    server: ParvisServer, open_page: Callable[..., Watched], fr: dict[str, Any]
) -> None:
    laptop, phone = open_page(), open_page()
    newsroom_sign_in(laptop, server, "lea", "/")
    frame = newsroom_sign_in(phone, server, "lea", "/")
    expect(frame.locator(".si .wh")).to_contain_text("Léa Martin")
    assert kept_session(laptop.page) is not None
    with phone.page.expect_response(lambda answer: answer.url.endswith("/auth/sign-out-everywhere")) as out:
        frame.get_by_role("button", name=fr["signOutAll"]).click()
    assert out.value.status == 204
    expect(frame.locator(".si .wh")).to_have_count(0)

    # The laptop still keeps its session in the frame; its reader has left the newsroom too (no cookie, so the
    # page passes no new token). On the next visit the widget finds the session revoked and shows the guest view.
    laptop.context.clear_cookies()
    with laptop.page.expect_response(lambda answer: answer.url.endswith("/auth/me")) as checked:
        frame = visit(laptop, server, "/")
    assert checked.value.status == 401
    expect(frame.locator(".si").get_by_role("button", name=fr["signIn"])).to_be_visible()
    expect(frame.locator(".si .wh")).to_have_count(0)
    assert kept_session(laptop.page) is None
    form = frame.locator("main form").first
    form.locator("textarea").click()
    expect(form.get_by_label(fr["name"])).to_be_visible()
    # The console shows the refused check (a 401 the browser logs); nothing else.
    laptop.assert_quiet(allow_console="401")
    phone.assert_quiet()


def test_the_banner_and_the_ways_in_read_right_to_left_in_hebrew_and_pass_axe(
    server: ParvisServer, open_page: Callable[..., Watched]
) -> None:
    he: dict[str, Any] = json.loads((WIDGET_BUILD / "i18n" / "he.json").read_text(encoding="utf-8"))
    # axe is injected as a script: only this test lets the page's CSP allow that.
    watched = open_page(bypass_csp=True, locale="he-IL")
    page = watched.page
    query = urlencode({"key": SUBSCRIBERS_KEY, "origin": server.url, "lang": "he"})
    page.goto(f"{server.url}/embed/{SITE_SLUG}/frame?{query}")
    banner = page.locator("main .gt")
    expect(banner).to_have_text(f"{he['gate.subscribers']}{he['signIn']}")
    assert banner.evaluate("(element) => getComputedStyle(element).direction") == "rtl"
    # Right to left: the sentence starts on the right, the button follows it on its left.
    sign_in = banner.get_by_role("button", name=he["signIn"])
    sentence = banner.evaluate(
        "(element) => { const range = document.createRange(); range.selectNodeContents(element.firstChild);"
        " const box = range.getBoundingClientRect(); return {left: box.left, right: box.right}; }"
    )
    button_box, banner_box = sign_in.bounding_box(), banner.bounding_box()
    assert button_box is not None and banner_box is not None
    assert sentence["right"] > banner_box["x"] + banner_box["width"] - 20  # starts at the right edge (padding)
    assert button_box["x"] + button_box["width"] <= sentence["left"]
    sign_in.click()
    panel = page.get_by_role("group", name=he["signIn"])
    newsroom = he["signInWith"].replace("{name}", "Le Quotidien de Lyon (démo)")
    expect(panel.get_by_role("button", name=newsroom)).to_be_focused()
    expect(panel.get_by_label(he["signInEmail"])).to_be_visible()
    assert axe_violations(page.main_frame) == []
    watched.assert_quiet(csp=False)


def test_a_session_is_renewed_after_refresh_after_and_the_old_token_stops_working(
    server: ParvisServer, open_page: Callable[..., Watched], fr: dict[str, Any]
) -> None:
    watched = open_page()
    page = watched.page
    # The page's clock (and its frame's) is playwright's: fast_forward jumps past refresh_after, firing each due
    # timer once, instead of waiting fifteen days.
    page.clock.install()
    frame = newsroom_sign_in(watched, server, "lea", "/")
    expect(frame.locator(".si .wh")).to_contain_text("Léa Martin")
    before = kept_session(page)
    assert before is not None
    with page.expect_response(lambda answer: answer.url.endswith(f"{API}/auth/refresh")) as renewed:
        page.clock.fast_forward(16 * 24 * 3600 * 1000)
    assert renewed.value.status == 200
    after = renewed.value.json()
    expect(frame.locator(".si .wh")).to_contain_text("Léa Martin")
    assert after["token"] != before["token"]
    kept_new = False
    for _ in range(100):  # the frame stores the new token right after the answer: a bounded wait, not a sleep
        kept = kept_session(page)
        if kept_new := kept is not None and kept["token"] == after["token"]:
            break
        page.wait_for_timeout(50)
    assert kept_new
    stale = httpx.get(f"{server.url}{API}/auth/me", headers={"Authorization": f"Bearer {before['token']}"}, timeout=30)
    assert stale.status_code == 401 and stale.json()["code"] == "session_invalid"
    fresh = httpx.get(f"{server.url}{API}/auth/me", headers={"Authorization": f"Bearer {after['token']}"}, timeout=30)
    assert fresh.status_code == 200 and fresh.json()["name"] == "Léa Martin"
    watched.assert_quiet()
