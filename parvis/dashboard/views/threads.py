"""Threads in the dashboard: the list of the user's sites' threads with their state, a thread's page with its
controls (close / reopen, pre-moderation on / off) and the pin and editor's-pick marks on its comments.

The views parse and call the actions (`parvis.threads.actions`, `parvis.comments.actions.marks`), which check the
role and write the audit entry. Without JavaScript each form posts and comes back (303) to the page it came from.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.accounts.models import Commenter
from parvis.comments.actions import marks
from parvis.comments.models import Comment, Status
from parvis.core.exceptions import ProblemError
from parvis.core.models import CommentRule
from parvis.dashboard.models import DECIDING_ROLES
from parvis.dashboard.permissions import comment_for, sites_for, staff_view
from parvis.dashboard.views.items import build_items, with_relations
from parvis.threads import actions
from parvis.threads.models import Thread

PER_PAGE = 50
MAX_SEARCH = 200
RECENT_COMMENTS = 50
CONTROLS = {
    "close": actions.close,
    "reopen": actions.reopen,
    "premoderate": actions.premoderate,
    "end_premoderation": actions.end_premoderation,
}
MARKS = {"pin": marks.pin, "unpin": marks.unpin, "pick": marks.pick, "unpick": marks.unpick}


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """303 to the page the form came from (a local path only), else ``fallback``."""
    target = request.POST.get("next", "")
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None)):
        target = fallback
    return HttpResponseRedirect(target, status=303)


def thread_for(user: Any, thread_id: int) -> Thread:
    """A thread of one of ``user``'s sites, or 404 (whether it exists elsewhere or not at all)."""
    if not 0 < thread_id < 2**63:
        raise Http404
    thread = Thread.objects.select_related("site").filter(pk=thread_id, site__in=sites_for(user)).first()
    if thread is None:
        raise Http404
    return thread


def _held_counts(thread_ids: list[int]) -> dict[int, int]:
    rows = (
        Comment.objects.filter(thread_id__in=thread_ids, status=Status.PENDING)
        .values("thread_id")
        .annotate(n=Count("pk"))
    )
    return {row["thread_id"]: row["n"] for row in rows}


@staff_view
def thread_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:MAX_SEARCH]
    site = request.GET.get("site", "")[:50]
    threads = Thread.objects.filter(site__in=sites_for(request.user)).select_related("site")
    if site:
        threads = threads.filter(site__slug=site)
    if q:
        threads = threads.filter(Q(title__icontains=q) | Q(key__icontains=q))
    ordered = threads.order_by("-last_comment_at", "-created_at", "-pk")
    page = Paginator(ordered, PER_PAGE).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    held = _held_counts([thread.pk for thread in listed])
    deciding = set(sites_for(request.user, DECIDING_ROLES).values_list("pk", flat=True))
    rows = [{"thread": t, "held": held.get(t.pk, 0), "can_control": t.site_id in deciding} for t in listed]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/threads.html",
        {"rows": rows, "page": page, "q": q, "site": site, "sites": list(sites_for(request.user)),
         "query": query.urlencode(), "here": request.get_full_path()},
    )  # fmt: skip


@staff_view
def thread_detail(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = thread_for(request.user, thread_id)
    comments = list(
        with_relations(Comment.objects.filter(thread=thread, status=Status.APPROVED)).order_by(
            "-pinned", "-editors_pick", "-created_at", "-pk"
        )[:RECENT_COMMENTS]
    )
    items = build_items(comments, request.user)
    return render(
        request,
        "dashboard/thread.html",
        {
            "thread": thread,
            # Only a web address becomes a link (never a javascript: or data: URL).
            "article_url": thread.url if thread.url.startswith(("https://", "http://")) else "",
            "held": _held_counts([thread.pk]).get(thread.pk, 0),
            "can_control": sites_for(request.user, DECIDING_ROLES).filter(pk=thread.site_id).exists(),
            "rules": CommentRule.choices,
            "site_rule": CommentRule(thread.site.who_may_comment).label,
            "authors": Commenter.objects.filter(site=thread.site).exclude(badge="").order_by("name", "pk"),
            "items": items,
            "here": request.get_full_path(),
        },
    )


@require_POST
@staff_view
def thread_control(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = thread_for(request.user, thread_id)
    control = CONTROLS.get(request.POST.get("control", ""))
    if control is None:
        return _text(_("Unknown thread control."), 400)
    try:
        control(thread, actor=request.user)
    except PermissionDenied:
        return render(request, "dashboard/denied.html", {}, status=403)
    return _back(request, reverse("dashboard:thread", args=[thread.pk]))


@require_POST
@staff_view
def thread_access(request: HttpRequest, thread_id: int) -> HttpResponse:
    """Who may comment on the thread, and which journalist wrote the article."""
    thread = thread_for(request.user, thread_id)
    rule = request.POST.get("rule", "")
    if rule and rule not in CommentRule.values:
        return _text(_("Unknown rule."), 400)
    author_id = request.POST.get("author", "")
    author = None
    if author_id:
        author = Commenter.objects.filter(site=thread.site, pk=int(author_id) if author_id.isdigit() else 0).first()
        if author is None:
            return _text(_("Unknown author."), 400)
    try:
        actions.set_rule(thread, rule, actor=request.user)
        actions.set_author(thread, author, actor=request.user)
    except PermissionDenied:
        return render(request, "dashboard/denied.html", {}, status=403)
    return _back(request, reverse("dashboard:thread", args=[thread.pk]))


@require_POST
@staff_view
def comment_mark(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = comment_for(request.user, comment_id)
    mark = MARKS.get(request.POST.get("mark", ""))
    if mark is None:
        return _text(_("Unknown mark."), 400)
    try:
        mark(comment, actor=request.user)
    except PermissionDenied:
        return render(request, "dashboard/denied.html", {}, status=403)
    except ProblemError as error:
        return _text(str(error.detail), error.status)
    if request.headers.get("HX-Request"):
        # From the queue: the item comes back with its new marks, swapped in place.
        fresh = with_relations(Comment.objects).get(pk=comment.pk)
        return render(request, "dashboard/_item.html", {"item": build_items([fresh], request.user)[0]})
    return _back(request, reverse("dashboard:thread", args=[comment.thread_id]))
