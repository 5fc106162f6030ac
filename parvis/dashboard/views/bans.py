"""/moderate/bans/: the bans of the user's sites (active, expired, lifted), a form to ban, a button to lift; and the
queue's `b` key, which bans the sender of the selected comment.

Only owners and moderators see bans: who is banned, by what and why is moderation work, and a journalist reading
the queue has no use for it (403). The parsing is here; `parvis.accounts.actions` checks, writes and audits.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from parvis.accounts.actions import BanError, BanTarget, ban, lift_ban, target_from_comment, target_typed
from parvis.accounts.models import Ban, BanKind
from parvis.comments.models import Comment
from parvis.core.models import Site
from parvis.dashboard.models import DECIDING_ROLES
from parvis.dashboard.permissions import comment_for, require_role, sites_for, staff_view
from parvis.dashboard.views.items import build_items, with_relations

PER_PAGE = 50
STATES = ("active", "expired", "lifted", "all")
DURATIONS = {"1": timedelta(days=1), "7": timedelta(days=7), "30": timedelta(days=30)}


def moderated_sites(user: Any) -> list[Site]:
    """The sites on which ``user`` may ban and edit lists; a journalist-only account is refused (403)."""
    sites = list(sites_for(user, DECIDING_ROLES))
    if not sites:
        raise PermissionDenied
    return sites


def chosen_site(user: Any, slug: str) -> Site:
    """The site a form or filter names: 404 if it is none of the user's, 403 if they only read its queue."""
    site = Site.objects.filter(slug=slug[:50]).first()
    if site is None:
        raise Http404
    require_role(user, site)
    return site


def parse_until(duration: str, custom: str, now: datetime) -> datetime | None:
    """The end of a ban: 1, 7 or 30 days from now, "forever" (None), or a custom date (midnight UTC that day)."""
    if duration in DURATIONS:
        return now + DURATIONS[duration]
    if duration == "forever":
        return None
    if duration != "custom":
        raise BanError("duration", _("Choose how long the ban lasts."))
    try:
        moment = datetime.fromisoformat(custom.strip()[:32])
    except ValueError:
        raise BanError("until", _("Give the end date as YYYY-MM-DD.")) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _options(data: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "until": parse_until(str(data.get("duration", "")), str(data.get("until", "")), now),
        "shadow": data.get("shadow") in ("1", "on", "true"),
        "reason": str(data.get("reason", "")),
    }


def _bans(user: Any, sites: list[Site], site: str, kind: str, state: str) -> QuerySet[Ban]:
    bans = Ban.objects.filter(site__in=sites).select_related("site", "created_by", "lifted_by")
    if site:
        bans = bans.filter(site=chosen_site(user, site))
    if kind in BanKind.values:
        bans = bans.filter(kind=kind)
    now = timezone.now()
    if state == "active":
        bans = bans.filter(Q(until__isnull=True) | Q(until__gt=now), lifted_at__isnull=True)
    elif state == "expired":
        bans = bans.filter(until__lte=now, lifted_at__isnull=True)
    elif state == "lifted":
        bans = bans.filter(lifted_at__isnull=False)
    return bans.order_by("-created_at", "-pk")


@require_http_methods(["GET", "POST"])
@staff_view
def bans(request: HttpRequest) -> HttpResponse:
    """The list of bans, filtered and paged; a POST is the create form."""
    sites = moderated_sites(request.user)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            site = chosen_site(request.user, str(request.POST.get("site", "")))
            target = target_typed(site, str(request.POST.get("kind", "")), str(request.POST.get("value", "")))
            ban(request.user, site, target, **_options(request.POST))
        except BanError as error:
            errors[error.field] = error.message
            status = 400
        else:
            return HttpResponseRedirect(reverse("dashboard:bans"), status=303)
    get = request.GET
    state = get.get("state", "active") if get.get("state", "active") in STATES else "active"
    filters = {"site": get.get("site", "")[:50], "kind": get.get("kind", "")[:10], "state": state}
    page = Paginator(_bans(request.user, sites, **filters), PER_PAGE).get_page(get.get("page"))
    query = {name: value for name, value in filters.items() if value}
    return render(
        request,
        "dashboard/bans.html",
        {
            "page": page,
            "now": timezone.now(),
            "sites": sites,
            "filters": filters,
            "kinds": BanKind.choices,
            "states": STATES,
            "previous_query": urlencode({**query, "page": page.previous_page_number()}) if page.has_previous() else "",
            "next_query": urlencode({**query, "page": page.next_page_number()}) if page.has_next() else "",
            "errors": errors,
            "form": request.POST if errors else {},
        },
        status=status,
    )


@require_POST
@staff_view
def lift(request: HttpRequest, ban_id: int) -> HttpResponse:
    if not 0 < ban_id < 2**63:
        raise Http404  # beyond any primary key
    found = Ban.objects.select_related("site").filter(pk=ban_id, site__in=sites_for(request.user)).first()
    if found is None:
        raise Http404
    require_role(request.user, found.site)
    try:
        lift_ban(request.user, found)
    except BanError as error:
        return HttpResponse(error.message, status=409, content_type="text/plain; charset=utf-8")
    return HttpResponseRedirect(reverse("dashboard:bans"), status=303)


@require_POST
@staff_view
def ban_sender(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The queue's ban form: ban the commenter, email, address or network a comment came from."""
    comment = comment_for(request.user, comment_id)
    site = comment.thread.site
    require_role(request.user, site)
    comment = Comment.objects.select_related("thread__site", "commenter").get(pk=comment.pk)
    try:
        target: BanTarget = target_from_comment(comment, str(request.POST.get("kind", "")))
        made = ban(request.user, site, target, comment=comment, **_options(request.POST))
    except BanError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    if not request.headers.get("HX-Request"):
        return HttpResponseRedirect(reverse("dashboard:queue"), status=303)
    until = made.until.strftime("%Y-%m-%d %H:%M UTC") if made.until else _("for good")
    notice = _("Banned (%(what)s), %(until)s.") % {"what": made.label, "until": until}
    fresh = with_relations(Comment.objects).get(pk=comment.pk)
    item = build_items([fresh], request.user, {comment.pk: notice})[0]
    return render(request, "dashboard/_item.html", {"item": item})
