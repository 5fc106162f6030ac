"""Reversing an audit entry: what the audit log's "Reverse" button does.

A plain registry maps an audit action name (``comment.reject``, ``thread.closed`` ...) to a `Reversal`: a function
that applies the inverse through the same action functions that made the change (so the reversal is itself
checked and audited, with ``details["reverses"]`` naming the entry), and a test of whether an entry holds enough
to be reversed. To make another kind of entry reversible (bans, block lists), register it::

    @reverses("ban.created")
    def _lift(entry: AuditEntry, actor: Any) -> AuditEntry: ...

A reversal that would overwrite a later change raises `Irreversible` (the dashboard answers 409 with its message).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from parvis.comments.actions import marks
from parvis.comments.models import Comment, Status
from parvis.dashboard.models import DECIDING_ROLES
from parvis.dashboard.permissions import require_role
from parvis.moderation.actions import moderate
from parvis.moderation.models import Action, AuditEntry, Decision
from parvis.moderation.pipeline import STATUS_OF_ACTION
from parvis.moderation.policy import active_policy
from parvis.threads import actions as thread_actions
from parvis.threads.models import Thread

Apply = Callable[[AuditEntry, Any], AuditEntry]
_ACTION_FOR_STATUS = {status: action for action, status in STATUS_OF_ACTION.items()}


class Irreversible(Exception):
    """The entry cannot be reversed (any more): the message says why, for the moderator."""


@dataclass(frozen=True)
class Reversal:
    apply: Apply
    # Whether an entry of this action holds what the reversal needs (older entries may not).
    applies: Callable[[AuditEntry], bool] = lambda entry: True


REVERSALS: dict[str, Reversal] = {}


def reverses(*actions: str, applies: Callable[[AuditEntry], bool] | None = None) -> Callable[[Apply], Apply]:
    """Register ``function`` as the reversal of the audit entries named ``actions``."""

    def register(function: Apply) -> Apply:
        for action in actions:
            REVERSALS[action] = Reversal(function, applies) if applies else Reversal(function)
        return function

    return register


def reversible(entry: AuditEntry) -> bool:
    reversal = REVERSALS.get(entry.action)
    return reversal is not None and reversal.applies(entry)


def reverse(entry: AuditEntry, actor: Any) -> AuditEntry:
    """Undo what ``entry`` records, as ``actor`` (an owner or moderator of its site); returns the new entry."""
    if entry.site is None:
        raise Irreversible(_("This entry belongs to no site."))
    require_role(actor, entry.site, DECIDING_ROLES)
    if not reversible(entry):
        raise Irreversible(_("This kind of entry cannot be reversed."))
    return REVERSALS[entry.action].apply(entry, actor)


def _note(entry: AuditEntry) -> str:
    return f"reversal of audit entry #{entry.pk}"


# ---- a moderator's decision: the comment goes back to the status before it ---------------------------------------
def _names_a_decision(entry: AuditEntry) -> bool:
    status = entry.details.get("status") if isinstance(entry.details, dict) else None
    return (
        entry.comment_id is not None
        and isinstance(entry.details.get("decision"), int)
        and isinstance(status, dict)
        and status.get("before") in _ACTION_FOR_STATUS
    )


def _restored_category(comment: Comment, decision_id: int) -> str | None:
    """The reason of the rejection being restored: the first category of the decision before, if the policy knows it."""
    before = Decision.objects.filter(comment=comment, pk__lt=decision_id).order_by("-pk").first()
    if before is None:
        return None
    config = active_policy(comment.thread.site).config
    return next((name for name in before.categories if config.rule(name) is not None), None)


@reverses(*(f"comment.{action}" for action in Action.values), applies=_names_a_decision)
def _decision(entry: AuditEntry, actor: Any) -> AuditEntry:
    decision_id = int(entry.details["decision"])
    status = Status(entry.details["status"]["before"])
    with transaction.atomic():
        locked = Comment.objects.select_for_update().select_related("thread__site")
        comment = locked.filter(pk=entry.comment_id or 0).first()
        if comment is None:
            raise Irreversible(_("The comment no longer exists."))
        later = Decision.objects.filter(comment=comment, pk__gt=decision_id).select_related("decided_by").last()
        if later is not None:
            who = later.decided_by.get_username() if later.decided_by else _("the automatic check")
            raise Irreversible(
                _("Not reversed: %(who)s decided on this comment since (%(action)s).")
                % {"who": who, "action": later.get_action_display()}
            )
        category = _restored_category(comment, decision_id) if status == Status.REJECTED else None
        moderate(
            comment,
            _ACTION_FOR_STATUS[status],
            actor=actor,
            category=category,
            note=_note(entry),
            audit={"reverses": entry.pk},
        )
        return AuditEntry.objects.filter(comment=comment).latest("pk")


# ---- thread controls and comment marks: the inverse switch, if nobody switched it back since ------------------------
def _switch_back(field: str, inverse: Callable[..., AuditEntry | None], target: Callable[[AuditEntry], Any]) -> Apply:
    def apply(entry: AuditEntry, actor: Any) -> AuditEntry:
        change = entry.details.get(field)
        subject = target(entry)
        if subject is None:
            raise Irreversible(_("What this entry changed no longer exists."))
        if not isinstance(change, dict) or getattr(subject, field) != change.get("after"):
            raise Irreversible(_("Not reversed: this was changed again since."))
        done = inverse(subject, actor=actor, audit={"reverses": entry.pk, "note": _note(entry)})
        if done is None:  # pragma: no cover - the state check above makes the switch a change
            raise Irreversible(_("Not reversed: nothing to change."))
        return done

    return apply


def _thread(entry: AuditEntry) -> Thread | None:
    return Thread.objects.select_related("site").filter(pk=entry.thread_id or 0).first()


def _comment(entry: AuditEntry) -> Comment | None:
    return Comment.objects.select_related("thread__site").filter(pk=entry.comment_id or 0).first()


for _action, _field, _inverse, _target in (
    (thread_actions.CLOSED, "is_closed", thread_actions.reopen, _thread),
    (thread_actions.REOPENED, "is_closed", thread_actions.close, _thread),
    (thread_actions.PREMODERATED, "premoderated", thread_actions.end_premoderation, _thread),
    (thread_actions.PREMODERATION_ENDED, "premoderated", thread_actions.premoderate, _thread),
    (marks.PINNED, "pinned", marks.unpin, _comment),
    (marks.UNPINNED, "pinned", marks.pin, _comment),
    (marks.PICKED, "editors_pick", marks.unpick, _comment),
    (marks.UNPICKED, "editors_pick", marks.pick, _comment),
):
    reverses(_action)(_switch_back(_field, _inverse, _target))
