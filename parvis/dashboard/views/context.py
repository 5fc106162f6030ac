"""The thread around a queued comment, loaded when the moderator opens it: what was said just before and just
after it in its thread, and the replies it drew — often what decides between a sharp remark and an insult."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from parvis.comments.models import Comment, Status
from parvis.dashboard.permissions import comment_for, staff_view

AROUND = 2  # comments before and after it in the thread
REPLIES = 10  # its direct replies, oldest first


def around(comment: Comment) -> tuple[list[Comment], list[Comment], list[Comment]]:
    """(before, after, replies) of ``comment``, in one query: three bounded sub-selects in one ``IN`` list."""
    thread = Comment.objects.filter(thread_id=comment.thread_id).exclude(status=Status.DELETED)
    key = Q(created_at__lt=comment.created_at) | Q(created_at=comment.created_at, pk__lt=comment.pk)
    later = Q(created_at__gt=comment.created_at) | Q(created_at=comment.created_at, pk__gt=comment.pk)
    before = thread.filter(key).order_by("-created_at", "-pk").values("pk")[:AROUND]
    after = thread.filter(later).exclude(parent=comment).order_by("created_at", "pk").values("pk")[:AROUND]
    replies = thread.filter(parent=comment).order_by("created_at", "pk").values("pk")[:REPLIES]
    found = list(thread.filter(Q(pk__in=before) | Q(pk__in=after) | Q(pk__in=replies)).order_by("created_at", "pk"))
    return (
        [c for c in found if c.parent_id != comment.pk and (c.created_at, c.pk) < (comment.created_at, comment.pk)],
        [c for c in found if c.parent_id != comment.pk and (c.created_at, c.pk) > (comment.created_at, comment.pk)],
        [c for c in found if c.parent_id == comment.pk],
    )


@require_GET
@staff_view
def context(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Readable by every role (a journalist follows the discussion too)."""
    comment = comment_for(request.user, comment_id)
    before, after, replies = around(comment)
    return render(
        request,
        "dashboard/_context.html",
        {"comment": comment, "before": before, "after": after, "replies": replies},
    )
