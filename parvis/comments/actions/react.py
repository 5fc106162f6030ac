"""Readers reacting to others' comments: votes and reports."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from parvis.comments.models import Comment, Flag, Status, Vote
from parvis.comments.ranking import wilson_lower_bound
from parvis.core import ratelimit
from parvis.core.clients import ClientFingerprint
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.core.text import clean_line


def _published(site: Site, comment_id: int) -> Comment:
    comment = Comment.objects.select_for_update().filter(pk=comment_id, thread__site=site).first()
    if comment is None:
        raise ProblemError(Code.COMMENT_NOT_FOUND)
    if comment.status != Status.APPROVED:
        raise ProblemError(Code.COMMENT_UNAVAILABLE)
    return comment


def vote(site: Site, comment_id: int, value: int, client: ClientFingerprint) -> tuple[Comment, int]:
    """Set this reader's vote to +1, -1, or 0 (withdrawn). Returns the comment and the reader's vote."""
    ratelimit.enforce("PARVIS_RATELIMIT_ACTION_IP", client.ip_hash)
    voter = f"ip:{client.ip_hash}"
    with transaction.atomic():
        comment = _published(site, comment_id)
        if comment.ip_hash == client.ip_hash:
            raise ProblemError(Code.OWN_COMMENT_VOTE)
        existing = Vote.objects.filter(comment=comment, voter_key=voter).first()
        previous = existing.value if existing else 0
        if previous == value:
            if value == 0:
                return comment, 0
            raise ProblemError(Code.DUPLICATE_VOTE)
        if existing and value == 0:
            existing.delete()
        elif existing:
            existing.value = value
            existing.save(update_fields=["value"])
        else:
            try:
                with transaction.atomic():
                    Vote.objects.create(comment=comment, voter_key=voter, value=value)
            except IntegrityError as error:
                raise ProblemError(Code.DUPLICATE_VOTE) from error
        comment.upvotes += (value == 1) - (previous == 1)
        comment.downvotes += (value == -1) - (previous == -1)
        comment.score = comment.upvotes - comment.downvotes
        comment.rank = wilson_lower_bound(comment.upvotes, comment.downvotes)
        comment.save(update_fields=["upvotes", "downvotes", "score", "rank"])
    return comment, value


def flag(site: Site, comment_id: int, reason: str, note: str, client: ClientFingerprint) -> Flag:
    ratelimit.enforce("PARVIS_RATELIMIT_ACTION_IP", client.ip_hash)
    reporter = f"ip:{client.ip_hash}"
    note = clean_line(note, "note")[:500]
    with transaction.atomic():
        comment = _published(site, comment_id)
        try:
            with transaction.atomic():
                report = Flag.objects.create(comment=comment, reporter_key=reporter, reason=reason, note=note)
        except IntegrityError as error:
            raise ProblemError(Code.DUPLICATE_FLAG) from error
        comment.flag_count += 1
        comment.save(update_fields=["flag_count"])
    return report
