"""A guest editing or deleting their own comment, proven by the edit token they got when posting."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from parvis.comments import rendering, validation
from parvis.comments.models import Comment, Status
from parvis.comments.tokens import matches
from parvis.core import language, ratelimit
from parvis.core.clients import ClientFingerprint
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import ModerationMode, Site
from parvis.threads.models import Thread


def _own_comment(site: Site, comment_id: int, token: str) -> Comment:
    comment = (
        Comment.objects.select_for_update()
        .select_related("thread", "thread__site")
        .filter(pk=comment_id, thread__site=site)
        .first()
    )
    if comment is None:
        raise ProblemError(Code.COMMENT_NOT_FOUND)
    if not token or not matches(token, comment.edit_token_hash):
        raise ProblemError(Code.EDIT_TOKEN_INVALID)
    if comment.status == Status.DELETED:
        raise ProblemError(Code.COMMENT_UNAVAILABLE)
    if timezone.now() >= comment.created_at + site.edit_delta:
        raise ProblemError(Code.EDIT_WINDOW_CLOSED)
    return comment


def edit_comment(site: Site, comment_id: int, token: str, body: str, client: ClientFingerprint) -> Comment:
    ratelimit.enforce("PARVIS_RATELIMIT_ACTION_IP", client.ip_hash)
    text = validation.comment_body(site, body)
    html = rendering.render(text)
    detected = language.detect(text)
    with transaction.atomic():
        comment = _own_comment(site, comment_id, token)
        if comment.status in (Status.REJECTED, Status.SPAM):
            raise ProblemError(Code.COMMENT_UNAVAILABLE)
        comment.body_markdown, comment.body_html, comment.language = text, html, detected
        comment.edited_at = timezone.now()
        fields = ["body_markdown", "body_html", "language", "edited_at"]
        # Under pre-moderation an approved comment edited into something else must be approved again.
        if site.moderation_mode == ModerationMode.PRE and comment.status == Status.APPROVED:
            comment.status = Status.PENDING
            fields.append("status")
            Thread.objects.filter(pk=comment.thread_id).update(comment_count=F("comment_count") - 1)
        comment.save(update_fields=fields)
    return comment


def delete_comment(site: Site, comment_id: int, token: str, client: ClientFingerprint) -> Comment:
    """Soft delete: the text is wiped at once; a comment with replies stays as a placeholder."""
    ratelimit.enforce("PARVIS_RATELIMIT_ACTION_IP", client.ip_hash)
    with transaction.atomic():
        comment = _own_comment(site, comment_id, token)
        was_published = comment.status == Status.APPROVED
        comment.status = Status.DELETED
        comment.body_markdown = comment.body_html = ""
        comment.anchor_exact = comment.anchor_prefix = comment.anchor_suffix = ""
        comment.edit_token_hash = ""
        comment.save(
            update_fields=[
                "status",
                "body_markdown",
                "body_html",
                "anchor_exact",
                "anchor_prefix",
                "anchor_suffix",
                "edit_token_hash",
            ]
        )
        if was_published:
            Thread.objects.filter(pk=comment.thread_id).update(comment_count=F("comment_count") - 1)
    return comment
