"""Surge mode: a thread flooded with comments (a raid, a breaking story) or with a large share held switches
itself to pre-moderation, tells the moderators, and switches back once it has been calm for a while.

Both switches are in the audit log. The check runs after each comment (a couple of counts on indexed columns) and,
while a surge lasts, as a delayed task that looks again when the calm period could be over.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from parvis.comments.models import Comment, Status
from parvis.moderation.models import AuditEntry
from parvis.moderation.policy import Surge, active_policy
from parvis.threads.models import Thread

logger = logging.getLogger(__name__)


def _surging(thread: Thread, rule: Surge, minutes: int) -> dict[str, float] | None:
    """The figures that make this thread a surge over the last ``minutes``, or None."""
    since = timezone.now() - timedelta(minutes=minutes)
    counts = Comment.objects.filter(thread=thread, created_at__gte=since).aggregate(
        total=Count("pk"), held=Count("pk", filter=Q(status__in=[Status.PENDING, Status.REJECTED, Status.SPAM]))
    )
    total, held = counts["total"], counts["held"]
    # Over a longer calm period, the same rate means proportionally more comments.
    needed = rule.comments * minutes / rule.window_minutes
    share = held / total if total else 0.0
    if total >= needed or (total >= rule.min_comments and share >= rule.held_share):
        return {"comments": total, "held": held, "held_share": round(share, 3), "minutes": minutes}
    return None


def observe(thread: Thread, rule: Surge) -> None:
    """After a new comment: switch the thread to pre-moderation if it is surging (``rule``: the site's policy in
    force, which the comment's decision has already read)."""
    if not rule.enabled or thread.surge_since is not None:
        return
    figures = _surging(thread, rule, rule.window_minutes)
    if figures is None:
        return
    now = timezone.now()
    if not Thread.objects.filter(pk=thread.pk, surge_since__isnull=True).update(surge_since=now):
        return  # another request switched it first
    thread.surge_since = now
    AuditEntry.objects.create(site_id=thread.site_id, thread=thread, action="surge.started", details=figures)
    transaction.on_commit(lambda: _alert(thread, figures))
    from parvis.moderation.tasks import calm_surge

    calm_surge.using(run_after=now + timedelta(minutes=rule.calm_minutes)).enqueue(thread.pk)


def calm(thread_id: int) -> bool:
    """Switch the thread back when the last calm period was quiet; otherwise look again later. True if it ended."""
    thread = Thread.objects.select_related("site").filter(pk=thread_id, surge_since__isnull=False).first()
    if thread is None:
        return False
    rule = active_policy(thread.site).config.surge
    figures = _surging(thread, rule, rule.calm_minutes) if rule.enabled else None
    if figures is not None:
        from parvis.moderation.tasks import calm_surge

        calm_surge.using(run_after=timezone.now() + timedelta(minutes=rule.calm_minutes)).enqueue(thread.pk)
        return False
    Thread.objects.filter(pk=thread.pk).update(surge_since=None)
    AuditEntry.objects.create(
        site=thread.site, thread=thread, action="surge.ended",
        details={"started": thread.surge_since.isoformat() if thread.surge_since else None},
    )  # fmt: skip
    return True


def _alert(thread: Thread, figures: dict[str, float]) -> None:
    """Email the site's staff; the audit entry is the record, so a mail failure is only logged."""
    recipients = list(
        get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    logger.warning("surge on thread %s (%s): switched to pre-moderation %s", thread.pk, thread, figures)
    if not recipients:
        return
    subject = f"[Parvis] Surge on “{thread.title or thread.key}”: comments now wait for a moderator"
    body = (
        f"{figures['comments']} comments in {figures['minutes']} minutes, {figures['held']} of them held.\n"
        f"New comments on {thread.url or thread.key} are held for review until the thread calms down.\n"
    )
    try:
        send_mail(subject, body, None, recipients)
    except OSError:
        logger.exception("could not email the surge alert")
