"""The audit log: every entry of the user's sites, filtered and paged, its CSV export, and reversing an entry.

Everyone with a role reads the log (journalists too); reversing is for owners and moderators of the entry's site
and goes through `parvis.moderation.reversal`, which applies the inverse through the usual actions.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.core.exceptions import ProblemError
from parvis.dashboard.auditlog import AuditFilters, action_names, changes, csv_lines, entries_for
from parvis.dashboard.models import DECIDING_ROLES
from parvis.dashboard.permissions import sites_for, staff_view
from parvis.moderation import reversal
from parvis.moderation.models import AuditEntry

PER_PAGE = 50


def _row(entry: AuditEntry, deciding: set[int], notice: str = "") -> dict[str, Any]:
    return {
        "entry": entry,
        "changes": changes(entry.details),
        "can_reverse": entry.site_id in deciding and reversal.reversible(entry),
        "notice": notice,
    }


def _deciding_sites(user: Any) -> set[int]:
    return set(sites_for(user, DECIDING_ROLES).values_list("pk", flat=True))


def _filters(request: HttpRequest) -> AuditFilters:
    return AuditFilters(request.GET, sites=list(sites_for(request.user)))


@staff_view
def audit_log(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    context: dict[str, Any] = {"form": form, "actions": action_names(request.user), "rows": [], "page": None}
    if not form.is_valid():
        return render(request, "dashboard/audit.html", context, status=400)
    paginator = Paginator(entries_for(request.user, form.cleaned_data), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    deciding = _deciding_sites(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        page=page,
        rows=[_row(entry, deciding) for entry in page.object_list],
        query=query.urlencode(),
        export_url=f"{reverse('dashboard:audit-export')}?{query.urlencode()}",
    )
    return render(request, "dashboard/audit.html", context)


@staff_view
def audit_export(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    if not form.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(str(message) for message in messages)}" for name, messages in form.errors.items()
        )
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(
        csv_lines(entries_for(request.user, form.cleaned_data)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="parvis-audit-{timezone.now():%Y%m%d-%H%M}.csv"'
    # staff_view is typed for HttpResponse; a streaming response is what it passes through all the same.
    return cast(HttpResponse, response)


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@require_POST
@staff_view
def reverse_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    if not 0 < entry_id < 2**63:
        raise Http404
    entry = AuditEntry.objects.select_related("site", "thread").filter(pk=entry_id, site__in=sites_for(request.user))
    found = entry.first()
    if found is None:
        raise Http404
    deciding = _deciding_sites(request.user)
    if found.site_id not in deciding:
        return render(request, "dashboard/denied.html", {}, status=403)
    htmx = bool(request.headers.get("HX-Request"))
    try:
        done = reversal.reverse(found, request.user)
    except reversal.Irreversible as refusal:
        if htmx:
            return render(
                request, "dashboard/_audit_row.html", {"row": _row(found, deciding, str(refusal))}, status=409
            )
        return _text(str(refusal), 409)
    except ProblemError as error:
        return _text(str(error.detail), error.status)
    notice = _("Reversed: see entry #%(id)s.") % {"id": done.pk}
    if htmx:
        return render(request, "dashboard/_audit_row.html", {"row": _row(found, deciding, notice)})
    return HttpResponseRedirect(reverse("dashboard:audit"), status=303)
