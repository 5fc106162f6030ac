"""People in the dashboard: the site's signed-in and verified commenters, their badges (owners give staff and
journalist badges) and their sessions (sign out everywhere). The actions are in parvis.identity.newsroom."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parvis.accounts.models import Badge, Commenter
from parvis.dashboard.models import DECIDING_ROLES, Role
from parvis.dashboard.permissions import sites_for, staff_view
from parvis.dashboard.views.threads import _back, _text
from parvis.identity import newsroom

PER_PAGE = 50
MAX_SEARCH = 200


def _commenter_for(user: object, commenter_id: int) -> Commenter:
    if not 0 < commenter_id < 2**63:
        raise Http404
    found = Commenter.objects.select_related("site").filter(pk=commenter_id, site__in=sites_for(user)).first()
    if found is None:
        raise Http404
    return found


@staff_view
def people(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:MAX_SEARCH]
    site = request.GET.get("site", "")[:50]
    found = Commenter.objects.filter(site__in=sites_for(request.user)).filter(Q(verified=True) | ~Q(badge=""))
    if site:
        found = found.filter(site__slug=site)
    if q:
        found = found.filter(Q(name__icontains=q) | Q(email__iexact=q))
    live = Count("sessions", filter=Q(sessions__revoked_at__isnull=True, sessions__expires_at__gt=timezone.now()))
    listed = found.select_related("site").annotate(live_sessions=live).order_by("-badge", "name", "pk")
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    owned = set(sites_for(request.user, (Role.OWNER,)).values_list("pk", flat=True))
    deciding = set(sites_for(request.user, DECIDING_ROLES).values_list("pk", flat=True))
    rows = [
        {"person": person, "can_badge": person.site_id in owned, "can_sign_out": person.site_id in deciding}
        for person in page.object_list
    ]
    return render(
        request,
        "dashboard/people.html",
        {"rows": rows, "page": page, "q": q, "site": site, "sites": list(sites_for(request.user)),
         "badges": Badge.choices, "here": request.get_full_path()},
    )  # fmt: skip


@require_POST
@staff_view
def badge(request: HttpRequest, commenter_id: int) -> HttpResponse:
    person = _commenter_for(request.user, commenter_id)
    wanted = request.POST.get("badge", "")
    if wanted not in Badge.values:
        return _text(_("Unknown badge."), 400)
    try:
        newsroom.set_badge(person, wanted, actor=request.user)
    except PermissionDenied:
        return render(request, "dashboard/denied.html", {}, status=403)
    return _back(request, reverse("dashboard:people"))


@require_POST
@staff_view
def sign_out(request: HttpRequest, commenter_id: int) -> HttpResponse:
    person = _commenter_for(request.user, commenter_id)
    try:
        newsroom.sign_out_everywhere(person, actor=request.user)
    except PermissionDenied:
        return render(request, "dashboard/denied.html", {}, status=403)
    return _back(request, reverse("dashboard:people"))
