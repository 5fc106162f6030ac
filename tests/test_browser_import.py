"""An imported WordPress thread as readers meet it: `parvis import` into a real server's site, then Debian's
Chromium opens the widget's page for the post and shows its comments, replies nested, with the held one absent."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # the trusted sample file, read to know what the page should show
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import watch
from tests.servers import ParvisServer

pytestmark = pytest.mark.browser

SAMPLE = Path("/work/shared/data/import/wordpress-theme-unit-test.xml")
POST = "https://wpthemetestdata.wordpress.com/2012/01/03/template-comments/"
WIDGET_BUILD = Path(__file__).resolve().parents[1] / "parvis" / "embed" / "static" / "parvis-widget"


def expected_comments() -> tuple[list[str], list[str]]:
    """(texts of the post's published comments, texts of its held ones), from the file itself."""
    shown, held = [], []
    for item in ET.parse(SAMPLE).getroot().iter("item"):  # noqa: S314
        if (item.findtext("link") or "").strip() != POST:
            continue
        for comment in item:
            if not comment.tag.endswith("}comment"):
                continue
            fields = {child.tag.rsplit("}", 1)[-1]: (child.text or "").strip() for child in comment}
            first_line = fields["comment_content"].split("\n")[0]
            (shown if fields["comment_approved"] == "1" else held).append(first_line)
    return shown, held


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Iterator[ParvisServer]:
    if not SAMPLE.is_file():
        pytest.skip(f"{SAMPLE} is not on this machine")
    if not (WIDGET_BUILD / "meta.json").exists():
        pytest.fail("the widget is not built: run `make widget` (or `cd widget && node build.mjs`)")
    with ParvisServer(tmp_path_factory.mktemp("parvis-import"), workers=1) as running:
        running.copy_database(migrated)
        running.cli("site", "create", "blog", "--name", "Theme test blog", "--origin", running.url, "--language", "en")
        report = running.cli("import", "wordpress", str(SAMPLE), "--site", "blog")
        assert report.startswith("Imported from wordpress: 7 threads"), report
        running.start()
        yield running


def test_an_imported_wordpress_thread_shows_in_the_widget_with_its_replies(server: ParvisServer, browser: Browser):
    shown, held = expected_comments()
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    watched = watch(page)
    query = urlencode({"key": POST, "origin": server.url, "lang": "en"})
    answer = page.goto(f"{server.url}/embed/blog/frame?{query}")
    assert answer is not None and answer.status == 200
    page.locator("main h2").wait_for(state="attached")
    page.locator("main [aria-busy]").wait_for(state="detached")
    expect(page.locator("main h2")).to_have_text(f"{len(shown)} comments")
    main = page.locator("main")
    for text in ("Comment Depth 01", "Comment Depth 05", "These tests are amazing!", "Jane Bloggs"):
        expect(main.get_by_text(text, exact=False).first).to_be_visible()
    # Past the fifth level the widget folds the chain behind "Continue this thread", as for any thread.
    deepest_text = main.get_by_text("Comment Depth 10", exact=False)
    for _ in range(10):
        if deepest_text.is_visible():
            break
        main.get_by_role("button", name=re.compile("Continue this thread")).first.click()
    expect(deepest_text).to_be_visible()
    # The depth-10 reply sits inside the depth-01 comment's replies, nine levels down.
    deepest = main.locator("article", has_text="Comment Depth 10").last
    expect(deepest.locator("xpath=ancestor::article")).to_have_count(9)
    # The WordPress markup came through as Parvis's sanitized HTML: strong kept, headings and images not.
    expect(main.locator("strong", has_text="Headings")).to_have_count(1)
    expect(main.locator("h1, img")).to_have_count(0)
    for text in held:
        expect(main.get_by_text(text, exact=False)).to_have_count(0)
    watched.assert_quiet()
    context.close()
