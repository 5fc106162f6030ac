"""The statistics page and its chart data: who may read them, and figures that match the database.

The seeded comments, decisions and reports are drawn at random (a fixed seed) over several UTC days; every series
of the data endpoint is compared with a count made here independently, row by row in Python.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from parvis.accounts.models import Commenter
from parvis.comments.models import Comment, Flag, Status
from parvis.core.models import Site
from parvis.dashboard.models import Membership, Role
from parvis.dashboard.tests.conftest import make_user, signed_in
from parvis.moderation.models import Action, Decision, Stage
from parvis.moderation.policy import save_policy
from parvis.threads.models import Thread

DATA = "/moderate/stats/data.json"
PAGE = "/moderate/stats/"
STATUS_OF = {
    Action.PUBLISH: Status.APPROVED,
    Action.HOLD: Status.PENDING,
    Action.REJECT: Status.REJECTED,
    Action.SPAM: Status.SPAM,
}
LANGUAGES = ["fr", "en", "he", "ar", ""]
CATEGORIES = ["insult", "threat", "hate", "local_politics", "first_comment"]


@dataclass
class Seeded:
    first: date
    last: date
    # Seconds from posting to the first moderator decision of each automatically held comment, by posting day.
    waits: dict[date, list[float]]

    def query(self, **extra: str) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), **extra}


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def seed(site: Site, first: date, days: int, *, count: int, rng: random.Random, prefix: str = "") -> Seeded:
    """``count`` comments over ``days`` UTC days from ``first``: automatic verdicts, some moderator decisions
    (minutes to a day later), reports, several threads, commenters and languages."""
    threads = [
        Thread.objects.create(
            site=site, key=f"{prefix}t{n}", url=f"https://news.example/{prefix}{n}", title=f"{prefix}T{n}"
        )
        for n in range(12)
    ]
    commenters = [Commenter.objects.create(site=site, name=f"{prefix}reader {n}") for n in range(14)]
    waits: dict[date, list[float]] = {}
    for n in range(count):
        day = first + timedelta(days=rng.randrange(days))
        created = _day_start(day) + timedelta(minutes=rng.randrange(24 * 60))
        automatic = rng.choice([Action.PUBLISH, Action.PUBLISH, Action.HOLD, Action.HOLD, Action.REJECT, Action.SPAM])
        categories = [] if automatic == Action.PUBLISH else rng.sample(CATEGORIES, rng.randrange(1, 3))
        language = rng.choice(LANGUAGES)
        comment = Comment.objects.create(
            thread=threads[min(int(rng.expovariate(0.3)), len(threads) - 1)],
            commenter=rng.choice([*commenters, None]),
            body_markdown=f"Commentaire {n}",
            status=STATUS_OF[automatic],
            language=language,
            created_at=created,
        )
        decisions = [(Stage.SYNC, automatic, categories, created + timedelta(seconds=1))]
        if automatic == Action.HOLD and rng.random() < 0.5:
            decisions.append((Stage.ASYNC, Action.HOLD, categories, created + timedelta(seconds=30)))
        if automatic != Action.PUBLISH and rng.random() < 0.7:
            verdict = rng.choice([Action.PUBLISH, Action.REJECT, Action.SPAM, Action.HOLD])
            wait = timedelta(minutes=rng.randrange(1, 36 * 60), seconds=rng.randrange(60))
            decisions.append((Stage.MODERATOR, verdict, ["insult"] if verdict == Action.REJECT else [], created + wait))
            if rng.random() < 0.3:  # a second look later does not change the time to the first decision
                decisions.append((Stage.MODERATOR, Action.PUBLISH, [], created + wait + timedelta(hours=2)))
            if automatic == Action.HOLD:
                waits.setdefault(day, []).append(wait.total_seconds())
            comment.status = STATUS_OF[decisions[-1][1]]
            comment.save(update_fields=["status"])
        for stage, action, names, at in decisions:
            decision = Decision.objects.create(
                comment=comment, stage=stage, action=action, categories=names, language=language
            )
            Decision.objects.filter(pk=decision.pk).update(created_at=at)
        for reporter in range(rng.choice([0, 0, 0, 1, 2, 4])):
            flag = Flag.objects.create(comment=comment, reporter_key=f"r{reporter}", reason="abuse")
            Flag.objects.filter(pk=flag.pk).update(created_at=created + timedelta(minutes=5 + reporter))
    return Seeded(first, first + timedelta(days=days - 1), waits)


@pytest.fixture
def owner(django_user_model: Any, site: Site) -> Any:
    user = make_user(django_user_model, "olga")
    Membership.objects.create(user=user, site=site, role=Role.OWNER)
    return user


@pytest.fixture
def other_site(db: Any) -> Site:
    return Site.objects.create(slug="other", name="Other News")


@pytest.fixture
def other_staff(django_user_model: Any, other_site: Site) -> Any:
    user = make_user(django_user_model, "otto")
    Membership.objects.create(user=user, site=other_site, role=Role.OWNER)
    return user


@pytest.fixture
def seeded(site: Site) -> Seeded:
    save_policy(
        site, {"custom": [{"slug": "local_politics", "label": "Local politics", "phrases": ["le conseil municipal"]}]}
    )
    today = timezone.now().astimezone(UTC).date()
    return seed(site, today - timedelta(days=12), 6, count=90, rng=random.Random(5))


def expected(sites: list[Site], first: date, last: date) -> dict[str, Any]:
    """The figures computed row by row from the database, without the statistics module."""
    since, until = _day_start(first), _day_start(last + timedelta(days=1))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    comments = [
        c
        for c in Comment.objects.select_related("thread__site", "commenter")
        if c.thread.site in sites and since <= c.created_at < until
    ]
    held = {d.comment_id for d in Decision.objects.filter(action=Action.HOLD) if d.stage in (Stage.SYNC, Stage.ASYNC)}
    per_day: dict[str, list[int]] = {name: [] for name in ("received", "published", "held", "rejected", "spam")}
    for day in days:
        today = [c for c in comments if c.created_at.astimezone(UTC).date() == day]
        per_day["received"].append(len(today))
        per_day["published"].append(sum(c.status == Status.APPROVED for c in today))
        per_day["held"].append(sum(c.pk in held for c in today))
        per_day["rejected"].append(sum(c.status == Status.REJECTED for c in today))
        per_day["spam"].append(sum(c.status == Status.SPAM for c in today))
    decisions = [
        d
        for d in Decision.objects.select_related("comment__thread__site")
        if d.comment.thread.site in sites and since <= d.created_at < until
    ]
    automatic: Counter[str] = Counter()
    by_person: Counter[str] = Counter()
    for d in decisions:
        for name in d.categories:
            if name != "first_comment":
                (by_person if d.stage == Stage.MODERATOR else automatic)[name] += 1
    languages: Counter[tuple[str, str]] = Counter((d.language, d.action) for d in decisions)
    threads = Counter(c.thread_id for c in comments)
    flags = [
        f
        for f in Flag.objects.select_related("comment__thread__site")
        if f.comment.thread.site in sites and since <= f.created_at < until and f.comment.commenter_id
    ]
    reports = Counter(f.comment.commenter_id for f in flags)
    return {
        **per_day,
        "categories": {name: (automatic[name], by_person[name]) for name in set(automatic) | set(by_person)},
        "languages": {
            language: {action: languages[(language, action)] for action in Action.values}
            for language in {language for language, _ in languages}
        },
        "threads": threads,
        "reports": reports,
        "days": [day.isoformat() for day in days],
    }


def share(part: list[int], whole: list[int]) -> list[float | None]:
    return [round(100 * p / w, 1) if w else None for p, w in zip(part, whole, strict=True)]


@pytest.mark.django_db
def test_every_series_matches_the_database(owner: Any, site: Site, seeded: Seeded) -> None:
    data = signed_in(owner).get(DATA, seeded.query(site="news")).json()
    truth = expected([site], seeded.first, seeded.last)
    assert data["timezone"] == "UTC" and data["days"] == truth["days"]
    for name in ("received", "published", "held", "rejected", "spam"):
        assert data[name] == truth[name], name
    assert sum(data["received"]) == 90  # every seeded comment is inside the period
    assert data["held_share"] == share(truth["held"], truth["received"])
    assert data["rejected_share"] == share(truth["rejected"], truth["received"])
    assert data["spam_share"] == share(truth["spam"], truth["received"])

    assert {row["slug"]: (row["automatic"], row["moderator"]) for row in data["categories"]} == truth["categories"]
    labels = {row["slug"]: row["label"] for row in data["categories"]}
    assert labels["local_politics"] == "Local politics"  # the site's own category, with the policy's label
    totals = [row["automatic"] + row["moderator"] for row in data["categories"]]
    assert totals == sorted(totals, reverse=True)

    assert {row["language"]: {a: row[a] for a in Action.values} for row in data["languages"]} == truth["languages"]

    busiest = truth["threads"].most_common()
    assert [row["comments"] for row in data["threads"]] == [n for _, n in busiest[:10]]
    titles = {t.pk: t.title for t in Thread.objects.all()}
    top = {titles[pk] for pk, n in busiest if n > busiest[9][1]}
    assert top <= {row["title"] for row in data["threads"]}

    assert [row["reports"] for row in data["commenters"]] == [n for _, n in truth["reports"].most_common(10)]
    for row in data["commenters"]:
        commenter = Commenter.objects.get(name=row["name"])
        assert row["reports"] == truth["reports"][commenter.pk]
        theirs = Comment.objects.filter(commenter=commenter).exclude(status=Status.DELETED)
        published = theirs.filter(status=Status.APPROVED).count()
        assert row["comments"] == theirs.count()
        assert row["approved_share"] == round(100 * published / theirs.count(), 1)


@pytest.mark.django_db
def test_the_median_wait_is_the_median_of_the_held_comments_waits(moderator: Any, seeded: Seeded) -> None:
    data = signed_in(moderator).get(DATA, seeded.query()).json()
    days = [date.fromisoformat(day) for day in data["days"]]
    per_day = [seeded.waits.get(day, []) for day in days]
    assert sum(len(waits) for waits in per_day) > 10
    assert data["decided_after_hold"] == [len(waits) for waits in per_day]
    assert data["median_wait_minutes"] == [
        round(statistics.median(waits) / 60, 1) if waits else None for waits in per_day
    ]
    everything = [wait for waits in per_day for wait in waits]
    assert data["median_wait_minutes_overall"] == round(statistics.median(everything) / 60, 1)


@pytest.mark.django_db
def test_a_period_counts_only_its_own_days(moderator: Any, site: Site, seeded: Seeded) -> None:
    client = signed_in(moderator)
    middle = seeded.first + timedelta(days=2)
    data = client.get(DATA, {"from": middle.isoformat(), "to": middle.isoformat()}).json()
    assert data["days"] == [middle.isoformat()]
    assert data["received"] == expected([site], middle, middle)["received"]
    # The presets end today: the seeded days (12 to 7 days ago) are in the last 30 days, not in the last 7.
    assert sum(client.get(DATA, {"period": "30"}).json()["received"]) == 90
    last_week = client.get(DATA, {"period": "7"}).json()
    assert len(last_week["days"]) == 7 and sum(last_week["received"]) == 0
    assert len(client.get(DATA).json()["days"]) == 30  # the default period


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_data(
    owner: Any, site: Site, seeded: Seeded, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(owner)
    with django_assert_max_num_queries(13):
        assert client.get(DATA, seeded.query()).status_code == 200
    seed(site, seeded.first, 6, count=150, rng=random.Random(6), prefix="more-")
    with django_assert_max_num_queries(13):
        assert sum(client.get(DATA, seeded.query()).json()["received"]) == 240
    with django_assert_max_num_queries(13):
        assert client.get(PAGE, seeded.query()).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["owner", "moderator", "journalist"])
def test_each_role_of_the_site_reads_the_page_and_the_data(
    persona: str, request: pytest.FixtureRequest, site: Site, seeded: Seeded
) -> None:
    client = signed_in(request.getfixturevalue(persona))
    page = client.get(PAGE, seeded.query(site="news"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Busiest threads" in html and "Most reported commenters" in html
    data = client.get(DATA, seeded.query(site="news"))
    assert data.status_code == 200 and sum(data.json()["received"]) == 90


@pytest.mark.django_db
@pytest.mark.parametrize("path", [PAGE, DATA])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 302 and answer["Location"].startswith("/moderate/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("path", [PAGE, DATA])
def test_a_user_without_a_site_is_refused(django_user_model: Any, path: str) -> None:
    assert signed_in(make_user(django_user_model, "nobody")).get(path).status_code == 403


@pytest.mark.django_db
def test_another_sites_staff_gets_nothing_of_this_site(
    other_staff: Any, other_site: Site, site: Site, seeded: Seeded
) -> None:
    there = seed(other_site, seeded.first, 6, count=20, rng=random.Random(7), prefix="other-")
    client = signed_in(other_staff)
    for path in (PAGE, DATA):
        assert client.get(path, seeded.query(site="news")).status_code == 404
        assert client.get(path, seeded.query(site="nowhere")).status_code == 404  # the same as a site that exists
    data = client.get(DATA, there.query()).json()
    assert data == client.get(DATA, there.query(site="other")).json()
    assert data["received"] == expected([other_site], there.first, there.last)["received"]
    assert sum(data["received"]) == 20
    assert all(row["title"].startswith("other-") for row in data["threads"])
    assert all(row["name"].startswith("other-") for row in data["commenters"])
    page = client.get(PAGE, there.query()).content.decode()
    assert "News Example" not in page and "reader 1<" not in page.replace("other-reader", "")


@pytest.mark.django_db
def test_all_my_sites_adds_up_every_site_of_the_user(
    moderator: Any, other_site: Site, site: Site, seeded: Seeded
) -> None:
    seed(other_site, seeded.first, 6, count=20, rng=random.Random(7), prefix="other-")
    Membership.objects.create(user=moderator, site=other_site, role=Role.JOURNALIST)
    client = signed_in(moderator)
    both = client.get(DATA, seeded.query()).json()
    assert both["received"] == expected([site, other_site], seeded.first, seeded.last)["received"]
    assert sum(both["received"]) == 110
    assert sum(client.get(DATA, seeded.query(site="other")).json()["received"]) == 20


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, message",
    [
        ({"from": "2026-13-01", "to": "2026-12-01"}, "Dates must be written like 2026-11-30."),
        ({"from": "yesterday"}, "Dates must be written like 2026-11-30."),
        ({"from": "2026-11-10", "to": "2026-11-01"}, "The period must start on or before the day it ends."),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "A period covers at most 366 days."),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "Dates must lie between 1970 and 9998."),
        ({"from": "9999-12-30", "to": "9999-12-31"}, "Dates must lie between 1970 and 9998."),
        ({"period": "12"}, "The period must be 7, 30 or 90 days, or dates given as from and to."),
        ({"period": "-1"}, "The period must be 7, 30 or 90 days, or dates given as from and to."),
    ],
)
def test_an_invalid_period_is_a_400_with_a_clear_message(moderator: Any, query: dict[str, str], message: str) -> None:
    client = signed_in(moderator)
    data = client.get(DATA, query)
    assert data.status_code == 400
    assert data.json() == {"error": "invalid_period", "detail": message}
    page = client.get(PAGE, query)
    assert page.status_code == 400 and message in page.content.decode()


@pytest.mark.django_db
def test_a_period_of_366_days_is_accepted(moderator: Any) -> None:
    data = signed_in(moderator).get(DATA, {"from": "2024-01-01", "to": "2024-12-31"})
    assert data.status_code == 200 and len(data.json()["days"]) == 366


@pytest.mark.django_db
def test_the_page_works_without_javascript_its_tables_hold_the_figures(owner: Any, site: Site, seeded: Seeded) -> None:
    page = signed_in(owner).get(PAGE, seeded.query())
    html = page.content.decode()
    truth = expected([site], seeded.first, seeded.last)
    first_day = truth["days"][0]
    row = re.search(rf'<tr><th scope="row">{first_day}</th><td>(\d+)</td><td>(\d+)</td>', html)
    assert row is not None and (int(row[1]), int(row[2])) == (truth["received"][0], truth["published"][0])
    assert "<caption>" in html and 'scope="col"' in html
    assert 'data-chart="daily" dir="ltr" role="img"' in html
    assert f'data-source="/moderate/stats/data.json?from={seeded.first}&amp;to={seeded.last}"' in html


@pytest.mark.django_db
def test_the_page_loads_only_static_scripts_and_styles(owner: Any, seeded: Seeded) -> None:
    page = signed_in(owner).get(PAGE, seeded.query())
    html = page.content.decode()
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    # The only script without a source is the labels' JSON data element, which is never executed.
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == [
        '<script id="dash-stats-labels" type="application/json">'
    ]
    assert " style=" not in html and "<style" not in html
    for static in ("vendor/uPlot.iife.min.js", "vendor/uPlot.min.css", "stats.js", "stats.css"):
        assert f"/static/dashboard/{static}" in html
    assert 'href="/moderate/stats/" aria-current="page"' in html  # the header's link, marked as the current page


@pytest.mark.django_db
def test_what_readers_typed_is_shown_as_text(owner: Any, site: Site) -> None:
    thread = Thread.objects.create(site=site, key="x", url="javascript:alert(1)", title="<script>alert(1)</script>")
    commenter = Commenter.objects.create(site=site, name='<img src=x onerror="alert(2)">')
    comment = Comment.objects.create(thread=thread, commenter=commenter, body_markdown="Un.", created_at=timezone.now())
    Flag.objects.create(comment=comment, reporter_key="r", reason="abuse")
    html = signed_in(owner).get(PAGE).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "javascript:alert" not in html  # not a web address: the title is not a link


@pytest.mark.django_db
def test_the_page_follows_a_right_to_left_language(owner: Any, seeded: Seeded) -> None:
    html = signed_in(owner).get(PAGE, seeded.query(), headers={"Accept-Language": "he"}).content.decode()
    assert '<html lang="he" dir="rtl">' in html
    assert 'data-chart="daily" dir="ltr"' in html  # the time axis runs left to right, as in Hebrew charts
    assert "<bdi>T0</bdi>" in html  # titles and names keep their own direction


@pytest.mark.django_db
def test_the_dashboard_header_links_to_the_statistics(moderator: Any) -> None:
    html = signed_in(moderator).get("/moderate/").content.decode()
    assert 'href="/moderate/stats/"' in html
