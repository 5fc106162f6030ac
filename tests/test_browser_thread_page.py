"""The demo article in a real browser: a real `parvis serve`, Debian's Chromium driven by playwright.

The page works without JavaScript: reading, posting and replying go through the HTML form and a 303
redirect. Each test also checks that the page's Content-Security-Policy was never violated and that no
dialog opened, so markup smuggled into a comment cannot run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from parvis.web.demo import SEEDS
from tests.browser import Watched, sign_in, staff_page, watch
from tests.servers import ParvisServer

pytestmark = pytest.mark.browser

# For a person to look at after the run; only written, never read back.
SCREENSHOT = Path("/tmp/parvis-demo.png")  # noqa: S108
SEED_BODIES = {seed.ref: seed.body for seed in SEEDS}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Iterator[ParvisServer]:
    # The default 5 comments a minute per IP would make the module's posts depend on how many tests run.
    limits = {"PARVIS_RATELIMIT_COMMENT_IP": "100/60"}
    with ParvisServer(tmp_path_factory.mktemp("parvis-browser"), workers=1, env=limits) as running:
        running.copy_database(migrated)
        running.cli("demo")
        running.start()
        yield running


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(locale="fr-FR")
    yield watch(context.new_page())
    context.close()


def open_article(watched: Watched, server: ParvisServer) -> None:
    """The demo thread as readers without JavaScript (and search engines) get it."""
    answer = watched.page.goto(f"{server.url}/t/demo/?key=demo-article&url={quote(server.url + '/', safe='')}")
    assert answer is not None and answer.status == 200
    # The checks below mean something only if the page really is under the strict policy.
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def shown_count(page: Page) -> int:
    heading = page.locator("#parvis-count").inner_text()
    match = re.fullmatch(r"(\d+)\s+\S+", heading.strip())
    assert match, heading
    return int(match[1])


def comment_of(page: Page, body_text: str) -> Locator:
    """The <li> of the comment whose own body (not a reply's) shows ``body_text``."""
    body = page.locator(".parvis-body", has_text=body_text)
    expect(body).to_have_count(1)
    return body.locator("xpath=..")


def post(page: Page, form: Locator, name: str, body: str) -> int:
    """Fill and send a comment form; return the new comment's id from the redirect's #comment-<id>."""
    form.locator("textarea[name=body]").fill(body)
    form.locator("input[name=name]").fill(name)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    fragment = urlsplit(page.url).fragment
    assert re.fullmatch(r"comment-\d+", fragment), page.url
    expect(page.locator(".parvis-notice[role=status]")).to_have_text(re.compile("published|publié", re.IGNORECASE))
    return int(fragment.removeprefix("comment-"))


def test_the_demo_article_shows_its_seeded_multilingual_thread(server: ParvisServer, watched: Watched) -> None:
    page = watched.page
    open_article(watched, server)
    expect(page).to_have_title(re.compile("Budget participatif : Lyon double la mise"))
    for ref in ("a", "e1", "d", "j", "f", "i1"):  # French, Hebrew and Arabic, top-level and replies
        expect(page.locator(".parvis-body", has_text=SEED_BODIES[ref])).to_be_visible()
    # Every published comment is on this one page (fewer than 100 threads), so the heading counts them.
    assert shown_count(page) >= len(SEEDS)
    assert shown_count(page) == page.locator("li.parvis-approved").count()
    watched.assert_quiet()


def test_a_french_comment_posted_through_the_form_is_published(server: ParvisServer, watched: Watched) -> None:
    page = watched.page
    open_article(watched, server)
    before = shown_count(page)
    body = "Très bon article, merci ! Le budget participatif mériterait un bilan chiffré dès cet été."

    new_id = post(page, page.locator("form#parvis-form"), "Élodie", body)

    comment = page.locator(f"li#comment-{new_id}")
    expect(comment).to_be_visible()
    expect(comment.locator(".parvis-author")).to_have_text("Élodie")
    expect(comment.locator(".parvis-body")).to_have_text(body)
    assert shown_count(page) == before + 1
    watched.assert_quiet()


def test_an_arabic_reply_is_shown_nested_under_the_arabic_comment(server: ParvisServer, watched: Watched) -> None:
    page = watched.page
    open_article(watched, server)
    parent = comment_of(page, SEED_BODIES["f"])
    parent_id = int((parent.get_attribute("id") or "").removeprefix("comment-"))
    body = "شكراً يا سامي، أتفق معك تماماً: الأحياء ذات الأولوية تستحق حصة ثابتة من الميزانية."

    with page.expect_navigation():
        parent.locator("xpath=./a[contains(@class, 'parvis-reply')]").click()
    form = page.locator(f"form#reply-{parent_id}")
    expect(form).to_be_visible()
    reply_id = post(page, form, "يوسف", body)

    reply = page.locator(f"li#comment-{parent_id} > ol.parvis-replies > li#comment-{reply_id}")
    expect(reply).to_have_count(1)
    reply_body = reply.locator(":scope > .parvis-body")
    expect(reply_body).to_have_text(body)
    expect(reply_body).to_have_attribute("dir", "auto")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    watched.assert_quiet()


def test_markup_in_a_comment_is_shown_as_text_and_runs_nothing(server: ParvisServer, watched: Watched) -> None:
    page = watched.page
    open_article(watched, server)
    body = "Attention <script>alert(1)</script> et [x](javascript:alert(1)) dans ce commentaire."

    new_id = post(page, page.locator("form#parvis-form"), "Mallory", body)

    shown = page.locator(f"li#comment-{new_id} > .parvis-body")
    expect(shown).to_contain_text("<script>alert(1)</script>")
    expect(shown).to_contain_text("javascript:alert(1)")
    assert shown.locator("script").count() == 0
    for link in shown.locator("a").all():
        assert (link.get_attribute("href") or "").startswith(("http://", "https://"))
    assert page.locator("a[href^='javascript:' i]").count() == 0
    watched.assert_quiet()


NEW_PASSWORD = """
from django.contrib.auth import get_user_model
from parvis.web.demo import MODERATOR
user = get_user_model().objects.get(username=MODERATOR)
user.set_password("the demo moderator's test password")
user.save()
"""


def clear_tab(page: Page, key: str) -> int:
    """Decide on every comment of the open tab with j then ``key``; the number decided."""
    items = page.locator(".dash-item")
    count = items.count()
    for index in range(count):
        page.keyboard.press("j")
        for pressed in key:
            page.keyboard.press(pressed)
        # The item comes back from the server saying who decided last.
        expect(items.nth(index).locator(".dash-history")).to_contain_text("(moderateur)")
    return count


# Last in the module: it decides on the demo's queue, which the tests above do not look at (they only read the
# published thread, and these decisions keep every published comment published).
def test_a_newcomer_clears_the_demo_queue_with_the_keyboard(server: ParvisServer, browser: Browser) -> None:
    server.cli("manage", "shell", "-c", NEW_PASSWORD)
    with staff_page(browser) as watched:
        page = watched.page
        sign_in(page, server.url, "/moderate/", "moderateur", "the demo moderator's test password")
        # The pending tab holds comments in several languages; each is rejected for the policy's first reason.
        languages = set(page.locator(".dash-item .dash-text").evaluate_all("(all) => all.map((t) => t.lang)"))
        assert len(languages - {""}) >= 3, languages
        clear_tab(page, "r1")
        page.reload()
        expect(page.locator(".dash-empty")).to_be_visible()

        # The reported tab: the moderator keeps the reported comment published (a), which answers the reports.
        page.goto(f"{server.url}/moderate/?tab=reported")
        assert clear_tab(page, "a") >= 1
        page.reload()
        expect(page.locator(".dash-empty")).to_be_visible()

        # The spam tab lists what the filters caught, the link spam among it.
        page.goto(f"{server.url}/moderate/?tab=spam")
        expect(page.locator(".dash-item", has_text="cheap-pills")).to_have_count(1)
        watched.assert_quiet()
