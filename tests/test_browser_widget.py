"""The comment widget as readers meet it: Debian's Chromium driven by playwright against a real `parvis serve`.

The host page is the demo article (`/`): its loader (`/embed.js`) opens the app's iframe on the Parvis
origin, `count.js` fills the comment-count link, and `data-parvis-article="#article-body"` turns on inline
comments. Tests that write get a thread of their own: the demo page is served as it is except for its thread
key (rewritten by `page.route`), so no test depends on what another one posted. Sorting, paging and the
right-to-left layouts open the app's page (`/embed/demo/frame?...`) directly, on threads seeded through the
API. Each seeded comment comes from its own reader (an X-Forwarded-For address behind one trusted proxy), so
the browser, which has none, may vote for it.

Every test ends by checking, in every frame, that the Content-Security-Policy was never violated, that no
script error happened and that no dialog opened.

The right-to-left screenshots are compared with tests/screenshots/*.png; after an intended change of
layout, run with PARVIS_UPDATE_SCREENSHOTS=1 to store new references, and look at them before committing.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from PIL import Image, ImageChops, ImageStat
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Frame,
    FrameLocator,
    Locator,
    Page,
    Route,
    expect,
)

from parvis.web.demo import SEEDS, SITE_SLUG, THREAD_KEY
from tests.browser import Watched, watch
from tests.servers import DEMO, ParvisServer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
WIDGET_BUILD = ROOT / "parvis" / "embed" / "static" / "parvis-widget"
AXE = ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).with_name("screenshots")
UPDATE_SCREENSHOTS = os.environ.get("PARVIS_UPDATE_SCREENSHOTS") == "1"
# How far a screenshot may be from its reference: the mean difference per colour channel (0-255), and the
# share of pixels that changed visibly (by more than VISIBLE in some channel). Anti-aliasing noise passes; a
# mirrored block, a moved avatar or a wrapped line does not.
MAX_MEAN_DIFFERENCE = 1.0
MAX_CHANGED_SHARE = 0.003
VISIBLE = 48
VIEWPORT = {"width": 1000, "height": 900}
API = f"/api/v1/sites/{SITE_SLUG}"
SEED_BODIES = {seed.ref: seed.body for seed in SEEDS}
PASSAGE = "Chaque habitant de plus de seize ans pourra déposer un projet en ligne"
EDITED_PASSAGE = "Chaque habitant de plus de 16 ans pourra déposer un projet en ligne"
REMOVED_PASSAGE = "Une commission mixte d’élus et d’habitants tirés au sort en vérifiera la faisabilité."
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Runs in every frame (the host page and the app's iframe) before the page's own scripts: records CSP
# violations, uncaught errors and the widget's postMessage traffic. Playwright injects it outside the CSP.
# Selects `text` (found within one text node) inside #article-body, the way a reader's drag would.
SELECT_PASSAGE = """
(text) => {
  const article = document.querySelector("#article-body");
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return true;
  }
  return false;
}
"""
# The passages the inline script marked with the CSS Custom Highlight API, as text.
HIGHLIGHTED = """
() => {
  const highlight = CSS.highlights.get("parvis-passages");
  return highlight ? [...highlight].map((range) => range.toString()) : [];
}
"""


# ---- the server, the API as other readers use it, the browser -----------------------------------------

# The demo site's moderation policy for this module: the default one without the signals about how comments
# are sent. The browser posts from one address, many times, at machine speed, and the module repeats texts
# across threads: pace, velocity, copies and surges would hold comments the tests expect published. Those
# signals are tested in parvis/moderation/tests; what the text says (personal data ...) and the hidden field
# still decide here.
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
        # Live updates reach the page within a second or two, and every stream ends after five seconds so
        # the tests also cover the browser reconnecting.
        "PARVIS_LIVE_POLL_SECONDS": "1",
        "PARVIS_LIVE_MAX_SECONDS": "5",
        # The module posts and votes far more than a reader would; limits are tested elsewhere.
        "PARVIS_RATELIMIT_COMMENT_IP": "100000/60",
        "PARVIS_RATELIMIT_COMMENT_THREAD": "100000/60",
        "PARVIS_RATELIMIT_ACTION_IP": "100000/60",
        # Seeded comments and votes each come from their own X-Forwarded-For address; the browser sends
        # none and is 127.0.0.1.
        "PARVIS_TRUSTED_PROXIES": "1",
    }
    with ParvisServer(tmp_path_factory.mktemp("parvis-widget"), workers=1, env=settings) as running:
        running.copy_database(migrated)
        running.cli("manage", "shell", "-c", DEMO + MODULE_POLICY)
        running.start()
        yield running


@dataclass
class Readers:
    """Other readers, through the public API; each call comes from a new address unless one is given."""

    http: httpx.Client
    addresses: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def _address(self, reader: int | None) -> dict[str, str]:
        number = next(self.addresses) if reader is None else reader
        return {"X-Forwarded-For": f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"}

    def post(
        self,
        key: str,
        body: str,
        name: str = "Lecteur",
        parent: int | None = None,
        anchor: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "thread": {"key": key, "title": f"Fil {key}"},
            "body": body,
            "author": {"name": name},
            "parent": parent,
        }
        if anchor:
            payload["anchor"] = anchor
        answer = self.http.post(f"{API}/comments", json=payload, headers=self._address(None))
        assert answer.status_code == 201, answer.text
        comment: dict[str, Any] = answer.json()["comment"]
        assert comment["status"] == "approved"
        return comment

    def vote(self, comment_id: int, value: int, reader: int | None = None) -> None:
        answer = self.http.post(
            f"{API}/comments/{comment_id}/votes", json={"value": value}, headers=self._address(reader)
        )
        assert answer.status_code == 200, answer.text

    def thread(self, key: str, **params: Any) -> dict[str, Any]:
        answer = self.http.get(f"{API}/thread", params={"key": key, "limit": 100, **params})
        assert answer.status_code == 200, answer.text
        page: dict[str, Any] = answer.json()
        return page


@pytest.fixture(scope="module")
def readers(server: ParvisServer) -> Iterator[Readers]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield Readers(http)


@pytest.fixture(scope="module")
def messages() -> dict[str, Any]:
    """The French strings the server gives the app (the demo site's language)."""
    table: dict[str, Any] = json.loads((WIDGET_BUILD / "i18n" / "fr.json").read_text(encoding="utf-8"))
    return table


def tr(table: dict[str, Any], key: str, n: int | None = None) -> str:
    """A French message; plural forms by French rules (0 and 1 are singular)."""
    message = table[key]
    if isinstance(message, dict):
        assert n is not None, key
        message = message["one"] if n in (0, 1) else message["other"]
    text = str(message)
    return text.replace("{n}", str(n)) if n is not None else text


_keys = itertools.count(1)


def new_key(purpose: str) -> str:
    """A thread key no other test uses."""
    return f"w{next(_keys)}-{purpose}"


# ---- pages that are watched for CSP violations, errors and dialogs -------------------------------------


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Watched]]:
    """Opens a watched page in a new browser context (a reader with storage of their own)."""
    contexts: list[BrowserContext] = []

    def open_page(**options: Any) -> Watched:
        context = browser.new_context(
            **{"locale": "fr-FR", "viewport": VIEWPORT, "reduced_motion": "reduce", **options}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return watch(context.new_page())

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def watched(open_page: Callable[..., Watched]) -> Watched:
    return open_page()


# ---- the host page and the app --------------------------------------------------------------------------


def open_article(
    watched: Watched,
    server: ParvisServer,
    key: str = THREAD_KEY,
    article: Callable[[str], str] | None = None,
    fragment: str = "",
) -> FrameLocator:
    """The demo article with its widget, for thread ``key``, its article text changed by ``article``;
    returns the app's frame once its first page of comments is shown."""
    page = watched.page
    if key != THREAD_KEY or article is not None:

        def rewrite(route: Route) -> None:
            original = route.fetch()
            html = original.text()
            if article is not None:
                start = html.index('<div id="article-body">')
                end = html.index("</div>", start)
                html = html[:start] + article(html[start:end]) + html[end:]
            html = html.replace(f'"{THREAD_KEY}"', f'"{key}"')
            headers = {name: value for name, value in original.headers.items() if name != "content-length"}
            route.fulfill(status=original.status, headers=headers, body=html)

        page.route(f"{server.url}/", rewrite)
    answer = page.goto(f"{server.url}/{fragment}")
    assert answer is not None and answer.status == 200
    page.locator("#parvis-thread").scroll_into_view_if_needed()
    app = page.frame_locator("#parvis-thread iframe")
    wait_until_loaded(app)
    return app


def wait_until_loaded(app: Page | FrameLocator) -> None:
    """The app has built its page and its first request for comments has been answered."""
    app.locator("main h2").wait_for(state="attached")
    app.locator("main [aria-busy]").wait_for(state="detached")
    expect(app.locator("main h2")).not_to_have_text("")


def open_frame_page(watched: Watched, server: ParvisServer, key: str, lang: str = "fr") -> Page:
    """The app's own page for thread ``key``, opened directly (no host page around it)."""
    query = urlencode({"key": key, "origin": server.url, "lang": lang})
    answer = watched.page.goto(f"{server.url}/embed/{SITE_SLUG}/frame?{query}")
    assert answer is not None and answer.status == 200
    wait_until_loaded(watched.page)
    return watched.page


def app_frame(page: Page) -> Frame:
    handle = page.locator("#parvis-thread iframe").element_handle()
    frame = handle.content_frame()
    assert frame is not None
    return frame


def comment(app: Page | FrameLocator, comment_id: int) -> Locator:
    return app.locator(f"#comment-{comment_id}")


def own_body(app: Page | FrameLocator, comment_id: int) -> Locator:
    """The comment's own text, not its replies'."""
    return app.locator(f"#comment-{comment_id} > .m > .b")


def own_actions(app: Page | FrameLocator, comment_id: int) -> Locator:
    return app.locator(f"#comment-{comment_id} > .m > .ac")


def heading(app: Page | FrameLocator) -> Locator:
    return app.locator("main h2")


def shown_ids(app: Page | FrameLocator) -> list[int]:
    """Ids of the top-level comments, in the order shown."""
    ids = app.locator("main article[id^='comment-']:not(.r article)").evaluate_all(
        "(elements) => elements.map((element) => element.id)"
    )
    return [int(value.removeprefix("comment-")) for value in ids]


def post_in(app: Page | FrameLocator, page: Page, form: Locator, body: str, name: str | None = None) -> int:
    """Types into a compose form and sends it; returns the id the server gave the comment."""
    form.locator("textarea").click()
    form.locator("textarea").fill(body)
    if name is not None:
        form.get_by_label("Nom").fill(name)
    with page.expect_response(
        lambda answer: answer.url.endswith(f"{API}/comments") and answer.request.method == "POST"
    ) as sent:
        form.locator("button[type=submit]").click()
    assert sent.value.status == 201, sent.value.text()
    new_id = int(sent.value.json()["comment"]["id"])
    expect(comment(app, new_id)).to_be_visible()
    return new_id


def top_form(app: Page | FrameLocator) -> Locator:
    return app.locator("main form").first


def ids_by_body(thread: dict[str, Any]) -> dict[str, int]:
    found: dict[str, int] = {}

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            found[re.sub(r"<[^>]+>", "", node["html"])] = node["id"]
            walk(node["replies"])

    walk(thread["comments"])
    return found


def seeded_id(readers: Readers, ref: str) -> int:
    plain = re.sub(r"\*+", "", SEED_BODIES[ref])
    by_body = ids_by_body(readers.thread(THREAD_KEY))
    return next(value for text, value in by_body.items() if text.startswith(plain[:40]))


def in_host_viewport(page: Page, target: Locator) -> bool:
    """Whether the top of ``target`` (in the app's frame) is on the reader's screen."""
    box = target.bounding_box()  # relative to the host page's viewport, through the iframe
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    return box["y"] >= 0 and box["y"] + min(box["height"], 100) <= viewport["height"]


# ---- reading -------------------------------------------------------------------------------------------


def test_readers_see_the_seeded_thread_in_four_languages_and_the_count_link_filled(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    with page.expect_response(lambda answer: answer.url.endswith(f"{API}/counts")) as counted:
        app = open_article(watched, server)
    expected = counted.value.json()["counts"][THREAD_KEY]
    assert expected == readers.thread(THREAD_KEY)["thread"]["count"] >= len(SEEDS)

    for ref in ("a", "c", "d", "f", "d2", "i1", "j1"):  # French, English, Hebrew, Arabic; top level and replies
        expect(app.locator("main .b", has_text=SEED_BODIES[ref])).to_be_visible()
    expect(app.locator("html")).to_have_attribute("lang", "fr")
    expect(app.locator("html")).to_have_attribute("dir", "ltr")
    expect(heading(app)).to_have_text(tr(messages, "comments", expected))
    # Names and texts in any script read in their own direction inside the French page.
    expect(app.locator("bdi", has_text="سامي").first).to_have_attribute("dir", "auto")
    expect(app.locator("main .b", has_text=SEED_BODIES["d"])).to_have_attribute("dir", "auto")
    # count.js replaced the link's text on the host page, in the page's language.
    expect(page.locator("a[data-parvis-count]")).to_have_text(f"{expected} commentaires")
    # The iframe was sized to its content: the whole thread shows without a scroll bar of its own.
    frame_height = page.locator("#parvis-thread iframe").evaluate("(frame) => frame.getBoundingClientRect().height")
    content_height = app.locator("html").evaluate("(html) => html.getBoundingClientRect().height")
    assert abs(frame_height - content_height) <= 1
    watched.assert_quiet()


# ---- writing -------------------------------------------------------------------------------------------


def test_a_guest_comment_shows_at_once_and_is_still_there_after_a_reload(
    server: ParvisServer, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    key = new_key("post")
    app = open_article(watched, server, key)
    expect(app.get_by_text(tr(messages, "empty"))).to_be_visible()
    body = "Bravo pour ce budget participatif : j’espère que les jardins partagés seront reconduits."

    new_id = post_in(app, page, top_form(app), body, name="Élodie")

    expect(own_body(app, new_id)).to_have_text(body)
    expect(comment(app, new_id).locator("bdi").first).to_have_text("Élodie")
    expect(app.get_by_role("status")).to_have_text(tr(messages, "posted"))
    expect(heading(app)).to_have_text(tr(messages, "comments", 1))
    expect(top_form(app).locator("textarea")).to_have_value("")
    page.reload()
    wait_until_loaded(app)
    expect(own_body(app, new_id)).to_have_text(body)
    expect(page.locator("a[data-parvis-count]")).to_have_text("1 commentaire")
    watched.assert_quiet()


def test_a_reply_opens_under_its_comment_and_is_posted_in_place(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    app = open_article(watched, server)
    parent_id = seeded_id(readers, "f")  # Sami's Arabic comment
    body = "شكراً يا سامي، أتفق معك: الأحياء ذات الأولوية تستحق حصة ثابتة من الميزانية."

    own_actions(app, parent_id).get_by_role("button", name=tr(messages, "reply")).click()
    form = comment(app, parent_id).locator("form")
    expect(form).to_have_count(1)
    expect(form.locator("textarea")).to_be_focused()
    reply_id = post_in(app, page, form, body, name="يوسف")

    expect(comment(app, parent_id).locator("form")).to_have_count(0)
    expect(comment(app, parent_id).locator(f"#comment-{reply_id}")).to_be_visible()
    expect(own_body(app, reply_id)).to_have_text(body)
    page.reload()
    wait_until_loaded(app)
    expect(comment(app, parent_id).locator(f"#comment-{reply_id} > .m > .b")).to_have_text(body)
    assert readers.thread(THREAD_KEY)["thread"]["count"] >= len(SEEDS) + 1
    watched.assert_quiet()


def test_an_author_edits_then_deletes_their_comment_with_the_token_kept_in_the_frame(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    key = new_key("edit")
    other = readers.post(key, "Premier avis : la commission tirée au sort est une bonne idée.", name="Marc")
    app = open_article(watched, server, key)
    body = "Le vote par correspondance devrait etre possible."

    mine = post_in(app, page, top_form(app), body, name="Zoé")

    held = app_frame(page).evaluate(f"JSON.parse(localStorage.getItem('parvis:tokens:{SITE_SLUG}'))")
    assert set(held) == {str(mine)} and held[str(mine)]["token"]
    expect(own_actions(app, other["id"]).get_by_role("button", name=tr(messages, "edit"))).to_have_count(0)

    page.reload()
    wait_until_loaded(app)
    own_actions(app, mine).get_by_role("button", name=tr(messages, "edit")).click()
    editor = comment(app, mine).locator("form")
    expect(editor.locator("textarea")).to_have_value(body)
    fixed = "Le vote par correspondance devrait être possible, comme à Haïfa."
    editor.locator("textarea").fill(fixed)
    editor.get_by_role("button", name=tr(messages, "save")).click()
    expect(own_body(app, mine)).to_have_text(fixed)
    expect(comment(app, mine).get_by_text(tr(messages, "edited"))).to_be_visible()
    expect(app.get_by_role("status")).to_have_text(tr(messages, "saved"))

    page.reload()
    wait_until_loaded(app)
    expect(own_body(app, mine)).to_have_text(fixed)
    own_actions(app, mine).get_by_role("button", name=tr(messages, "delete")).click()
    expect(comment(app, mine).get_by_text(tr(messages, "deleteConfirm"))).to_be_visible()
    # The confirmation's own button comes after the one that opened it.
    comment(app, mine).get_by_role("button", name=tr(messages, "delete")).last.click()
    expect(comment(app, mine)).to_have_count(0)
    expect(app.get_by_role("status")).to_have_text(tr(messages, "deletedOk"))
    expect(heading(app)).to_have_text(tr(messages, "comments", 1))

    page.reload()
    wait_until_loaded(app)
    expect(comment(app, mine)).to_have_count(0)
    expect(comment(app, other["id"])).to_be_visible()
    assert [node["id"] for node in readers.thread(key)["comments"]] == [other["id"]]
    watched.assert_quiet()


def test_a_vote_changes_the_score_and_is_remembered_until_withdrawn(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    key = new_key("vote")
    target = readers.post(key, "Il faudrait publier la liste des projets refusés.", name="Nicolas")
    readers.vote(target["id"], 1)
    app = open_article(watched, server, key)
    up = own_actions(app, target["id"]).get_by_role("button", name=tr(messages, "up"))
    down = own_actions(app, target["id"]).get_by_role("button", name=tr(messages, "down"))
    score = own_actions(app, target["id"]).get_by_title(re.compile(r"\d+ points?"))
    expect(score).to_have_text("1")
    expect(up).to_have_attribute("aria-pressed", "false")

    up.click()
    expect(score).to_have_text("2")
    expect(up).to_have_attribute("aria-pressed", "true")
    page.reload()
    wait_until_loaded(app)
    expect(score).to_have_text("2")
    expect(up).to_have_attribute("aria-pressed", "true")

    down.click()  # turns the vote around
    expect(score).to_have_text("0")
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    down.click()  # withdraws it
    expect(score).to_have_text("1")
    expect(down).to_have_attribute("aria-pressed", "false")
    assert readers.thread(key)["comments"][0]["score"] == 1
    watched.assert_quiet()


def test_a_reader_reports_a_comment_with_the_tools_loaded_on_the_first_click(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    key = new_key("report")
    target = readers.post(key, "Encore une publicité pour des montres de luxe à prix cassés.", name="Vendeur")
    app = open_article(watched, server, key)
    # Reading the thread loads no tools chunk; the first click on "Report" does.
    with page.expect_request(lambda request: "/parvis-widget/tools-" in request.url) as chunk:
        own_actions(app, target["id"]).get_by_role("button", name=tr(messages, "report")).click()
    assert chunk.value.response() and chunk.value.response().ok  # type: ignore[union-attr]
    reason = comment(app, target["id"]).get_by_label(tr(messages, "reportReason"))
    expect(reason).to_be_focused()
    reason.select_option("spam")
    comment(app, target["id"]).get_by_label(tr(messages, "reportNote")).fill("Publicité")
    with page.expect_response(lambda answer: answer.url.endswith(f"/comments/{target['id']}/flags")) as sent:
        comment(app, target["id"]).get_by_role("button", name=tr(messages, "reportSend")).click()
    assert sent.value.status == 201
    assert sent.value.request.post_data_json == {"reason": "spam", "note": "Publicité"}
    expect(comment(app, target["id"]).get_by_role("status")).to_have_text(tr(messages, "reported"))
    watched.assert_quiet()


def test_a_reader_types_before_the_composer_chunk_has_come_and_keeps_every_letter(
    server: ParvisServer, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    # The composer chunk is held back until the reader has typed: the textarea is the app's from the first paint.
    held: list[Route] = []
    page.route("**/parvis-widget/composer-*", lambda route: held.append(route))
    app = open_article(watched, server, new_key("early"))
    form = top_form(app)
    text = form.locator("textarea")
    expect(text).to_have_accessible_name(tr(messages, "label"))
    text.click()
    page.keyboard.type("Écrit avant que le formulaire n’arrive")
    expect(form.locator("button[type=submit]")).to_have_count(0)
    assert len(held) == 1, "the first touch of the textarea asks for the composer chunk once"

    held[0].continue_()
    expect(form.get_by_label("Nom")).to_be_visible()
    # The same element, still focused, the caret where it was: what follows goes at the end.
    expect(text).to_be_focused()
    page.keyboard.type(", et le reste après.")
    body = "Écrit avant que le formulaire n’arrive, et le reste après."
    expect(text).to_have_value(body)
    new_id = post_in(app, page, form, body, name="Lise")
    expect(own_body(app, new_id)).to_have_text(body)
    watched.assert_quiet()


def test_a_composer_chunk_that_failed_to_load_is_said_and_loaded_on_the_next_key(
    server: ParvisServer, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    page.route("**/parvis-widget/composer-*", lambda route: route.abort())
    app = open_article(watched, server, new_key("composer-fails"))
    form = top_form(app)
    text = form.locator("textarea")
    text.click()
    page.keyboard.type("Un texte")
    expect(app.get_by_role("status")).to_have_text(tr(messages, "error.network"))
    expect(form.locator("button[type=submit]")).to_have_count(0)

    page.unroute("**/parvis-widget/composer-*")
    page.keyboard.type(" qui reste")
    expect(form.get_by_label("Nom")).to_be_visible()
    expect(text).to_have_value("Un texte qui reste")
    # The browser logs the aborted script loads; nothing else may fail.
    watched.assert_quiet(allow_console=r"/parvis-widget/composer-[0-9a-f]{12}\.js")


def test_a_tools_chunk_that_failed_to_load_is_said_and_loaded_on_the_next_click(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    key = new_key("chunk")
    target = readers.post(key, "Un avis que quelqu'un voudra signaler.", name="Claire")
    app = open_article(watched, server, key)
    report = own_actions(app, target["id"]).get_by_role("button", name=tr(messages, "report"))
    page.route("**/parvis-widget/tools-*", lambda route: route.abort())
    report.click()
    expect(app.get_by_role("status")).to_have_text(tr(messages, "error.network"))
    expect(comment(app, target["id"]).locator("form")).to_have_count(0)

    page.unroute("**/parvis-widget/tools-*")
    report.click()
    expect(comment(app, target["id"]).get_by_label(tr(messages, "reportReason"))).to_be_focused()
    # The browser logs the aborted script load; nothing else may fail.
    watched.assert_quiet(allow_console=r"/parvis-widget/tools-[0-9a-f]{12}\.js")


# ---- sorting, paging, permalinks -----------------------------------------------------------------------


def test_the_sort_menu_orders_comments_by_newest_and_by_best(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    key = new_key("sort")
    liked = readers.post(key, "Un avis apprécié, publié en premier.", name="Anne")
    loved = readers.post(key, "Un avis très apprécié, publié en deuxième.", name="Bruno")
    disliked = readers.post(key, "Un avis contesté, publié en dernier.", name="Chloé")
    readers.vote(liked["id"], 1)
    for _ in range(3):
        readers.vote(loved["id"], 1)
    readers.vote(disliked["id"], -1)
    page = open_frame_page(watched, server, key)
    sort = page.get_by_label(re.compile(tr(messages, "sort")))
    assert shown_ids(page) == [liked["id"], loved["id"], disliked["id"]]

    sort.select_option(label=tr(messages, "sort.newest"))
    expect(page.locator("main article").first).to_have_id(f"comment-{disliked['id']}")
    assert shown_ids(page) == [disliked["id"], loved["id"], liked["id"]]

    sort.select_option(label=tr(messages, "sort.best"))
    expect(page.locator("main article").first).to_have_id(f"comment-{loved['id']}")
    assert shown_ids(page) == [loved["id"], liked["id"], disliked["id"]]
    watched.assert_quiet()


def test_load_more_adds_the_next_page_and_show_all_the_rest(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    key = new_key("paging")
    posted = [readers.post(key, f"Commentaire numéro {number} sur le budget.")["id"] for number in range(1, 46)]
    page = open_frame_page(watched, server, key)
    expect(heading(page)).to_have_text(tr(messages, "comments", 45))
    assert shown_ids(page) == posted[:20]

    page.get_by_role("button", name=tr(messages, "more")).click()
    expect(page.locator(f"#comment-{posted[39]}")).to_be_visible()
    assert shown_ids(page) == posted[:40]

    page.get_by_role("button", name=tr(messages, "all")).click()
    expect(page.locator(f"#comment-{posted[44]}")).to_be_visible()
    assert shown_ids(page) == posted
    expect(page.get_by_role("button", name=tr(messages, "more"))).to_have_count(0)
    expect(page.get_by_role("button", name=tr(messages, "all"))).to_have_count(0)
    watched.assert_quiet()


def test_a_permalink_scrolls_the_article_to_the_comment_and_highlights_it(
    server: ParvisServer, readers: Readers, watched: Watched
) -> None:
    page = watched.page
    target = seeded_id(readers, "m")  # the last top-level comment, far below the article
    app = open_article(watched, server, fragment=f"#comment-{target}")

    expect(comment(app, target)).to_have_class(re.compile(r"\bhl\b"))
    expect(app.locator("main .hl")).to_have_count(1)
    page.wait_for_function("() => window.scrollY > 0")
    assert in_host_viewport(page, comment(app, target))
    watched.assert_quiet()


def test_a_permalink_to_a_deep_reply_on_a_later_page_opens_it(
    server: ParvisServer, readers: Readers, watched: Watched
) -> None:
    page = watched.page
    key = new_key("deep")
    for number in range(1, 22):
        last = readers.post(key, f"Avis numéro {number}.")
    parent = last["id"]  # the 21st top-level comment: on the second page
    for depth in range(1, 8):  # deeper than the app nests replies
        parent = readers.post(key, f"Réponse de niveau {depth}.", parent=parent)["id"]
    app = open_article(watched, server, key, fragment=f"#comment-{parent}")

    expect(comment(app, parent)).to_be_visible()
    expect(own_body(app, parent)).to_have_text("Réponse de niveau 7.")
    expect(comment(app, parent)).to_have_class(re.compile(r"\bhl\b"))
    page.wait_for_function("() => window.scrollY > 0")
    assert in_host_viewport(page, comment(app, parent))
    watched.assert_quiet()


# ---- inline comments -----------------------------------------------------------------------------------


def comment_on_passage(watched: Watched, app: FrameLocator, passage: str, body: str) -> int:
    page = watched.page
    assert page.evaluate(SELECT_PASSAGE, passage)
    button = page.get_by_role("button", name="Commenter ce passage")
    expect(button).to_be_visible()
    button.click()
    form = top_form(app)
    expect(form.locator("blockquote")).to_have_text(passage)
    expect(form.locator("textarea")).to_be_focused()
    return post_in(app, page, form, body, name="Inès")


def test_a_comment_on_a_selected_passage_quotes_it_and_marks_it_in_the_article(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    key = new_key("inline")
    app = open_article(watched, server, key)

    new_id = comment_on_passage(watched, app, PASSAGE, "Seize ans, c’est bien : les lycéens ont des idées.")

    expect(comment(app, new_id).locator("blockquote")).to_have_text(PASSAGE)
    anchor = readers.thread(key)["comments"][0]["anchor"]
    assert anchor["exact"] == PASSAGE and anchor["prefix"] and anchor["suffix"]
    page.reload()
    wait_until_loaded(app)
    expect(comment(app, new_id).locator("blockquote")).to_have_text(PASSAGE)
    page.wait_for_function(f"({HIGHLIGHTED})().length > 0")
    assert page.evaluate(HIGHLIGHTED) == [PASSAGE]
    expect(comment(app, new_id).get_by_text(tr(messages, "orphan"))).to_be_hidden()
    # The article's own markup is untouched: the mark is a highlight, not an element.
    assert page.locator("#article-body mark, #article-body span").count() == 0

    # Clicking the marked passage brings its discussion forward.
    expect(comment(app, new_id)).not_to_have_class(re.compile(r"\bhl\b"))
    page.locator("#article-body").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """() => {
             const [range] = CSS.highlights.get("parvis-passages");
             const box = range.getClientRects()[0];
             return [box.left + box.width / 2, box.top + box.height / 2];
           }"""
    )
    page.mouse.click(x, y)
    expect(comment(app, new_id)).to_have_class(re.compile(r"\bhl\b"))
    page.wait_for_function("() => window.scrollY > 0")
    assert in_host_viewport(page, comment(app, new_id))
    watched.assert_quiet()


def test_inline_comments_follow_an_edited_passage_and_list_a_removed_one_as_orphaned(
    server: ParvisServer, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    key = new_key("anchors")
    app = open_article(watched, server, key)
    kept = comment_on_passage(watched, app, PASSAGE, "Et pourquoi pas dès quatorze ans ?")
    gone = comment_on_passage(watched, app, REMOVED_PASSAGE, "Qui tire au sort, et comment ?")
    page.unroute_all()

    def edited(article: str) -> str:
        article = article.replace("seize ans", "16 ans")
        article = article.replace("<p>Le conseil municipal", "<p>Mise à jour mardi. Le conseil municipal")
        return article.replace(REMOVED_PASSAGE, "")

    page.goto("about:blank")
    app = open_article(watched, server, key, article=edited)
    article = page.locator("#article-body").inner_text()
    assert EDITED_PASSAGE in article and REMOVED_PASSAGE not in article

    expect(comment(app, gone).get_by_text(tr(messages, "orphan"))).to_be_visible()
    # What the loader found when it anchored the passages in the edited article, as the app received it.
    resolved = app_frame(page).evaluate(
        "window.__parvis.messages.filter((message) => message.type === 'anchors-resolved').map((m) => m.orphans)"
    )
    assert resolved[-1] == [gone]
    assert page.evaluate(HIGHLIGHTED) == [EDITED_PASSAGE]
    expect(comment(app, kept).get_by_text(tr(messages, "orphan"))).to_be_hidden()
    expect(comment(app, gone).locator("blockquote")).to_have_text(REMOVED_PASSAGE)
    expect(heading(app)).to_have_text(tr(messages, "comments", 2))
    watched.assert_quiet()


# ---- live updates and failures -------------------------------------------------------------------------


def test_a_comment_posted_on_a_second_page_is_announced_then_shown_on_click(
    server: ParvisServer,
    readers: Readers,
    watched: Watched,
    open_page: Callable[..., Watched],
    messages: dict[str, Any],
) -> None:
    key = new_key("live")
    first = readers.post(key, "Qui a déjà voté cette année ?", name="Lucas")
    app = open_article(watched, server, key)
    expect(comment(app, first["id"])).to_be_visible()
    mine = post_in(app, watched.page, top_form(app), "Pas encore, j’attends la liste des projets.", name="Jeanne")

    other = open_page()
    other_app = open_article(other, server, key)
    body = "Moi, hier soir, en ligne : trois minutes à peine."
    theirs = post_in(other_app, other.page, top_form(other_app), body, name="Hélène")

    # Only the other reader's comment is new to this reader; their own was shown when they posted it.
    announce = app.get_by_role("button", name=tr(messages, "newComments", 1))
    expect(announce).to_be_visible()
    expect(comment(app, theirs)).to_have_count(0)  # announced, not pushed into the page under the reader
    announce.click()
    expect(own_body(app, theirs)).to_have_text(body)
    expect(announce).to_have_count(0)
    assert sorted(shown_ids(app)) == [first["id"], mine, theirs]
    expect(heading(app)).to_have_text(tr(messages, "comments", 3))
    watched.assert_quiet()
    other.assert_quiet()


def test_a_live_reply_to_a_comment_on_a_page_not_loaded_yet_appears_with_that_page(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    key = new_key("live-later")
    posted = [readers.post(key, f"Avis numéro {number}.")["id"] for number in range(1, 26)]
    page = open_frame_page(watched, server, key)
    assert shown_ids(page) == posted[:20]
    reply = readers.post(key, "Réponse arrivée en direct.", parent=posted[24])["id"]
    announce = page.get_by_role("button", name=tr(messages, "newComments", 1))
    announce.click()
    expect(heading(page)).to_have_text(tr(messages, "comments", 26))
    page.get_by_role("button", name=tr(messages, "more")).click()
    expect(own_body(page, reply)).to_have_text("Réponse arrivée en direct.")
    expect(heading(page)).to_have_text(tr(messages, "comments", 26))
    watched.assert_quiet()


def test_live_updates_keep_arriving_after_the_server_ends_a_stream(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    key = new_key("live-reconnect")
    readers.post(key, "Premier avis.")
    streams: list[str] = []
    watched.page.on("request", lambda request: streams.append(request.url) if "/thread/events" in request.url else None)
    page = open_frame_page(watched, server, key)
    # The server ends each stream after 5 s; the browser must open a new one rather than fall back to
    # polling every 30 s. Counted from the page's first stream (recorded above, even when it opened while the
    # page loaded), so the test waits for one reconnection, not for two.
    while len(streams) < 2:
        with page.expect_request(lambda request: "/thread/events" in request.url, timeout=20_000):
            pass
    late = readers.post(key, "Arrivé après la reconnexion.")["id"]
    announce = page.get_by_role("button", name=tr(messages, "newComments", 1))
    expect(announce).to_be_visible(timeout=10_000)
    announce.click()
    expect(own_body(page, late)).to_have_text("Arrivé après la reconnexion.")
    watched.assert_quiet()


def demo_page_changed(watched: Watched, server: ParvisServer, change: Callable[[str], str]) -> Page:
    """The demo article with its HTML changed by ``change`` (a publisher's mistake), opened and scrolled
    to where the comments would be."""
    page = watched.page

    def rewrite(route: Route) -> None:
        original = route.fetch()
        headers = {name: value for name, value in original.headers.items() if name != "content-length"}
        route.fulfill(status=original.status, headers=headers, body=change(original.text()))

    page.route(f"{server.url}/", rewrite)
    page.goto(f"{server.url}/")
    page.mouse.wheel(0, 20_000)
    return page


def parvis_errors(watched: Watched, timeout_ms: int) -> list[str]:
    """The widget's console errors, once at least one has appeared (or the timeout has passed)."""
    for _ in range(timeout_ms // 100):
        if any("Parvis:" in text for text in watched.console):
            break
        watched.page.wait_for_timeout(100)
    return [text for text in watched.console if "Parvis:" in text]


def test_a_wrong_site_id_logs_one_clear_error_and_leaves_the_page_as_it_was(
    server: ParvisServer, watched: Watched
) -> None:
    page = demo_page_changed(
        watched,
        server,
        lambda html: html.replace('embed.js" data-parvis-site="demo"', 'embed.js" data-parvis-site="nosuchsite"'),
    )
    article = page.locator("article").inner_html()
    errors = parvis_errors(watched, 20_000)
    assert len(errors) == 1 and "nosuchsite" in errors[0], watched.console
    expect(page.locator("#parvis-thread iframe")).to_have_count(0)
    assert page.locator("article").inner_html() == article
    # The unknown site's error page may not be framed (frame-ancestors 'none'): that refusal is expected.
    watched.assert_quiet(csp=False, allow_console=r"Parvis:|frame-ancestors|status of 404")


def test_a_missing_container_logs_one_clear_error_and_changes_nothing(server: ParvisServer, watched: Watched) -> None:
    page = demo_page_changed(
        watched, server, lambda html: html.replace('<div id="parvis-thread">', '<div id="elsewhere">')
    )
    assert len(parvis_errors(watched, 10_000)) == 1
    expect(page.locator("iframe")).to_have_count(0)
    watched.assert_quiet(allow_console="Parvis:")


def test_messages_from_any_other_window_are_ignored_both_ways(server: ParvisServer, watched: Watched) -> None:
    app = open_article(watched, server, new_key("forged"))
    page = watched.page
    frame = app_frame(page)
    # A script on the publisher's page posts to itself as if it were the app: the loader must not obey.
    height = page.locator("#parvis-thread iframe").bounding_box()["height"]  # type: ignore[index]
    page.evaluate("window.postMessage({parvis: 1, type: 'height', height: 5}, '*')")
    # And something inside the frame posts to the app as if it were the loader.
    frame.evaluate(
        "window.postMessage({parvis: 1, type: 'compose-inline', quote: {exact: 'FAUX', prefix: '', suffix: ''}}, '*')"
    )
    page.wait_for_timeout(500)  # give a wrongly accepted message time to act
    assert page.locator("#parvis-thread iframe").bounding_box()["height"] == height  # type: ignore[index]
    expect(app.get_by_text("FAUX")).to_have_count(0)
    watched.assert_quiet()


def test_markup_in_a_comment_or_its_preview_shows_as_text_and_runs_nothing(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    key = new_key("hostile")
    hostile = "Voyez <img src=x onerror=alert(1)> et [ici](javascript:alert(2)) <script>alert(3)</script>"
    seeded = readers.post(key, hostile, name="Mallory\u202egnp.exe")
    app = open_article(watched, server, key)

    shown = own_body(app, seeded["id"])
    expect(shown).to_contain_text("<img src=x onerror=alert(1)>")
    expect(shown).to_contain_text("<script>alert(3)</script>")
    assert shown.locator("img, script").count() == 0
    assert app.locator("a[href^='javascript:' i]").count() == 0
    # A bidi override cannot turn the name around.
    expect(comment(app, seeded["id"]).locator("bdi").first).to_have_text("Mallorygnp.exe")

    form = top_form(app)
    form.locator("textarea").click()
    form.locator("textarea").fill("**Gras** et <img src=x onerror=alert(4)>")
    form.get_by_role("button", name=tr(messages, "preview")).click()
    preview = form.locator("strong", has_text="Gras")
    expect(preview).to_be_visible()
    expect(preview.locator("xpath=..")).to_contain_text("<img src=x onerror=alert(4)>")
    assert form.locator("img").count() == 0
    watched.assert_quiet()


def test_a_draft_survives_a_failed_post_offline_and_a_reload(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    key = new_key("offline")
    app = open_article(watched, server, key)
    form = top_form(app)
    body = "Texte écrit dans le métro, sans réseau : il ne doit pas se perdre."
    form.locator("textarea").click()
    form.locator("textarea").fill(body)
    form.get_by_label("Nom").fill("Rachid")

    watched.context.set_offline(True)
    form.locator("button[type=submit]").click()
    alert = form.get_by_role("alert").filter(has_text=tr(messages, "error.network"))
    expect(alert).to_contain_text(tr(messages, "kept"))
    retry = form.get_by_role("button", name=tr(messages, "retry"))
    expect(retry).to_be_visible()
    expect(form.locator("textarea")).to_have_value(body)
    retry.click()
    expect(form.locator("textarea")).to_have_value(body)

    watched.context.set_offline(False)
    page.reload()
    wait_until_loaded(app)
    assert readers.thread(key)["thread"]["count"] == 0
    expect(top_form(app).locator("textarea")).to_have_value(body)

    new_id = post_in(app, page, top_form(app), body, name="Rachid")
    page.reload()
    wait_until_loaded(app)
    expect(own_body(app, new_id)).to_have_text(body)
    expect(top_form(app).locator("textarea")).to_have_value("")
    # While offline, the browser reported the failed requests (posting, live updates) in the console.
    watched.assert_quiet(allow_console=r"ERR_INTERNET_DISCONNECTED|Failed to load resource|net::ERR_")


# ---- moderation, as the author sees it ----------------------------------------------------------------


def own_token(page: Page, comment_id: int) -> str:
    """The edit token the app keeps for one of the reader's comments, in its frame's localStorage."""
    held = app_frame(page).evaluate(f"JSON.parse(localStorage.getItem('parvis:tokens:{SITE_SLUG}'))")
    token: str = held[str(comment_id)]["token"]
    return token


def own_thread(readers: Readers, key: str, token: str) -> dict[str, Any]:
    """The thread as its author reads it: with their own held or refused comments."""
    answer = readers.http.get(f"{API}/thread", params={"key": key}, headers={"Parvis-Own-Tokens": token})
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


def notice(app: Page | FrameLocator, comment_id: int) -> Locator:
    """The author's notice on their held or refused comment."""
    return app.locator(f"#comment-{comment_id} > .m > [role=status]")


def announcement(app: Page | FrameLocator) -> Locator:
    """The app's own live region (what a screen reader says after an action)."""
    return app.locator("main > .sr[role=status]")


def why(table: dict[str, Any], sentence: str, *codes: str) -> str:
    """A French held/refused sentence with its reasons (one or two: "A et B")."""
    reasons = " et ".join(tr(table, f"why.{code}") for code in codes)
    return tr(table, sentence).replace("{reasons}", reasons)


def test_a_comment_with_a_phone_number_waits_with_its_reason_shown_to_its_author_only(
    server: ParvisServer,
    readers: Readers,
    watched: Watched,
    open_page: Callable[..., Watched],
    messages: dict[str, Any],
) -> None:
    page = watched.page
    key = new_key("held")
    app = open_article(watched, server, key)
    body = "Pour les jardins partagés, appelez-moi au 06 12 34 56 78 : je coordonne les bénévoles du quartier."

    held = post_in(app, page, top_form(app), body, name="Margaux")

    expected = why(messages, "heldWhy", "personal_data")
    expect(notice(app, held)).to_have_text(expected)
    expect(announcement(app)).to_have_text(expected)
    expect(comment(app, held).locator(".bd")).to_have_text(tr(messages, "pending"))
    expect(own_body(app, held)).to_have_text(body)
    # Held, not refused: nothing to appeal yet, and nothing counted.
    expect(notice(app, held).get_by_role("button")).to_have_count(0)
    expect(heading(app)).to_have_text(tr(messages, "comments", 0))

    page.reload()
    wait_until_loaded(app)
    expect(notice(app, held)).to_have_text(expected)
    expect(own_body(app, held)).to_have_text(body)

    # Another reader sees neither the comment nor the notice.
    other = open_page()
    other_app = open_article(other, server, key)
    expect(other_app.get_by_text(tr(messages, "empty"))).to_be_visible()
    expect(comment(other_app, held)).to_have_count(0)
    thread = readers.thread(key)
    assert thread["comments"] == [] and thread["thread"]["count"] == 0
    moderation = own_thread(readers, key, own_token(page, held))["comments"][0]["moderation"]
    assert moderation["action"] == "hold"
    assert [reason["code"] for reason in moderation["reasons"]] == ["personal_data"]
    watched.assert_quiet()
    other.assert_quiet()


def test_a_refused_comment_shows_why_and_its_author_can_ask_for_a_review_once(
    server: ParvisServer, readers: Readers, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    key = new_key("appeal")
    app = open_article(watched, server, key)
    body = "Le budget participatif devrait aussi financer des bancs le long des quais."
    # A script fills every field it finds, the hidden one too: the server takes the comment for spam.
    top_form(app).locator("textarea").click()
    app.locator("main form input[name=subject]").first.evaluate("(input) => { input.value = 'Offre spéciale' }")

    refused = post_in(app, page, top_form(app), body, name="Yanis")

    expected = why(messages, "refusedWhy", "spam")
    expect(notice(app, refused)).to_contain_text(expected)
    expect(comment(app, refused).locator(".bd")).to_have_text(tr(messages, "unpublished"))
    expect(own_body(app, refused)).to_have_text(body)  # its author still reads what they wrote
    expect(own_actions(app, refused).get_by_role("button", name=tr(messages, "edit"))).to_have_count(0)
    ask = notice(app, refused).get_by_role("button", name=tr(messages, "appeal"))
    expect(ask).to_be_enabled()

    ask.click()
    message = comment(app, refused).get_by_label(tr(messages, "appealNote"))
    expect(message).to_be_focused()
    message.fill("Je ne suis pas un robot : j’ai écrit ce message moi-même.")
    with page.expect_request(lambda request: request.url.endswith(f"/comments/{refused}/appeal")) as sent:
        comment(app, refused).get_by_role("button", name=tr(messages, "appealSend")).click()
    assert sent.value.headers["parvis-edit-token"] == own_token(page, refused)
    assert sent.value.post_data_json == {"message": "Je ne suis pas un robot : j’ai écrit ce message moi-même."}
    expect(announcement(app)).to_have_text(tr(messages, "appealSent"))
    done = notice(app, refused).get_by_role("button", name=tr(messages, "appealed"))
    expect(done).to_be_disabled()
    expect(comment(app, refused).locator("form")).to_have_count(0)

    moderation = own_thread(readers, key, own_token(page, refused))["comments"][0]["moderation"]
    assert moderation["action"] == "spam" and moderation["appealed"] is True and moderation["appealable"] is False
    assert readers.thread(key)["comments"] == []
    page.reload()
    wait_until_loaded(app)
    expect(notice(app, refused).get_by_role("button", name=tr(messages, "appealed"))).to_be_disabled()
    watched.assert_quiet()


def test_a_comment_still_being_checked_shows_its_outcome_once_decided(
    server: ParvisServer, watched: Watched, messages: dict[str, Any]
) -> None:
    page = watched.page
    key = new_key("checking")
    app = open_article(watched, server, key)

    # The second automatic stage needs the optional encoder: the server's answer is made to say it is running
    # (as it does when the first stage is unsure), while the comment is in fact published.
    def still_checking(route: Route) -> None:
        answer = route.fetch()
        created = answer.json()
        created["comment"]["status"] = "pending"
        created["comment"]["moderation"] = {
            "action": "hold",
            "reasons": [{"code": "checking", "label": ""}],
            "appealable": True,
            "appealed": False,
        }
        route.fulfill(response=answer, json=created)

    page.route(re.compile(rf".*{re.escape(API)}/comments$"), still_checking)
    body = "Le vote en ligne a très bien marché l’an dernier, je recommande."
    with page.expect_request(lambda request: "/thread?" in request.url and "sort=newest" in request.url) as again:
        checked = post_in(app, page, top_form(app), body, name="Paul")
        expect(notice(app, checked)).to_have_text(why(messages, "heldWhy", "checking"))
        expect(comment(app, checked).locator(".bd")).to_have_text(tr(messages, "pending"))
    assert again.value.headers["parvis-own-tokens"] == own_token(page, checked)
    # The next read finds it published: the notice goes, it counts, and it can be replied to.
    expect(notice(app, checked)).to_have_count(0)
    expect(comment(app, checked).locator(".bd")).to_have_text("")
    expect(heading(app)).to_have_text(tr(messages, "comments", 1))
    expect(own_actions(app, checked).get_by_role("button", name=tr(messages, "reply"))).to_be_visible()
    watched.assert_quiet()


@pytest.mark.parametrize("lang", ["ar", "he"])
def test_the_notice_reads_right_to_left_for_arabic_and_hebrew_readers(
    server: ParvisServer, open_page: Callable[..., Watched], lang: str, tmp_path: Path
) -> None:
    table: dict[str, Any] = json.loads((WIDGET_BUILD / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    body = {
        "ar": "للتطوع في الحديقة المشتركة اتصلوا بي على الرقم 0612345678 مساءً.",
        "he": "להתנדבות בגינה הקהילתית התקשרו אליי למספר 052-1234567 בערב.",
    }[lang]
    watched = open_page(
        locale={"ar": "ar-EG", "he": "he-IL"}[lang],
        viewport={"width": 560, "height": 400},
        color_scheme="light",
        timezone_id="UTC",
    )
    page = open_frame_page(watched, server, new_key(f"held-{lang}"), lang=lang)
    form = top_form(page)
    form.locator("textarea").click()
    form.locator("textarea").fill(body)
    form.locator("input[autocomplete=nickname]").fill({"ar": "سلمى", "he": "מיכל"}[lang])
    with page.expect_response(lambda answer: answer.url.endswith(f"{API}/comments")) as sent:
        form.locator("button[type=submit]").click()
    held = int(sent.value.json()["comment"]["id"])

    note = notice(page, held)
    reason = str(table["heldWhy"]).replace("{reasons}", str(table["why.personal_data"]))
    expect(note).to_have_text(reason)
    assert note.evaluate("(note) => getComputedStyle(note).direction") == "rtl"
    # The notice's rule is on the start side: the right.
    assert note.evaluate("(note) => getComputedStyle(note).borderRightWidth") == "3px"
    assert note.evaluate("(note) => getComputedStyle(note).borderLeftWidth") == "0px"
    page.mouse.move(0, 0)
    png = comment(page, held).screenshot(animations="disabled", caret="hide", scale="css")
    matches_reference(png, f"widget-held-{lang}.png", tmp_path)
    watched.assert_quiet()


def test_the_hidden_field_is_out_of_sight_and_out_of_reach_and_the_form_reports_its_pace(
    server: ParvisServer, open_page: Callable[..., Watched], messages: dict[str, Any]
) -> None:
    watched = open_page()
    page = watched.page
    page.clock.install()
    app = open_article(watched, server, new_key("trap"))
    form = top_form(app)
    # The rest of the form (the hidden field with it) comes with the composer chunk, on the first touch of the text.
    form.locator("textarea").click()
    trap = form.locator("input[name=subject]")
    expect(trap).to_have_count(1)
    expect(trap).to_have_attribute("tabindex", "-1")
    expect(trap).to_have_attribute("autocomplete", "off")
    expect(trap).to_have_attribute("aria-hidden", "true")
    # Off the frame's left edge (the side that never scrolls), inside a 1-pixel box that clips it.
    assert trap.evaluate("(input) => input.getBoundingClientRect().right <= 0")
    assert trap.evaluate("(input) => input.parentElement.getBoundingClientRect().width <= 1")

    # A keyboard reader goes from the text to the send button without ever landing on it.
    form.locator("textarea").focus()
    focused = []
    for _ in range(15):
        page.keyboard.press("Tab")
        focused.append(app.locator(":focus").evaluate("(element) => element.outerHTML.slice(0, 80)"))
        if app.locator(":focus").evaluate("(element) => element.type === 'submit'"):
            break
    assert focused[-1].startswith('<button type="submit"'), focused
    assert not any('name="subject"' in element for element in focused), focused

    # The reader spends twelve seconds writing; the post says so, with the hidden field empty.
    form.locator("textarea").fill("Douze secondes pour écrire ceci, montre en main.")
    form.get_by_label("Nom").fill("Chronos")
    page.clock.fast_forward(12_000)
    with page.expect_request(lambda request: request.url.endswith(f"{API}/comments")) as sent:
        form.locator("button[type=submit]").click()
    payload = sent.value.post_data_json
    assert payload is not None
    assert payload["honeypot"] == ""
    assert 12 <= payload["seconds_to_submit"] < 30, payload
    expect(app.get_by_role("status")).to_have_text(tr(messages, "posted"))
    watched.assert_quiet()


# ---- right to left -------------------------------------------------------------------------------------

RTL_THREADS = {
    "ar": [
        ("سامي", "مبادرة جيدة، لكن يجب تخصيص جزء من الميزانية للأحياء ذات الأولوية."),
        ("Hélène", "Je suis d’accord avec Sami : une part réservée aux quartiers prioritaires serait juste."),
        ("ليلى", "أوافقك الرأي يا هيلين، والتصويت يجب أن يكون في المدارس أيضاً."),
    ],
    "he": [
        ("נועה", "כתבה מעניינת. גם אצלנו בחיפה יש תקציב משתתף, והפרויקט הפופולרי היה גינה קהילתית."),
        ("Daniel Cohen", "Thanks Noa! The hard part is keeping volunteers after the first year."),
        ("אבי", "נכון מאוד. אצלנו עזרה רשימת תפוצה של השכונה."),
    ],
}


def matches_reference(png: bytes, name: str, tmp_path: Path) -> None:
    """Compares a screenshot with tests/screenshots/<name> (stored instead with PARVIS_UPDATE_SCREENSHOTS=1)."""
    reference = SCREENSHOTS / name
    shot = Image.open(io.BytesIO(png)).convert("RGB")
    if UPDATE_SCREENSHOTS:
        SCREENSHOTS.mkdir(exist_ok=True)
        shot.save(reference, optimize=True)
        return
    if not reference.exists():
        pytest.fail(f"{reference} is missing: run with PARVIS_UPDATE_SCREENSHOTS=1, look at it, commit it")
    actual = tmp_path / name
    shot.save(actual)
    with Image.open(reference) as stored:
        expected = stored.convert("RGB")
    assert shot.size == expected.size, f"{name}: {shot.size} instead of {expected.size}; see {actual}"
    difference = ImageChops.difference(shot, expected)
    mean = sum(ImageStat.Stat(difference).mean) / 3
    red, green, blue = difference.split()
    strongest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    visible = strongest.point(lambda value: 255 if value > VISIBLE else 0)
    changed = ImageStat.Stat(visible).mean[0] / 255
    assert mean <= MAX_MEAN_DIFFERENCE and changed <= MAX_CHANGED_SHARE, (
        f"{name} differs from its reference: {mean:.2f} per channel on average, {changed:.2%} of pixels "
        f"changed visibly; see {actual}"
    )


@pytest.mark.parametrize("lang", ["ar", "he"])
def test_arabic_and_hebrew_readers_get_a_mirrored_layout(
    server: ParvisServer, readers: Readers, open_page: Callable[..., Watched], lang: str, tmp_path: Path
) -> None:
    key = new_key(f"rtl-{lang}")
    (first_name, first_body), (reply_name, reply_body), (last_name, last_body) = RTL_THREADS[lang]
    top = readers.post(key, first_body, name=first_name)
    reply = readers.post(key, reply_body, name=reply_name, parent=top["id"])
    last = readers.post(key, last_body, name=last_name, parent=reply["id"])
    newest = max(datetime.fromisoformat(item["created"].replace("Z", "+00:00")) for item in (top, reply, last))
    watched = open_page(
        locale={"ar": "ar-EG", "he": "he-IL"}[lang],
        viewport={"width": 560, "height": 400},
        color_scheme="light",
        timezone_id="UTC",
    )
    # Relative dates read "3 hours ago" whenever the test runs.
    watched.page.clock.set_fixed_time(newest + timedelta(hours=3))
    page = open_frame_page(watched, server, key, lang=lang)

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator(f"#comment-{last['id']}")).to_be_visible()

    def box(locator: Locator) -> dict[str, float]:
        found = locator.bounding_box()
        assert found is not None
        return found

    # Mirrored: the avatar is right of the text, the count heading right of the sort menu, and replies are
    # indented from the right.
    avatar, text = box(page.locator(f"#comment-{top['id']} > .av")), box(page.locator(f"#comment-{top['id']} > .m"))
    assert avatar["x"] > text["x"] + text["width"] - 1
    assert box(heading(page))["x"] > box(page.locator("main select"))["x"]
    outer, inner = box(page.locator(f"#comment-{top['id']}")), box(page.locator(f"#comment-{reply['id']}"))
    assert inner["x"] + inner["width"] < outer["x"] + outer["width"] - 10
    assert abs(inner["x"] - outer["x"]) <= 1
    # Mixed-direction text keeps its own direction.
    expect(page.locator(f"#comment-{reply['id']} > .m > .b")).to_have_attribute("dir", "auto")
    assert page.locator(f"#comment-{reply['id']} > .m > .b p").evaluate("(p) => getComputedStyle(p).direction") == "ltr"

    page.mouse.move(0, 0)
    png = page.screenshot(full_page=True, animations="disabled", caret="hide", scale="css")
    matches_reference(png, f"widget-rtl-{lang}.png", tmp_path)
    watched.assert_quiet()


# ---- accessibility -------------------------------------------------------------------------------------


def axe_violations(frame: Page | Frame, context: Any = None) -> list[str]:
    """axe-core's WCAG 2.x A and AA violations in ``context`` (default: the whole document of ``frame``)."""
    frame.add_script_tag(path=str(AXE))
    result = frame.evaluate(
        """async ([context, tags]) => {
             const result = await axe.run(context || document, {runOnly: {type: "tag", values: tags}, iframes: false});
             return {
               passes: result.passes.length,
               violations: result.violations.map((violation) => `${violation.id}: ${violation.help} (${
                 violation.nodes.map((node) => node.target.join(" ")).join(", ")})`),
             };
           }""",
        [context, AXE_TAGS],
    )
    assert result["passes"] > 0  # axe did look at something
    return [str(item) for item in result["violations"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violation_in_the_widget(
    server: ParvisServer, open_page: Callable[..., Watched], messages: dict[str, Any], scheme: str
) -> None:
    # axe is injected as a script: only this test lets the pages' CSP allow that.
    watched = open_page(bypass_csp=True, color_scheme=scheme)
    page = watched.page
    app = open_article(watched, server)
    frame = app_frame(page)

    # Open what a reader can open: the full compose box, a reply form, a report form, the markdown help.
    top_form(app).locator("textarea").click()
    top_form(app).locator("details summary").click()
    first = shown_ids(app)[0]
    own_actions(app, first).get_by_role("button", name=tr(messages, "reply")).click()
    expect(comment(app, first).locator("form textarea")).to_be_focused()
    second = shown_ids(app)[1]
    own_actions(app, second).get_by_role("button", name=tr(messages, "report")).click()
    expect(comment(app, second).locator("form select")).to_be_visible()
    assert axe_violations(frame) == []

    # On the host page the widget adds only its iframe and the inline-comment button.
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate(SELECT_PASSAGE, PASSAGE)
    expect(page.get_by_role("button", name="Commenter ce passage")).to_be_visible()
    parts = {"include": [["#parvis-thread iframe"], [".parvis-inline-button"]]}
    assert axe_violations(page, parts) == []
    watched.assert_quiet(csp=False)
