"""A guest editing or deleting their own comment, proven by the edit token they got when posting."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from parvis.comments import rendering, validation
from parvis.comments.models import Comment, Status
from parvis.comments.tokens import matches
from parvis.core import ratelimit
from parvis.core.clients import ClientFingerprint
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.moderation import actions as moderation
from parvis.moderation import duplicates, pipeline
from parvis.moderation.models import Decision, Stage
from parvis.moderation.tasks import second_opinion
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
    """Change the text; the new text is moderated like a new comment (an approved comment edited into abuse is
    taken down, one held for a fixable reason — say a phone number — can come back once fixed)."""
    ratelimit.enforce("PARVIS_RATELIMIT_ACTION_IP", client.ip_hash)
    text = validation.comment_body(site, body)
    html = rendering.render(text)
    scored = pipeline.assess_text(site, text)
    with transaction.atomic():
        comment = _own_comment(site, comment_id, token)
        if comment.status in (Status.REJECTED, Status.SPAM):
            raise ProblemError(Code.COMMENT_UNAVAILABLE)
        verdict = pipeline.decide(
            site, scored, pipeline.Sending(client.ip_hash), thread=comment.thread, commenter_id=comment.commenter_id
        )
        comment.body_markdown, comment.body_html, comment.language = text, html, verdict.language
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body_markdown", "body_html", "language", "edited_at"])
        held_by_moderator = (
            Decision.objects.filter(comment=comment)
            .order_by("-created_at", "-pk")
            .values_list("stage", flat=True)
            .first()
            == Stage.MODERATOR
            and comment.status == Status.PENDING
        )
        decision = moderation.record(comment, verdict, Stage.SYNC)
        if not held_by_moderator:
            moderation.set_status(comment, verdict.status)
        duplicates.remember(comment, verdict.bands)
        if verdict.second_opinion and not held_by_moderator:
            second_opinion.enqueue(comment.pk, decision.pk)
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
