"""What a published comment sets off: reply emails and thread batches, written in the publishing transaction.

Called by the comment and moderation actions at the moment a comment becomes approved (on posting, or when a
moderator or the second opinion publishes it). Nothing else causes a reader email, so only approved comments
can ever be mailed; a comment removed afterwards sets nothing more off.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from parvis import conf
from parvis.comments.models import Comment
from parvis.notifications import outbox
from parvis.notifications.addresses import address_key
from parvis.notifications.models import Frequency, Kind, OutboxMessage, OutboxStatus, Subscription


def _author_key(comment: Comment) -> str:
    commenter = comment.commenter
    return address_key(commenter.email) if commenter is not None and commenter.email else ""


def comment_published(comment: Comment) -> None:
    """Write the emails ``comment`` causes (in the caller's transaction)."""
    thread = comment.thread
    site = thread.site
    author = _author_key(comment)
    mailed: set[str] = set()
    parent = comment.parent
    if parent is not None:
        parent_key = _author_key(parent)
        if parent_key and parent_key != author:
            for subscription in Subscription.objects.filter(
                site=site, kind=Kind.REPLIES, address_key=parent_key, confirmed_at__isnull=False,
                frequency=Frequency.INSTANT,
            ):  # fmt: skip
                outbox.enqueue(
                    f"reply:{subscription.pk}:{comment.pk}", site=site, kind="reply",
                    recipient=subscription.email, language=subscription.language,
                    payload={"comment": comment.pk}, subscription=subscription,
                )  # fmt: skip
                mailed.add(parent_key)
    batch_until = timezone.now() + timedelta(seconds=conf.email_batch_seconds())
    watchers = Subscription.objects.filter(
        site=site, kind=Kind.THREAD, thread=thread, confirmed_at__isnull=False, frequency=Frequency.INSTANT
    ).exclude(address_key__in=[author, *mailed])
    for subscription in watchers:
        _add_to_batch(subscription, comment, batch_until)


def _add_to_batch(subscription: Subscription, comment: Comment, send_after: datetime) -> None:
    """One waiting email per subscriber and thread gathers the comments of its batch window."""
    waiting = (
        OutboxMessage.objects.select_for_update()
        .filter(subscription=subscription, kind="thread", status=OutboxStatus.PENDING)
        .order_by("pk")
        .first()
    )
    if waiting is not None:
        ids = [*waiting.payload.get("comments", []), comment.pk]
        # Only while it still waits: once a worker has claimed it, the comment goes into a new batch.
        if OutboxMessage.objects.filter(pk=waiting.pk, status=OutboxStatus.PENDING).update(payload={"comments": ids}):
            return
    outbox.enqueue(
        f"thread:{subscription.pk}:{comment.pk}", site=subscription.site, kind="thread",
        recipient=subscription.email, language=subscription.language, payload={"comments": [comment.pk]},
        subscription=subscription, send_after=send_after,
    )  # fmt: skip
