"""The moderation queue: tabs, filters, sorting and pages of items."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from parvis import conf
from parvis.comments.models import Comment, Flag, Status
from parvis.dashboard.bulk import MAX_IDS, newest_decision_id
from parvis.dashboard.permissions import sites_for, staff_view
from parvis.dashboard.views.items import build_items, reject_menu, with_relations
from parvis.moderation.models import Decision, Stage

PER_PAGE = 50
TABS = ("pending", "reported", "spam", "all")
SORTS = ("risk", "newest")
MAX_SEARCH = 200
# What the "all" tab can narrow to (deleted comments are never listed).
FILTER_STATUSES = (Status.PENDING, Status.APPROVED, Status.REJECTED, Status.SPAM)
# The expression the GIN index of migration dashboard 0002 is built on; the search must use exactly this one.
SEARCH_VECTOR = SearchVector("body_markdown", config="simple")


@dataclass(frozen=True)
class Filters:
    """The queue's query string, validated: anything unknown falls back to the default rather than failing, and
    a value that cannot be read (a date, a thread number) is dropped with a message saying so in ``problems``."""

    tab: str = "pending"
    sort: str = "risk"
    site: str = ""
    language: str = ""
    category: str = ""
    q: str = ""
    thread: str = ""
    date_from: str = ""
    date_to: str = ""
    status: str = ""
    problems: tuple[str, ...] = ()

    @classmethod
    def parse(cls, request: HttpRequest) -> Filters:
        get = request.GET
        tab = get.get("tab", "pending")
        sort = get.get("sort", "risk")
        problems: list[str] = []
        thread = get.get("thread", "").strip()
        if thread and not (thread.isdigit() and 0 < int(thread) < 2**63):
            problems.append(_("The thread filter must be a thread number; it was ignored."))
            thread = ""
        dates = {}
        for name, label in (("from", _("from")), ("to", _("to"))):
            value = get.get(name, "").strip()
            if value and _parse_date(value) is None:
                message = _("The date “%(label)s” is not a date (YYYY-MM-DD); it was ignored.")
                problems.append(message % {"label": label})
                value = ""
            dates[name] = value
        status = get.get("status", "")
        if status and status not in FILTER_STATUSES:
            problems.append(_("Unknown status; every status is shown."))
            status = ""
        return cls(
            tab=tab if tab in TABS else "pending",
            sort=sort if sort in SORTS else "risk",
            site=get.get("site", "")[:50],
            language=get.get("language", "")[:8],
            category=get.get("category", "")[:40],
            q=get.get("q", "").strip()[:MAX_SEARCH],
            thread=thread,
            date_from=dates["from"],
            date_to=dates["to"],
            # Only the "all" tab mixes statuses; the other tabs are a status already.
            status=status if tab == "all" else "",
            problems=tuple(problems),
        )

    def params(self) -> dict[str, str]:
        """The filters as query parameters (the names of the form's fields)."""
        names = {"date_from": "from", "date_to": "to"}
        return {names.get(name, name): value for name, value in self.__dict__.items() if name != "problems" and value}

    def query(self, **changes: str) -> str:
        """The query string of these filters with ``changes`` (the page number resets unless given)."""
        return urlencode({name: value for name, value in {**self.params(), **changes}.items() if value})


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _day_start(value: str) -> datetime:
    """Midnight at the start of ``value`` in the site's time zone (the dashboard's dates are local dates)."""
    parsed = _parse_date(value)
    assert parsed is not None  # validated by Filters.parse
    return timezone.make_aware(datetime.combine(parsed, time.min))


def search(comments: QuerySet[Comment], text: str) -> QuerySet[Comment]:
    """Comments whose text matches ``text``.

    On PostgreSQL: full-text search with the 'simple' configuration (no stemming, no stop words: it treats French,
    English, Hebrew and Arabic alike), every word a prefix ("budg" finds "budget"), on the GIN expression index that
    the dashboard's migration 0002 creates. Elsewhere (SQLite): a portable ``icontains`` per word.
    """
    words = re.findall(r"\w+", text)
    if not words:
        return comments.filter(body_markdown__icontains=text)
    if connection.vendor != "postgresql":
        # Every word somewhere in the text, like the full-text query (not the words as one phrase).
        for word in words:
            comments = comments.filter(body_markdown__icontains=word)
        return comments
    # Each word is only letters, digits and underscores: nothing of the tsquery syntax can come through.
    query = SearchQuery(" & ".join(f"{word}:*" for word in words), config="simple", search_type="raw")
    return comments.annotate(search_vector=SEARCH_VECTOR).filter(search_vector=query)


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
    if filters.thread:
        comments = comments.filter(thread_id=int(filters.thread))
    if filters.date_from:
        comments = comments.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        comments = comments.filter(created_at__lt=_day_start(filters.date_to) + timedelta(days=1))
    if filters.status:
        comments = comments.filter(status=filters.status)
    if filters.q:
        comments = search(comments, filters.q)
    if filters.sort == "risk":
        return comments.order_by(F("queue_index__risk").desc(nulls_last=True), "-created_at", "-pk")
    return comments.order_by("-created_at", "-pk")


def arrived_since(comments: QuerySet[Comment], since: datetime) -> QuerySet[Comment]:
    """Comments of a tab that came to it after ``since``: posted, reported, or held by the automatic checks since
    (a moderator's own decisions take comments off the tabs they watch, so they are not "new")."""
    return comments.filter(
        Q(created_at__gt=since)
        | Exists(Flag.objects.filter(comment=OuterRef("pk"), created_at__gt=since))
        | Exists(Decision.objects.filter(comment=OuterRef("pk"), created_at__gt=since).exclude(stage=Stage.MODERATOR))
    )


@require_GET
@staff_view
def new(request: HttpRequest) -> HttpResponse:
    """How many comments arrived in this tab since the page was loaded: what the page polls every 15 seconds (one
    COUNT), to offer "N new in the queue — show" instead of moving the list under the moderator's eyes."""
    try:
        since = datetime.fromtimestamp(float(request.GET.get("since", "")), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return HttpResponse(_("“since” must be a time stamp."), status=400, content_type="text/plain; charset=utf-8")
    filters = Filters.parse(request)
    count = arrived_since(queue_queryset(request.user, filters), since).count()
    return render(request, "dashboard/_new.html", {"count": count, "query": filters.query()})


def script_texts() -> dict[str, str]:
    """What queue.js says in the status line, in the moderator's language: the script is a static file, so its
    words come in the page (a JSON script element, which the CSP allows since it does not run). Counts are
    labelled rather than put in a sentence, so no plural form is needed in the browser."""
    return {
        "cannot_decide": _("You cannot decide on this comment."),
        "cannot_ban": _("You cannot ban from this comment."),
        "select_passage": _("Select the passage to redact first."),
        "select_first": _("Select comments first (x)."),
        "selected": _("Selected: {count}"),
        "progress": _("Done: {done} · already decided: {already} · not available: {unavailable}"),
        "error": _("Error {status}"),
        "unreachable": _("The server could not be reached."),
    }


@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    filters = Filters.parse(request)
    loaded_at = timezone.now()
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
            "reasons": sorted({(reason.slug, reason.label) for site in sites for reason in reject_menu(site)}),
            "statuses": [(status, Status(status).label) for status in FILTER_STATUSES],
            "since": f"{loaded_at.timestamp():.6f}",
            "as_of": newest_decision_id(),
            "max_ids": MAX_IDS,
            "script_texts": script_texts(),
        },
    )
