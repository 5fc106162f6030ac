"""The statistics page in a real browser: a real `parvis serve`, Debian's Chromium driven by playwright.

A moderator signs in and opens /moderate/stats/ for a week of seeded comments, decisions and reports. The page
fetches its figures from data.json and draws them with the vendored uPlot under the strict Content-Security-Policy;
the test checks that every chart has a canvas with something drawn on it, built from non-empty series, and that
nothing violated the policy or failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import Watched, sign_in, staff_page
from tests.servers import ParvisServer, seeded_server

pytestmark = pytest.mark.browser

PASSWORD = "a moderator's long password"
CHARTS = ("daily", "shares", "wait", "categories", "languages")
# Comments over the week before today (UTC): automatic verdicts, moderator decisions some hours later, reports.
SETUP = f"""
from datetime import UTC, datetime, timedelta
from django.contrib.auth import get_user_model
from parvis.accounts.models import Commenter
from parvis.comments.models import Comment, Flag
from parvis.core.models import Site
from parvis.dashboard.models import Membership
from parvis.moderation.models import Decision
from parvis.threads.models import Thread
site = Site.objects.create(slug="stats", name="Stats News", allowed_origins=["https://news.example"])
user = get_user_model().objects.create_user("mona", password={PASSWORD!r})
Membership.objects.create(user=user, site=site, role="moderator")
today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
threads = [Thread.objects.create(site=site, key=f"t{{n}}", url=f"https://news.example/{{n}}", title=f"Article {{n}}")
           for n in range(3)]
readers = [Commenter.objects.create(site=site, name=f"Reader {{n}}") for n in range(4)]
verdicts = [("publish", "approved", []), ("hold", "pending", ["insult"]), ("reject", "rejected", ["threat"]),
            ("spam", "spam", ["spam"])]
for n in range(40):
    created = today - timedelta(days=1 + n % 7, hours=n % 20)
    action, status, categories = verdicts[n % 4]
    comment = Comment.objects.create(thread=threads[n % 3], commenter=readers[n % 4], body_markdown=f"Un {{n}}",
                                     status=status, language=["fr", "en", "he"][n % 3], created_at=created)
    first = Decision.objects.create(comment=comment, stage="sync", action=action, categories=categories,
                                    language=comment.language)
    Decision.objects.filter(pk=first.pk).update(created_at=created)
    if action == "hold":
        later = Decision.objects.create(comment=comment, stage="moderator", action="reject", categories=["insult"],
                                        language=comment.language)
        Decision.objects.filter(pk=later.pk).update(created_at=created + timedelta(minutes=15 + 10 * n))
        Comment.objects.filter(pk=comment.pk).update(status="rejected")
    if n % 3 == 0:
        flag = Flag.objects.create(comment=comment, reporter_key=f"r{{n}}", reason="abuse")
        Flag.objects.filter(pk=flag.pk).update(created_at=created + timedelta(minutes=5))
"""
# Counts the pixels a canvas has drawn (anything not fully transparent).
PAINTED = """(canvas) => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let at = 3; at < pixels.length; at += 4) if (pixels[at] !== 0) painted += 1;
  return painted;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Iterator[ParvisServer]:
    folder = tmp_path_factory.mktemp("parvis-stats")
    with seeded_server(folder, SETUP, {"PARVIS_MODERATION_ENCODER": "off"}, migrated) as running:
        yield running


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    with staff_page(browser) as page:
        yield page


def test_the_statistics_page_draws_every_chart_under_the_csp(server: ParvisServer, watched: Watched) -> None:
    page = watched.page
    today = datetime.now(UTC).date()
    period = f"from={today - timedelta(days=7)}&to={today}"
    sign_in(page, server.url, "/moderate/", "mona", PASSWORD)

    # The header's link leads to the page; then the week of seeded figures.
    page.click('.dash-nav a[href="/moderate/stats/"]')
    page.wait_for_url(f"{server.url}/moderate/stats/")
    answer = page.goto(f"{server.url}/moderate/stats/?{period}")
    assert answer is not None and answer.status == 200
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    expect(page.locator("#dash-stats")).to_have_attribute("data-drawn", "true")

    for name in CHARTS:
        chart = page.locator(f'[data-chart="{name}"]')
        expect(chart.locator(".uplot")).to_have_count(1)
        assert int(chart.get_attribute("data-points") or 0) > 0, name
        canvas = chart.locator("canvas")
        box = canvas.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100, name
        assert canvas.evaluate(PAINTED) > 500, name
        # uPlot's legend names the series the page passed (the translated labels).
        expect(chart.locator(".u-legend")).to_be_visible()
    expect(page.locator('[data-chart="daily"] .u-legend')).to_contain_text("Received")
    expect(page.locator('[data-chart="languages"] .u-legend')).to_contain_text("Spam")
    # The tables hold the same week: 40 comments, the busiest thread first.
    expect(page.locator("table").filter(has_text="Article 0").first).to_be_visible()

    watched.assert_quiet()
