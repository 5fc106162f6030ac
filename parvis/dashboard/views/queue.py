"""The moderation queue: tabs, filters, sorting and pages of items."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parvis import conf
from parvis.comments.models import Comment, Flag, Status
from parvis.dashboard.permissions import sites_for, staff_view
from parvis.dashboard.views.items import build_items, reject_menu, with_relations
from parvis.moderation.models import Decision, Stage

PER_PAGE = 50
TABS = ("pending", "reported", "spam", "all")
SORTS = ("risk", "newest")
MAX_SEARCH = 200


@dataclass(frozen=True)
class Filters:
    """The queue's query string, validated: anything unknown falls back to the default rather than failing."""

    tab: str = "pending"
    sort: str = "risk"
    site: str = ""
    language: str = ""
    category: str = ""
    q: str = ""

    @classmethod
    def parse(cls, request: HttpRequest) -> Filters:
        get = request.GET
        tab = get.get("tab", "pending")
        sort = get.get("sort", "risk")
        return cls(
            tab=tab if tab in TABS else "pending",
            sort=sort if sort in SORTS else "risk",
            site=get.get("site", "")[:50],
            language=get.get("language", "")[:8],
            category=get.get("category", "")[:40],
            q=get.get("q", "").strip()[:MAX_SEARCH],
        )

    def query(self, **changes: str) -> str:
        """The query string of these filters with ``changes`` (the page number resets unless given)."""
        values = {**self.__dict__, **changes}
        return urlencode({name: value for name, value in values.items() if value})


def queue_queryset(user: object, filters: Filters) -> QuerySet[Comment]:
    """The comments a tab lists for ``user``, filtered and sorted."""
    comments = Comment.objects.filter(thread__site__in=sites_for(user))
    if filters.tab == "pending":
        comments = comments.filter(status=Status.PENDING)
    elif filters.tab == "reported":
        # Reports a moderator has not answered yet: those made after the comment's last moderator decision. Keeping a
        # reported comment published takes it off this tab until someone reports it again.
        reviewed = Decision.objects.filter(comment=OuterRef("pk"), stage=Stage.MODERATOR).order_by("-created_at")
        comments = (
            comments.filter(status=Status.APPROVED)
            .annotate(reviewed_at=Subquery(reviewed.values("created_at")[:1]))
            .filter(
                Q(reviewed_at__isnull=True) & Exists(Flag.objects.filter(comment=OuterRef("pk")))
                | Exists(Flag.objects.filter(comment=OuterRef("pk"), created_at__gt=OuterRef("reviewed_at")))
            )
        )
    elif filters.tab == "spam":
        comments = comments.filter(status=Status.SPAM)
    else:
        comments = comments.exclude(status=Status.DELETED)
    if filters.site:
        comments = comments.filter(thread__site__slug=filters.site)
    if filters.language:
        comments = comments.filter(language=filters.language)
    if filters.category:
        comments = comments.filter(queue_index__categories__contains=f",{filters.category},")
    if filters.q:
        # icontains works on every database; a full-text index can replace it once the queues grow large.
        comments = comments.filter(Q(body_markdown__icontains=filters.q))
    if filters.sort == "risk":
        return comments.order_by(F("queue_index__risk").desc(nulls_last=True), "-created_at", "-pk")
    return comments.order_by("-created_at", "-pk")


@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    filters = Filters.parse(request)
    paginator = Paginator(with_relations(queue_queryset(request.user, filters)), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    items = build_items(list(page.object_list), request.user)
    sites = list(sites_for(request.user))
    return render(
        request,
        "dashboard/queue.html",
        {
            "filters": filters,
            "tabs": [(tab, filters.query(tab=tab)) for tab in TABS],
            "sorts": [(sort, filters.query(sort=sort)) for sort in SORTS],
            "page": page,
            "previous_query": filters.query(page=str(page.previous_page_number())) if page.has_previous() else "",
            "next_query": filters.query(page=str(page.next_page_number())) if page.has_next() else "",
            "items": items,
            "sites": sites,
            "languages": conf.languages(),
            "categories": sorted({reason.slug for site in sites for reason in reject_menu(site)} | {"spam"}),
        },
    )
