"""The statistics page (/moderate/stats/) and the figures its charts load (/moderate/stats/data.json).

Both read the same query string: ``site`` (a slug of one of the user's sites, or nothing for all of them),
``period`` (7, 30 or 90 days up to today) or ``from`` and ``to`` (ISO dates, UTC days, at most 366 days).
Every role may read them (a journalist follows the discussion's figures too); a site the user has no role on
answers 404, as everywhere in the dashboard.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from parvis.core.models import Site
from parvis.dashboard.permissions import sites_for, staff_view
from parvis.dashboard.statistics import PRESETS, Period, PeriodError, compute


def _selected(request: HttpRequest) -> tuple[list[Site], Site | None, QuerySet[Site]]:
    """The user's sites, the one the query names (None for all of them) and the sites to count, or 404."""
    mine = list(sites_for(request.user))
    slug = request.GET.get("site", "").strip()
    if not slug:
        return mine, None, Site.objects.filter(pk__in=[site.pk for site in mine])
    chosen = next((site for site in mine if site.slug == slug), None)
    if chosen is None:
        raise Http404
    return mine, chosen, Site.objects.filter(pk=chosen.pk)


def _today() -> Any:
    return timezone.now().astimezone(UTC).date()


def _query(request: HttpRequest) -> str:
    """The filters of this request, for the data endpoint's address (only the parameters it reads)."""
    names = ("site", "period", "from", "to")
    return urlencode({name: request.GET[name][:100] for name in names if request.GET.get(name)})


@require_GET
@staff_view
def stats(request: HttpRequest) -> HttpResponse:
    mine, chosen, sites = _selected(request)
    context: dict[str, Any] = {
        "sites": mine,
        "chosen": chosen,
        "presets": PRESETS,
        "form": {name: request.GET.get(name, "")[:20] for name in ("period", "from", "to")},
        "query": _query(request),
    }
    try:
        period = Period.parse(request.GET, _today())
    except PeriodError as error:
        return render(request, "dashboard/stats.html", {**context, "error": str(error)}, status=400)
    figures = compute(sites, period)
    return render(
        request,
        "dashboard/stats.html",
        {
            **context,
            "period": period,
            "figures": figures,
            "labels": {
                "day": _("Day"),
                "received": _("Received"),
                "published": _("Published"),
                "held": _("Held for review"),
                "rejected": _("Rejected"),
                "spam": _("Spam"),
                "wait": _("Median wait (minutes)"),
                "automatic": _("Automatic check"),
                "moderator": _("Moderators"),
                "publish": _("Published"),
                "hold": _("Held"),
                "reject": _("Rejected"),
                "undetected": _("undetected"),
                "percent": _("Share of the day's comments (%)"),
                "count": _("Decisions"),
                "comments": _("Comments"),
                "minutes": _("Minutes"),
                "category": _("Category"),
                "language": _("Language"),
            },
        },
    )


@require_GET
@staff_view
def stats_data(request: HttpRequest) -> HttpResponse:
    """The page's figures as JSON, one list entry per UTC day of the period for the daily series."""
    _mine, _chosen, sites = _selected(request)
    try:
        period = Period.parse(request.GET, _today())
    except PeriodError as error:
        return JsonResponse({"error": "invalid_period", "detail": str(error)}, status=400)
    return JsonResponse(compute(sites, period).as_json())
