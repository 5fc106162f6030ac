"""Decisions taken from the queue: approve, hold, reject with a reason, spam, and undo.

Each goes through `parvis.moderation.actions.moderate`, the one place that changes a comment's status, writes the
decision, the audit entry and the training example. These views only check who may decide, detect stale
decisions and answer the re-rendered item for htmx to swap in.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.comments.models import Comment, Status
from parvis.core.exceptions import ProblemError
from parvis.dashboard.permissions import can_decide, comment_for, staff_view
from parvis.dashboard.views.items import build_items, with_relations
from parvis.moderation.actions import moderate
from parvis.moderation.models import Action, Decision
from parvis.moderation.policy import active_policy

# The action that puts a comment back in a status (what an undo applies).
ACTION_FOR_STATUS = {
    Status.APPROVED: Action.PUBLISH,
    Status.PENDING: Action.HOLD,
    Status.REJECTED: Action.REJECT,
    Status.SPAM: Action.SPAM,
}
# The moderator's own decisions, newest last, kept in the session for `u` (a short stack is enough to undo a slip).
UNDO_KEY = "dashboard_undo"
UNDO_DEPTH = 20


def item_response(request: HttpRequest, comment_id: int, *, status: int = 200, notice: str = "") -> HttpResponse:
    if not request.headers.get("HX-Request") and status == 200:
        # Without JavaScript the form posted the whole page: go back to the queue (303, so reloading never re-posts).
        return HttpResponseRedirect(reverse("dashboard:queue"), status=303)
    comment = with_relations(Comment.objects).get(pk=comment_id)
    item = build_items([comment], request.user, {comment.pk: notice} if notice else None)[0]
    return render(request, "dashboard/_item.html", {"item": item}, status=status)


def _denied(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/denied.html", {}, status=403)


def _decider_label(decision: Decision) -> str:
    return decision.decided_by.get_username() if decision.decided_by else _("the automatic check")


def parse_action(data: Any) -> tuple[Action, str | None] | None:
    """``action`` (publish, hold, reject, spam) and an optional ``category``; a category alone means reject."""
    category = str(data.get("category", "")).strip() or None
    raw = data.get("action") or (Action.REJECT if category else "")
    if raw not in Action.values:
        return None
    action = Action(raw)
    return action, category if action == Action.REJECT else None


def _known_category(comment: Comment, decision: Decision | None) -> str | None:
    """The first of ``decision``'s categories the site's policy knows: what the restored rejection is for."""
    if decision is None:
        return None
    config = active_policy(comment.thread.site).config
    return next((name for name in decision.categories if config.rule(name) is not None), None)


@require_POST
@staff_view
def decide(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = comment_for(request.user, comment_id)
    if not can_decide(request.user, comment.thread.site):
        return _denied(request)
    parsed = parse_action(request.POST)
    seen = request.POST.get("seen", "")
    if parsed is None or not seen.isdigit():
        return HttpResponse(_("Unknown decision."), status=400, content_type="text/plain; charset=utf-8")
    action, category = parsed
    with transaction.atomic():
        # Locked so two moderators deciding at once are ordered; the second one sees the first one's decision.
        locked = Comment.objects.select_for_update().select_related("thread__site").get(pk=comment.pk)
        latest = Decision.objects.filter(comment=locked).select_related("decided_by").order_by("-created_at", "-pk")
        current = latest.first()
        if (current.pk if current else 0) != int(seen):
            message = (
                _("Already decided by %(who)s: %(action)s.")
                % {"who": _decider_label(current), "action": current.get_action_display()}
                if current
                else _("This comment changed since the page was loaded.")
            )
            return item_response(request, comment.pk, status=409, notice=message)
        previous = locked.status
        try:
            decision = moderate(locked, action, actor=request.user, category=category)
        except ProblemError as error:
            return HttpResponse(str(error.detail), status=error.status, content_type="text/plain; charset=utf-8")
    stack = list(request.session.get(UNDO_KEY, []))[-(UNDO_DEPTH - 1) :]
    stack.append({"comment": comment.pk, "decision": decision.pk, "status": previous})
    request.session[UNDO_KEY] = stack
    return item_response(request, comment.pk)


@require_POST
@staff_view
def undo(request: HttpRequest) -> HttpResponse:
    """Put back the status the moderator's last decision replaced, through the same action, noted as an undo."""
    stack = list(request.session.get(UNDO_KEY, []))
    if not stack:
        return HttpResponse(_("Nothing to undo."), status=409, content_type="text/plain; charset=utf-8")
    last = stack.pop()
    request.session[UNDO_KEY] = stack
    try:
        comment = comment_for(request.user, int(last["comment"]))
    except Http404:
        return HttpResponse(_("Nothing to undo."), status=409, content_type="text/plain; charset=utf-8")
    if not can_decide(request.user, comment.thread.site):
        return _denied(request)
    target = {"HX-Retarget": f"#item-{comment.pk}", "HX-Reswap": "outerHTML"}
    with transaction.atomic():
        locked = Comment.objects.select_for_update().select_related("thread__site").get(pk=comment.pk)
        current = Decision.objects.filter(comment=locked).select_related("decided_by").order_by("-created_at", "-pk")
        newest = current.first()
        if newest is None or newest.pk != last["decision"]:
            # Someone decided after this moderator: undoing now would overwrite their decision.
            message = _("Not undone: decided since by %(who)s.") % {"who": _decider_label(newest) if newest else "?"}
            response = item_response(request, comment.pk, status=409, notice=message)
        else:
            status = Status(last["status"])
            # The decision that had set the status being restored: a rejection is restored with its reason.
            before = Decision.objects.filter(comment=locked, pk__lt=newest.pk).order_by("-created_at", "-pk").first()
            category = _known_category(locked, before) if status == Status.REJECTED else None
            try:
                moderate(
                    locked,
                    ACTION_FOR_STATUS[status],
                    actor=request.user,
                    category=category,
                    note=f"undo of decision #{newest.pk}",
                )
            except ProblemError as error:
                return HttpResponse(str(error.detail), status=error.status, content_type="text/plain; charset=utf-8")
            response = item_response(
                request, comment.pk, notice=_("Undone: back to %(status)s.") % {"status": status.label}
            )
    for name, value in target.items():
        response[name] = value
    return response
