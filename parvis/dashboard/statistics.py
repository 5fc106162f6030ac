"""What the statistics page shows: the comments of a period per day, the decisions per policy category and per
language, how long held comments wait for a person, the busiest threads and the most reported commenters.

Every figure is one aggregated query bounded by the period (at most 366 days), so the page costs the same number
of queries whatever the volume. Days are UTC days: a newsroom's staff may sit in several time zones, and UTC is the
one the transparency report uses too. The median wait has no portable SQL form (SQLite has no percentile
function), so it is computed here from the waits of the period's held comments, two timestamps per comment.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from parvis.comments.models import Comment, Flag, Status
from parvis.core.models import Site
from parvis.moderation.models import Action, Decision, Policy, Stage
from parvis.moderation.pipeline import CHECKING, FIRST_COMMENT, PREMODERATION, SHADOW_BAN, SURGE, UNAVAILABLE
from parvis.moderation.policy import PolicyConfig, default_config

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 366
TOP = 10
# Dates a period may name: beyond them the day arithmetic (and the browser's Date) would overflow.
EARLIEST, LATEST = date(1970, 1, 1), date(9998, 12, 31)
# What the pipeline records as a decision's category when no policy category fired (why a comment waits, or a
# shadow ban): not policy categories, so not in the per-category figures.
NOT_POLICY = frozenset({PREMODERATION, FIRST_COMMENT, SURGE, CHECKING, UNAVAILABLE, SHADOW_BAN})


class PeriodError(ValueError):
    """A period the page cannot show; the message says what to change (answered as a 400)."""


@dataclass(frozen=True)
class Period:
    """The UTC days from ``first`` to ``last``, both included; ``preset`` is the number of days when the period
    is one of the "last n days" choices."""

    first: date
    last: date
    preset: int | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str], today: date) -> Period:
        """``from``/``to`` (ISO dates; either alone takes the other from today or 30 days) win over ``period``."""
        start, end = query.get("from", "").strip(), query.get("to", "").strip()
        if start or end:
            try:
                last = date.fromisoformat(end) if end else today
                first = date.fromisoformat(start) if start else max(EARLIEST, last - timedelta(days=DEFAULT_DAYS - 1))
            except ValueError:
                raise PeriodError(_("Dates must be written like 2026-11-30.")) from None
            if first < EARLIEST or last > LATEST:
                raise PeriodError(_("Dates must lie between 1970 and 9998."))
            if first > last:
                raise PeriodError(_("The period must start on or before the day it ends."))
            if (last - first).days + 1 > MAX_DAYS:
                raise PeriodError(_("A period covers at most %(days)d days.") % {"days": MAX_DAYS})
            return cls(first, last)
        preset = query.get("period", "").strip() or str(DEFAULT_DAYS)
        if preset not in {str(days) for days in PRESETS}:
            raise PeriodError(_("The period must be 7, 30 or 90 days, or dates given as from and to."))
        days = int(preset)
        return cls(today - timedelta(days=days - 1), today, days)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The period as a half-open interval of instants: [first day 00:00 UTC, day after the last 00:00 UTC)."""
        return (
            datetime.combine(self.first, time.min, tzinfo=UTC),
            datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=UTC),
        )

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class CategoryCount:
    slug: str
    label: str
    automatic: int
    moderator: int


@dataclass(frozen=True)
class LanguageCount:
    language: str
    publish: int
    hold: int
    reject: int
    spam: int

    @property
    def total(self) -> int:
        return self.publish + self.hold + self.reject + self.spam


@dataclass(frozen=True)
class BusyThread:
    title: str
    url: str
    site: str
    comments: int
    published: int


@dataclass(frozen=True)
class ReportedCommenter:
    name: str
    site: str
    reports: int
    reported_comments: int
    comments: int
    approved: int

    @property
    def approved_share(self) -> float | None:
        """Percentage of the commenter's comments on the selected sites (deleted ones aside) that are published."""
        return round(100 * self.approved / self.comments, 1) if self.comments else None


@dataclass
class Statistics:
    period: Period
    # One entry per day of the period, in order.
    received: list[int] = field(default_factory=list)
    published: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    spam: list[int] = field(default_factory=list)
    # Minutes from posting to the first moderator decision, for the comments the automatic check held.
    median_wait: list[float | None] = field(default_factory=list)
    decided_after_hold: list[int] = field(default_factory=list)
    median_wait_overall: float | None = None
    categories: list[CategoryCount] = field(default_factory=list)
    languages: list[LanguageCount] = field(default_factory=list)
    threads: list[BusyThread] = field(default_factory=list)
    commenters: list[ReportedCommenter] = field(default_factory=list)

    @staticmethod
    def _share(part: list[int], whole: list[int]) -> list[float | None]:
        return [round(100 * p / w, 1) if w else None for p, w in zip(part, whole, strict=True)]

    @property
    def held_share(self) -> list[float | None]:
        return self._share(self.held, self.received)

    @property
    def rejected_share(self) -> list[float | None]:
        return self._share(self.rejected, self.received)

    @property
    def spam_share(self) -> list[float | None]:
        return self._share(self.spam, self.received)

    def rows(self) -> list[dict[str, Any]]:
        """One row per day, for the table under the daily charts."""
        return [
            {
                "day": day,
                "received": self.received[at],
                "published": self.published[at],
                "held": self.held[at],
                "held_share": self.held_share[at],
                "rejected": self.rejected[at],
                "rejected_share": self.rejected_share[at],
                "spam": self.spam[at],
                "spam_share": self.spam_share[at],
                "median_wait": self.median_wait[at],
                "decided_after_hold": self.decided_after_hold[at],
            }
            for at, day in enumerate(self.period.days)
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "timezone": "UTC",
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "days": [day.isoformat() for day in self.period.days],
            "received": self.received,
            "published": self.published,
            "held": self.held,
            "rejected": self.rejected,
            "spam": self.spam,
            "held_share": self.held_share,
            "rejected_share": self.rejected_share,
            "spam_share": self.spam_share,
            "median_wait_minutes": self.median_wait,
            "decided_after_hold": self.decided_after_hold,
            "median_wait_minutes_overall": self.median_wait_overall,
            "categories": [vars(row) for row in self.categories],
            "languages": [{**vars(row), "total": row.total} for row in self.languages],
            "threads": [vars(row) for row in self.threads],
            "commenters": [{**vars(row), "approved_share": row.approved_share} for row in self.commenters],
        }


def _held_automatically() -> Exists:
    """The comment was held for a person by the automatic check (on posting or by the second opinion)."""
    return Exists(Decision.objects.filter(comment=OuterRef("pk"), action=Action.HOLD).exclude(stage=Stage.MODERATOR))


def _minutes(values: Iterable[float]) -> float | None:
    waits = list(values)
    return round(statistics.median(waits) / 60, 1) if waits else None


def _daily(stats: Statistics, comments: QuerySet[Comment]) -> None:
    rows = {
        row["day"]: row
        for row in comments.annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(
            received=Count("pk"),
            published=Count("pk", filter=Q(status=Status.APPROVED)),
            held=Count("pk", filter=_held_automatically()),
            rejected=Count("pk", filter=Q(status=Status.REJECTED)),
            spam=Count("pk", filter=Q(status=Status.SPAM)),
        )
        .order_by("day")
    }
    for day in stats.period.days:
        row = rows.get(day, {})
        for name in ("received", "published", "held", "rejected", "spam"):
            getattr(stats, name).append(int(row.get(name, 0)))


def _waits(stats: Statistics, comments: QuerySet[Comment]) -> None:
    """Median minutes from posting to the first moderator decision, per day and over the period.

    One row (two timestamps) per held comment a moderator decided on: bounded by the period, and exact.
    """
    first_verdict = (
        Decision.objects.filter(comment=OuterRef("pk"), stage=Stage.MODERATOR)
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    per_day: dict[date, list[float]] = defaultdict(list)
    for created_at, decided_at in (
        comments.filter(_held_automatically())
        .annotate(decided_at=Subquery(first_verdict))
        .filter(decided_at__isnull=False)
        .values_list("created_at", "decided_at")
    ):
        per_day[created_at.astimezone(UTC).date()].append((decided_at - created_at).total_seconds())
    stats.median_wait = [_minutes(per_day.get(day, [])) for day in stats.period.days]
    stats.decided_after_hold = [len(per_day.get(day, [])) for day in stats.period.days]
    stats.median_wait_overall = _minutes(wait for waits in per_day.values() for wait in waits)


def _policies(sites: QuerySet[Site]) -> list[PolicyConfig]:
    """The policy in force on each selected site (one query; sites that never saved one run the defaults)."""
    newest = Policy.objects.filter(site=OuterRef("site")).order_by("-version").values("version")[:1]
    configs = [
        PolicyConfig.parse(policy.config) for policy in Policy.objects.filter(site__in=sites, version=Subquery(newest))
    ]
    return [*configs, default_config()]


def _label(configs: list[PolicyConfig], slug: str) -> str:
    """The first selected site's label for ``slug`` (a category a policy no longer names keeps its slug)."""
    for config in configs:
        if config.rule(slug) is not None:
            return str(config.label(slug))
    return slug


def _categories(stats: Statistics, decisions: QuerySet[Decision], sites: QuerySet[Site]) -> None:
    automatic: dict[str, int] = defaultdict(int)
    by_person: dict[str, int] = defaultdict(int)
    # Grouped by the whole list: decisions carry few distinct combinations, each split here.
    for row in decisions.values("categories", "stage").annotate(n=Count("pk")).order_by():
        for slug in row["categories"] or []:
            if slug in NOT_POLICY:
                continue
            (by_person if row["stage"] == Stage.MODERATOR else automatic)[slug] += row["n"]
    if not automatic and not by_person:
        return
    configs = _policies(sites)
    slugs = sorted(set(automatic) | set(by_person), key=lambda slug: (-(automatic[slug] + by_person[slug]), slug))
    stats.categories = [CategoryCount(slug, _label(configs, slug), automatic[slug], by_person[slug]) for slug in slugs]


def _languages(stats: Statistics, decisions: QuerySet[Decision]) -> None:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Action.values, 0))
    for row in decisions.values("language", "action").annotate(n=Count("pk")).order_by():
        counts[row["language"] or ""][row["action"]] += row["n"]
    stats.languages = sorted(
        (
            LanguageCount(language, c[Action.PUBLISH], c[Action.HOLD], c[Action.REJECT], c[Action.SPAM])
            for language, c in counts.items()
        ),
        key=lambda row: (-row.total, row.language),
    )


def _threads(stats: Statistics, comments: QuerySet[Comment]) -> None:
    stats.threads = [
        BusyThread(
            title=row["thread__title"] or row["thread__key"],
            url=row["thread__url"] if str(row["thread__url"]).startswith(("https://", "http://")) else "",
            site=row["thread__site__name"],
            comments=row["n"],
            published=row["published"],
        )
        for row in comments.values("thread_id", "thread__title", "thread__key", "thread__url", "thread__site__name")
        .annotate(n=Count("pk"), published=Count("pk", filter=Q(status=Status.APPROVED)))
        .order_by("-n", "thread_id")[:TOP]
    ]


def _commenters(stats: Statistics, sites: QuerySet[Site], since: datetime, until: datetime) -> None:
    """The ten commenters most reported during the period (guests without an identity cannot be told apart)."""
    top = list(
        Flag.objects.filter(
            comment__thread__site__in=sites,
            comment__commenter__isnull=False,
            created_at__gte=since,
            created_at__lt=until,
        )
        .values("comment__commenter_id", "comment__commenter__name", "comment__commenter__site__name")
        .annotate(reports=Count("pk"), reported=Count("comment_id", distinct=True))
        .order_by("-reports", "comment__commenter_id")[:TOP]
    )
    if not top:
        return
    histories = {
        row["commenter_id"]: row
        for row in Comment.objects.filter(
            commenter_id__in=[row["comment__commenter_id"] for row in top], thread__site__in=sites
        )
        .exclude(status=Status.DELETED)
        .values("commenter_id")
        .annotate(total=Count("pk"), approved=Count("pk", filter=Q(status=Status.APPROVED)))
        .order_by()
    }
    stats.commenters = [
        ReportedCommenter(
            name=row["comment__commenter__name"],
            site=row["comment__commenter__site__name"],
            reports=row["reports"],
            reported_comments=row["reported"],
            comments=histories.get(row["comment__commenter_id"], {}).get("total", 0),
            approved=histories.get(row["comment__commenter_id"], {}).get("approved", 0),
        )
        for row in top
    ]


def compute(sites: QuerySet[Site], period: Period) -> Statistics:
    """Every figure of the page for the comments, decisions and reports of ``sites`` during ``period``.

    Comments count on the day they were posted, decisions and reports on the day they were made.
    """
    since, until = period.bounds
    comments = Comment.objects.filter(thread__site__in=sites, created_at__gte=since, created_at__lt=until)
    decisions = Decision.objects.filter(comment__thread__site__in=sites, created_at__gte=since, created_at__lt=until)
    stats = Statistics(period)
    _daily(stats, comments)
    _waits(stats, comments)
    _categories(stats, decisions, sites)
    _languages(stats, decisions)
    _threads(stats, comments)
    _commenters(stats, sites, since, until)
    return stats
