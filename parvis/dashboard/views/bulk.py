"""Bulk decisions (approve, reject with a reason, spam) on the selected comments or on all that match the queue's
filters. The page's script posts the ids in chunks (`parvis.dashboard.bulk` says why) and shows the progress;
`matching` gives it the ids of "all N matching these filters", one chunk at a time."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parvis.core.exceptions import ProblemError
from parvis.dashboard.bulk import MAX_IDS, decide_many
from parvis.dashboard.models import DECIDING_ROLES
from parvis.dashboard.permissions import sites_for, staff_view
from parvis.dashboard.views.decide import parse_action
from parvis.dashboard.views.queue import Filters, queue_queryset
from parvis.moderation.models import Action

MAX_ID = 2**63 - 1


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _ids(value: str) -> list[int] | None:
    """The posted ids, comma separated (one form field: the site caps the number of fields a request may carry),
    or None when one is not a comment id."""
    values = [part.strip() for part in value.split(",") if part.strip()]
    if len(values) > MAX_IDS * 10 or not all(part.isdigit() and 0 < int(part) <= MAX_ID for part in values):
        return None
    return [int(part) for part in values]


@require_POST
@staff_view
def bulk(request: HttpRequest) -> HttpResponse:
    """One chunk: ``ids`` (at most 200, comma separated), ``action``/``category`` as for one decision, ``as_of``
    from the page."""
    if not sites_for(request.user, DECIDING_ROLES).exists():
        return render(request, "dashboard/denied.html", {}, status=403)
    ids = _ids(request.POST.get("ids", ""))
    parsed = parse_action(request.POST)
    as_of = request.POST.get("as_of", "")
    if ids is None or not ids:
        return _bad(_("Select at least one comment (ids must be comment numbers)."))
    if len(ids) > MAX_IDS:
        return _bad(_("At most %(max)d comments per request: send them in chunks.") % {"max": MAX_IDS})
    if parsed is None or parsed[0] == Action.HOLD or not as_of.isdigit():
        return _bad(_("Unknown bulk action."))
    action, category = parsed
    try:
        result = decide_many(request.user, ids, action, category=category, as_of=int(as_of))
    except ProblemError as error:
        return _bad(str(error.detail), error.status)
    return JsonResponse(result.as_dict())


@require_GET
@staff_view
def matching(request: HttpRequest) -> HttpResponse:
    """The next chunk of ids that match the filters (ordered by id, after ``after``), among the sites the user may
    decide on: keyset paging, so decided comments leaving the tab never make the loop skip others."""
    after = request.GET.get("after", "0")
    if not after.isdigit() or int(after) > MAX_ID:
        return _bad(_("“after” must be a comment number."))
    comments = queue_queryset(request.user, Filters.parse(request)).filter(
        thread__site__in=sites_for(request.user, DECIDING_ROLES), pk__gt=int(after)
    )
    ids = list(comments.order_by("pk").values_list("pk", flat=True)[:MAX_IDS])
    return JsonResponse({"ids": ids, "next": ids[-1] if len(ids) == MAX_IDS else None})
