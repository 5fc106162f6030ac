"""Daily digests: once a day, one email per address and site gathering what its daily subscriptions missed."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from parvis import conf
from parvis.comments.models import Comment, Status
from parvis.notifications import outbox
from parvis.notifications.models import Frequency, Kind, OutboxMessage, Subscription

MAX_PER_SECTION = 50


def digest_moment(now: datetime) -> datetime | None:
    """Today's digest time (PARVIS_EMAIL_DIGEST_HOUR, UTC) once it has passed, else None."""
    moment = datetime.combine(now.date(), time(hour=min(23, conf.email_digest_hour())), tzinfo=now.tzinfo)
    return moment if now >= moment else None


def write_due(now: datetime | None = None) -> int:
    """Write today's digests that are not written yet; return how many."""
    current = now or timezone.now()
    moment = digest_moment(current)
    if moment is None:
        return 0
    due = Subscription.objects.filter(
        frequency=Frequency.DAILY, confirmed_at__isnull=False, digested_until__lt=moment
    ).order_by("pk")
    groups: dict[tuple[int, str], list[Subscription]] = defaultdict(list)
    for subscription in due:
        groups[(subscription.site_id, subscription.address_key)].append(subscription)
    written = 0
    for (site_id, key), subscriptions in groups.items():
        first = subscriptions[0]
        since = min(item.digested_until or moment for item in subscriptions)
        with transaction.atomic():
            if outbox.enqueue(
                f"digest:{site_id}:{key[:24]}:{moment:%Y-%m-%d}", site=first.site, kind="digest",
                recipient=first.email, language=first.language, subscription=first,
                payload={"subscriptions": [item.pk for item in subscriptions], "since": since.isoformat(),
                         "until": moment.isoformat()},
            ):  # fmt: skip
                written += 1
            Subscription.objects.filter(pk__in=[item.pk for item in subscriptions]).update(digested_until=moment)
    return written


def sections(row: OutboxMessage) -> list[tuple[Any, list[tuple[Comment, str]]]]:
    """(heading, [(comment, link)]) per subscription of the digest, approved comments of its period only."""
    from parvis.notifications.addresses import address_key
    from parvis.notifications.compose import comment_link

    since = datetime.fromisoformat(row.payload["since"])
    until = datetime.fromisoformat(row.payload["until"])
    result = []
    subscriptions = Subscription.objects.filter(pk__in=row.payload.get("subscriptions", []), confirmed_at__isnull=False)
    for subscription in subscriptions.select_related("thread"):
        published = Comment.objects.filter(
            thread__site_id=row.site_id, status=Status.APPROVED, created_at__gte=since, created_at__lt=until
        ).select_related("thread", "thread__site", "commenter")
        if subscription.kind == Kind.THREAD:
            found = published.filter(thread=subscription.thread)
            heading: Any = subscription.thread.title if subscription.thread else ""
        else:
            found = published.filter(
                parent__commenter__email__iexact=subscription.email, parent__status=Status.APPROVED
            )
            heading = None
        items = [
            (comment, comment_link(comment))
            for comment in found.order_by("created_at", "pk")[:MAX_PER_SECTION]
            if not comment.commenter or address_key(comment.commenter.email or "") != subscription.address_key
        ]
        if items:
            result.append((heading, items))
    return result


def reset_window(subscription: Subscription, days: int = 1) -> None:
    """For tests and the demo: pretend the last digest was ``days`` ago."""
    subscription.digested_until = timezone.now() - timedelta(days=days)
    subscription.save(update_fields=["digested_until"])
