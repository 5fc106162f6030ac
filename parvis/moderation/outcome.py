"""What the author of a comment is told about its moderation: the action, which policy rules applied (as codes the
widget translates, with the site's own label for custom categories), and whether they can still ask for review.

Moderators see the full reasons (rules, list entries, spans) in the admin and the dashboard; authors see the rule,
never the scores or the words a filter keyed on, so the filters are not taught to the people testing them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from parvis.comments.models import Comment, Status
from parvis.moderation.models import Appeal, Decision
from parvis.moderation.pipeline import SHADOW_BAN, STATUS_OF_ACTION
from parvis.moderation.policy import PolicyConfig, active_policy

_ACTION_OF_STATUS = {status: action for action, status in STATUS_OF_ACTION.items()}


def outcomes(comments: Iterable[Comment]) -> dict[int, dict[str, Any]]:
    """The outcome of each comment (two queries whatever their number); published ones get none."""
    wanted = {
        comment.pk: comment
        for comment in comments
        if comment.status in _ACTION_OF_STATUS and comment.status != Status.APPROVED
    }
    if not wanted:
        return {}
    latest: dict[int, Decision] = {}
    for decision in Decision.objects.filter(comment_id__in=list(wanted)).order_by("comment_id", "created_at", "pk"):
        latest[decision.comment_id] = decision
    appealed = set(Appeal.objects.filter(comment_id__in=list(wanted)).values_list("comment_id", flat=True))
    # The comments of one request belong to one site: one policy read for all of them.
    config = active_policy(next(iter(wanted.values())).thread.site).config
    return {
        pk: describe(comment, latest.get(pk), config, appealed=pk in appealed)
        for pk, comment in wanted.items()
        if comment.status != Status.APPROVED
    }


def describe(comment: Comment, decision: Decision | None, config: PolicyConfig, *, appealed: bool) -> dict[str, Any]:
    codes = [code for code in (decision.categories if decision is not None else []) if code != SHADOW_BAN]
    return {
        "action": _ACTION_OF_STATUS[Status(comment.status)],
        "reasons": [{"code": code, "label": str(config.label(code))} for code in codes],
        "appealable": comment.status != Status.APPROVED and not appealed,
        "appealed": appealed,
    }
