"""A moderator editing or redacting a comment's text (the dashboard's `e`).

Unlike the author's own edit (own.py) the new text is not moderated again: a person with the right to decide wrote
it. The change is visible to readers ("edited by the moderation") and the audit entry keeps both texts, so a
redaction can always be explained, and reversed by hand, later.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from parvis.comments import rendering, validation
from parvis.comments.models import Comment, Status
from parvis.core.exceptions import Code, ProblemError
from parvis.moderation.models import AuditEntry

# What a redacted passage becomes: the same mark in every language, so readers of a mixed thread recognise it.
REDACTION_MARK = "[…]"


class StaleEdit(Exception):
    """The text changed (the author edited it, a colleague edited it) after the moderator's editor opened."""

    def __init__(self, comment: Comment) -> None:
        self.comment = comment
        super().__init__(f"comment #{comment.pk} changed since the editor opened")


def text_version(markdown: str) -> str:
    """A short fingerprint of a text: what the editor form carries to detect a concurrent change."""
    return hashlib.sha256(markdown.encode("utf-8", "replace")).hexdigest()[:32]


def edit_by_moderator(comment: Comment, body: str, *, actor: Any, seen: str) -> Comment:
    """Replace ``comment``'s text with ``body`` as ``actor`` (an owner or moderator of its site).

    ``seen`` is the `text_version` of the text the moderator started from; when it no longer matches, nothing is
    written and `StaleEdit` is raised (the dashboard answers 409 with the current text). The HTML is rendered by the
    same renderer (and sanitiser) as every comment.
    """
    from parvis.dashboard.permissions import require_role  # the roles live in the dashboard app

    require_role(actor, comment.thread.site)
    text = validation.comment_body(comment.thread.site, body)
    html = rendering.render(text)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().select_related("thread__site").get(pk=comment.pk)
        if locked.status == Status.DELETED:
            raise ProblemError(Code.COMMENT_UNAVAILABLE)
        if text_version(locked.body_markdown) != seen:
            raise StaleEdit(locked)
        before = locked.body_markdown
        if text == before:
            return locked
        locked.body_markdown, locked.body_html = text, html
        locked.moderator_edited_at = timezone.now()
        locked.moderator_edited_by = actor
        locked.save(update_fields=["body_markdown", "body_html", "moderator_edited_at", "moderator_edited_by"])
        AuditEntry.objects.create(
            site=locked.thread.site,
            actor=actor,
            actor_label=actor.get_username(),
            action="comment.moderator_edit",
            thread_id=locked.thread_id,
            comment=locked,
            details={
                "before": before,
                "after": text,
                "redacted": text.count(REDACTION_MARK) > before.count(REDACTION_MARK),
            },
        )
    return locked
