"""Staff marks on a comment that readers see: pinned (heads its thread) and editor's pick (a badge).

Each mark is one action with the permission check (an owner or moderator of the comment's site), the write and an
audit entry with the value before and after. Only a published comment can be marked: pinning a held or removed
comment would put it in front of readers, or point at nothing (409 ``comment_unavailable``). Taking a mark off
is always allowed.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from parvis.comments.models import Comment, Status
from parvis.core.exceptions import Code, ProblemError
from parvis.dashboard.models import DECIDING_ROLES
from parvis.dashboard.permissions import require_role
from parvis.moderation.models import AuditEntry

PINNED, UNPINNED = "comment.pinned", "comment.unpinned"
PICKED, UNPICKED = "comment.picked", "comment.unpicked"
_ACTIONS = {
    ("pinned", True): PINNED,
    ("pinned", False): UNPINNED,
    ("editors_pick", True): PICKED,
    ("editors_pick", False): UNPICKED,
}


def _mark(comment: Comment, field: str, value: bool, actor: Any, audit: dict[str, Any] | None) -> AuditEntry | None:
    """Set ``field`` to ``value`` and record it; None (and no entry) when the comment already was so."""
    require_role(actor, comment.thread.site, DECIDING_ROLES)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if value and locked.status != Status.APPROVED:
            raise ProblemError(Code.COMMENT_UNAVAILABLE, "Only a published comment can be pinned or picked.")
        before = getattr(locked, field)
        setattr(comment, field, value)
        if before == value:
            return None
        setattr(locked, field, value)
        locked.save(update_fields=[field])
        return AuditEntry.objects.create(
            site_id=comment.thread.site_id,
            actor=actor,
            actor_label=actor.get_username(),
            action=_ACTIONS[(field, value)],
            thread_id=locked.thread_id,
            comment=locked,
            details={field: {"before": before, "after": value}, **(audit or {})},
        )


def pin(comment: Comment, *, actor: Any, audit: dict[str, Any] | None = None) -> AuditEntry | None:
    """Show the comment first in its thread (several pinned comments: in the thread's order among themselves)."""
    return _mark(comment, "pinned", True, actor, audit)


def unpin(comment: Comment, *, actor: Any, audit: dict[str, Any] | None = None) -> AuditEntry | None:
    return _mark(comment, "pinned", False, actor, audit)


def pick(comment: Comment, *, actor: Any, audit: dict[str, Any] | None = None) -> AuditEntry | None:
    """Mark the comment as an editor's pick: readers see the badge in the widget and on the thread page."""
    return _mark(comment, "editors_pick", True, actor, audit)


def unpick(comment: Comment, *, actor: Any, audit: dict[str, Any] | None = None) -> AuditEntry | None:
    return _mark(comment, "editors_pick", False, actor, audit)
