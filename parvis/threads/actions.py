"""Staff controls of a thread: close it to new comments or open it again, switch it to pre-moderation or back.

Each control is one action: the permission check (an owner or moderator of the thread's site), the write, and an
audit entry with the state before and after, so the audit log can show and reverse it. Readers see the change at
once: a closed thread refuses posts with ``thread_closed`` and still shows its comments; in a pre-moderated
thread every new comment waits for a moderator (reason ``thread_premoderated``, see moderation.pipeline).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from parvis.dashboard.models import DECIDING_ROLES
from parvis.dashboard.permissions import require_role
from parvis.moderation.models import AuditEntry
from parvis.threads.models import Thread

# Audit action names, by (field, new value): the thread.* family of the audit log.
CLOSED, REOPENED = "thread.closed", "thread.reopened"
PREMODERATED, PREMODERATION_ENDED = "thread.premoderated", "thread.premoderation_ended"
_ACTIONS = {
    ("is_closed", True): CLOSED,
    ("is_closed", False): REOPENED,
    ("premoderated", True): PREMODERATED,
    ("premoderated", False): PREMODERATION_ENDED,
}


def _switch(thread: Thread, field: str, value: bool, actor: Any, audit: dict[str, Any] | None) -> AuditEntry | None:
    return _set(thread, field, value, _ACTIONS[(field, value)], actor, audit)


def close(thread: Thread, *, actor: Any, audit: dict[str, Any] | None = None) -> AuditEntry | None:
    """No new comments or replies; what was published stays readable."""
    return _switch(thread, "is_closed", True, actor, audit)


def reopen(thread: Thread, *, actor: Any, audit: dict[str, Any] | None = None) -> AuditEntry | None:
    return _switch(thread, "is_closed", False, actor, audit)


def premoderate(thread: Thread, *, actor: Any, audit: dict[str, Any] | None = None) -> AuditEntry | None:
    """Every new comment in the thread waits for a moderator, whoever writes it (a sensitive story)."""
    return _switch(thread, "premoderated", True, actor, audit)


def end_premoderation(thread: Thread, *, actor: Any, audit: dict[str, Any] | None = None) -> AuditEntry | None:
    """Back to the site's policy; comments already held stay held until a moderator decides."""
    return _switch(thread, "premoderated", False, actor, audit)


RULE_SET, AUTHOR_SET = "thread.rule", "thread.author"


def set_rule(thread: Thread, rule: str, *, actor: Any) -> AuditEntry | None:
    """Who may comment on this thread ("" follows the site): a subscribers-only story on an open site, say."""
    from parvis.core.models import CommentRule

    if rule:
        rule = CommentRule(rule).value
    return _set(thread, "who_may_comment", rule, RULE_SET, actor)


def set_author(thread: Thread, author: Any, *, actor: Any) -> AuditEntry | None:
    """The journalist who wrote the article (a commenter of the site, or None): an "author" badge in its thread."""
    if author is not None and author.site_id != thread.site_id:
        raise ValueError("the author must be a commenter of the thread's site")
    return _set(thread, "author_id", author.pk if author else None, AUTHOR_SET, actor)


def _set(
    thread: Thread, field: str, value: Any, action: str, actor: Any, audit: dict[str, Any] | None = None
) -> AuditEntry | None:
    """Set ``field`` to ``value`` and record it as ``action``; None (and no entry) when the thread already was so."""
    require_role(actor, thread.site, DECIDING_ROLES)
    with transaction.atomic():
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        before = getattr(locked, field)
        setattr(thread, field, value)
        if before == value:
            return None
        setattr(locked, field, value)
        locked.save(update_fields=[field.removesuffix("_id")])
        return AuditEntry.objects.create(
            site_id=locked.site_id,
            actor=actor,
            actor_label=actor.get_username(),
            action=action,
            thread=locked,
            details={field: {"before": before, "after": value}, **(audit or {})},
        )
