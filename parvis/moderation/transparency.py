"""A site's monthly transparency report: what readers sent, what was published, what was removed and why (per
policy category, automatic or by a person), and how appeals ended — the figures the EU Digital Services Act asks
platforms to publish, computed from the decisions Parvis keeps."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.utils.translation import gettext as _

from parvis.comments.models import Comment, Status
from parvis.core.models import Site
from parvis.moderation.models import Action, Appeal, Decision, Stage
from parvis.moderation.pipeline import SHADOW_BAN
from parvis.moderation.policy import active_policy


@dataclass
class Report:
    site: Site
    month: date
    received: int = 0
    published: int = 0
    waiting: int = 0
    deleted_by_authors: int = 0
    # (category label, removed automatically, removed by a moderator)
    removed: list[tuple[str, int, int]] = field(default_factory=list)
    removed_total: int = 0
    appeals: int = 0
    appeals_reinstated: int = 0
    appeals_upheld: int = 0
    appeals_open: int = 0


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following


def report(site: Site, month: date) -> Report:
    """The figures for the comments posted during ``month`` (UTC), as they stand now."""
    start, end = month_bounds(month)
    comments = Comment.objects.filter(thread__site=site, created_at__gte=start, created_at__lt=end)
    statuses = Counter(comments.values_list("status", flat=True))
    result = Report(
        site=site,
        month=date(month.year, month.month, 1),
        received=sum(statuses.values()),
        published=statuses[Status.APPROVED],
        waiting=statuses[Status.PENDING],
        deleted_by_authors=statuses[Status.DELETED],
    )
    removed_ids = list(comments.filter(status__in=[Status.REJECTED, Status.SPAM]).values_list("pk", flat=True))
    latest: dict[int, Decision] = {}
    for decision in Decision.objects.filter(comment_id__in=removed_ids).order_by("comment_id", "created_at", "pk"):
        latest[decision.comment_id] = decision
    config = active_policy(site).config
    automatic: Counter[str] = Counter()
    by_person: Counter[str] = Counter()
    for pk in removed_ids:
        final = latest.get(pk)
        categories = [c for c in (final.categories if final else []) if c != SHADOW_BAN]
        category = categories[0] if categories else ("spam" if final and final.action == Action.SPAM else "other")
        (by_person if final is not None and final.stage == Stage.MODERATOR else automatic)[category] += 1
    labels = sorted(set(automatic) | set(by_person), key=lambda name: -(automatic[name] + by_person[name]))
    result.removed = [
        (str(_("other reasons") if name == "other" else config.label(name)), automatic[name], by_person[name])
        for name in labels
    ]
    result.removed_total = len(removed_ids)
    appeals = Appeal.objects.filter(comment__thread__site=site, created_at__gte=start, created_at__lt=end)
    outcomes = Counter(appeals.values_list("outcome", flat=True))
    result.appeals = sum(outcomes.values())
    result.appeals_reinstated = outcomes[Action.PUBLISH]
    result.appeals_upheld = outcomes[Action.REJECT] + outcomes[Action.SPAM]
    result.appeals_open = outcomes[""] + outcomes[Action.HOLD]
    return result
