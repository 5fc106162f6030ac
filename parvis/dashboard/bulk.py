"""Deciding on many comments at once, one chunk at a time.

Why a client-side loop over chunks rather than a background job: a chunk of at most `MAX_IDS` comments is decided
in one request and one transaction, so it always ends well within any proxy's timeout, the moderator sees the
progress chunk by chunk, and stopping (closing the tab) leaves every finished chunk committed and nothing half
done. A django-tasks job would need a progress table, polling and cancellation for the same result, and would keep
deciding after the moderator noticed a mistaken filter. Each comment still goes through
`parvis.moderation.actions.moderate`, the one action that changes a status.

Stale detection: the page records the newest decision id when it was rendered (``as_of``); a comment with a
decision newer than that (a colleague, the second automatic check, the moderator's own key) is skipped and counted
as "already decided", never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery

from parvis.comments.models import Comment, Status
from parvis.core.exceptions import Code, ProblemError
from parvis.dashboard.models import DECIDING_ROLES
from parvis.dashboard.permissions import sites_for
from parvis.moderation.actions import moderate
from parvis.moderation.models import Action, Decision
from parvis.moderation.policy import active_policy

MAX_IDS = 200


@dataclass
class BulkResult:
    done: int = 0
    # Decided since the page showed them (or deleted meanwhile): left as they are.
    already_decided: int = 0
    # Not on a site where the moderator may decide (another site's id, a journalist's site, no such comment).
    unavailable: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"done": self.done, "already_decided": self.already_decided, "unavailable": self.unavailable}


def newest_decision_id() -> int:
    """The ``as_of`` of a page: every decision up to this id was there when the page was read."""
    return int(Decision.objects.aggregate(newest=Max("pk"))["newest"] or 0)


def decide_many(user: Any, ids: list[int], action: Action, *, category: str | None, as_of: int) -> BulkResult:
    """Apply ``action`` (with ``category`` for a rejection) to the comments ``ids`` that ``user`` may decide on,
    in one transaction; see the module's docstring for what is skipped."""
    if len(ids) > MAX_IDS:
        raise ProblemError(Code.VALIDATION_FAILED, f"At most {MAX_IDS} comments per request.", field="ids")
    wanted = set(ids)
    result = BulkResult()
    latest = Decision.objects.filter(comment=OuterRef("pk")).order_by("-pk")
    with transaction.atomic():
        comments = list(
            Comment.objects.select_for_update(of=("self",))
            .select_related("thread__site")
            .filter(pk__in=wanted, thread__site__in=sites_for(user, DECIDING_ROLES))
            # A subquery, not an aggregate: PostgreSQL refuses FOR UPDATE with GROUP BY.
            .annotate(newest=Subquery(latest.values("pk")[:1]))
            .order_by("pk")
        )
        result.unavailable = len(wanted) - len(comments)
        if category is not None:
            for site in {comment.thread.site for comment in comments}:
                if active_policy(site).config.rule(category) is None:
                    raise ProblemError(
                        Code.VALIDATION_FAILED, f"{site.name} has no policy category {category!r}.", field="category"
                    )
        for comment in comments:
            if comment.status == Status.DELETED or (comment.newest or 0) > as_of:
                result.already_decided += 1
                continue
            moderate(comment, action, actor=user, category=category, note="bulk")
            result.done += 1
    return result
