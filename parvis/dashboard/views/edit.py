"""The moderator's editor (`e`): the comment's markdown in a form loaded into its item, saved through the one
action that edits a comment as a moderator (`parvis.comments.actions.moderator_edit`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parvis.comments.actions.moderator_edit import REDACTION_MARK, StaleEdit, edit_by_moderator, text_version
from parvis.core.exceptions import ProblemError
from parvis.dashboard.permissions import can_decide, comment_for, staff_view
from parvis.dashboard.views.decide import item_response


@require_http_methods(["GET", "POST"])
@staff_view
def edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET: the editor for the comment's current text. POST: save it (409 when the text changed meanwhile)."""
    comment = comment_for(request.user, comment_id)
    if not can_decide(request.user, comment.thread.site):
        return render(request, "dashboard/denied.html", {}, status=403)
    if request.method == "GET":
        return _editor(request, comment.pk, comment.body_markdown)
    body = request.POST.get("body")
    seen = request.POST.get("seen", "")
    if body is None or not seen:
        return HttpResponse(_("The edited text is missing."), status=400, content_type="text/plain; charset=utf-8")
    try:
        edit_by_moderator(comment, body, actor=request.user, seen=seen)
    except StaleEdit:
        notice = _("Not saved: the text changed since you opened the editor. Here it is as it now is.")
        return item_response(request, comment.pk, status=409, notice=notice)
    except ProblemError as error:
        return HttpResponse(str(error.detail), status=error.status, content_type="text/plain; charset=utf-8")
    saved = _("Text saved; readers see it marked as edited by the moderation.")
    return item_response(request, comment.pk, notice=saved)


def _editor(request: HttpRequest, comment_id: int, markdown: str) -> HttpResponse:
    context = {"comment_id": comment_id, "markdown": markdown, "seen": text_version(markdown), "mark": REDACTION_MARK}
    return render(request, "dashboard/_editor.html", context)
