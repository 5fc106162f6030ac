"""Who may comment where: the thread's rule, or its site's. Reading is always public."""

from __future__ import annotations

from parvis.accounts.models import Badge, Commenter
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import CommentRule, Site
from parvis.threads.models import Thread

SUBSCRIBER = "subscriber"
STAFF_ROLES = frozenset({"staff", "journalist", "editor"})


def is_staff(commenter: Commenter) -> bool:
    return commenter.badge in (Badge.STAFF, Badge.JOURNALIST) or bool(STAFF_ROLES & set(commenter.roles or ()))


def is_subscriber(commenter: Commenter) -> bool:
    return SUBSCRIBER in (commenter.roles or ()) or is_staff(commenter)


def rule_of(site: Site, thread: Thread | None) -> str:
    """The rule in force on ``thread`` of ``site`` (None: a thread not created yet): its own, else the site's."""
    return (thread.who_may_comment if thread is not None else "") or site.who_may_comment


def rule_for(site: Site, thread_key: str) -> str:
    """The rule in force for the thread of ``thread_key`` (which may not exist yet)."""
    own = Thread.objects.filter(site=site, key=thread_key).values_list("who_may_comment", flat=True).first()
    return own or site.who_may_comment


def check(rule: str, reader: Commenter | None) -> None:
    """Refuse a comment ``rule`` does not allow from ``reader`` (None: a guest), saying what would allow it."""
    if rule == CommentRule.ANYONE:
        return
    if reader is None:
        code = {CommentRule.SUBSCRIBERS: Code.SUBSCRIBERS_ONLY, CommentRule.STAFF: Code.STAFF_ONLY}.get(
            CommentRule(rule), Code.SIGN_IN_REQUIRED
        )
        raise ProblemError(code)
    if rule == CommentRule.SUBSCRIBERS and not is_subscriber(reader):
        raise ProblemError(Code.SUBSCRIBERS_ONLY, "Your account is not a subscription of this newsroom.")
    if rule == CommentRule.STAFF and not is_staff(reader):
        raise ProblemError(Code.STAFF_ONLY)
