"""Who may see and decide what in the dashboard.

A staff member sees the sites they have a `Membership` of; superusers see every site. Everything another site
holds answers 404, as if it did not exist: a moderator of one newsroom must not learn what another one publishes
or holds. An owner of a site that requires a second factor reaches no page but the enrolment page until they
have one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from parvis.comments.models import Comment
from parvis.core.models import Site
from parvis.dashboard.models import ALL_ROLES, DECIDING_ROLES, Membership, Role, SecondFactor, SiteSecurity

LOGIN_URL = "dashboard:login"
ENROL_URL = "dashboard:account"


def sites_for(user: Any, roles: Iterable[str] = ALL_ROLES) -> QuerySet[Site]:
    """The sites on which ``user`` holds one of ``roles`` (every site for a superuser)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Site.objects.none()
    if user.is_superuser:
        return Site.objects.all()
    return Site.objects.filter(memberships__user=user, memberships__role__in=list(roles)).distinct()


def role_on(user: Any, site: Site) -> str | None:
    """``user``'s role on ``site``: a superuser counts as its owner."""
    if user.is_superuser:
        return Role.OWNER
    return Membership.objects.filter(user=user, site=site).values_list("role", flat=True).first()


def can_decide(user: Any, site: Site) -> bool:
    return role_on(user, site) in DECIDING_ROLES


def require_role(user: Any, site: Site, roles: Iterable[str] = DECIDING_ROLES) -> None:
    """Raise 404 when ``user`` has nothing to do with ``site``, 403 when their role there is not enough."""
    role = role_on(user, site)
    if role is None:
        raise Http404
    if role not in roles:
        raise PermissionDenied


def comment_for(user: Any, comment_id: int) -> Comment:
    """A comment of one of ``user``'s sites, or 404 (whether it exists elsewhere or not at all)."""
    if not 0 < comment_id < 2**63:
        raise Http404  # beyond any primary key; SQLite would overflow on it
    comment = (
        Comment.objects.select_related("thread__site").filter(pk=comment_id, thread__site__in=sites_for(user)).first()
    )
    if comment is None:
        raise Http404
    return comment


def must_enrol(user: Any) -> bool:
    """Whether ``user`` owns a site requiring a second factor (a superuser owns every site) and has none enabled."""
    requiring = SiteSecurity.objects.filter(require_totp_for_owners=True)
    if not user.is_superuser:
        requiring = requiring.filter(site__memberships__user=user, site__memberships__role=Role.OWNER)
    if not requiring.exists():
        return False
    return not SecondFactor.objects.filter(user=user, enabled_at__isnull=False).exists()


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """Where a request that may not reach a staff page goes instead: the login page, or the 403 page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse(LOGIN_URL))
    if not sites_for(request.user).exists():
        return render(request, "dashboard/denied_page.html", status=403)
    return None


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else to the login page), a member of at least one site (else 403), and enrolled in a second
    factor when a site they own requires it (else to the enrolment page)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = _refusal(request)
        if refused is not None:
            return refused
        if must_enrol(request.user):
            return redirect(ENROL_URL)
        return view(request, *args, **kwargs)

    return wrapped


def account_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like `staff_view` without the enrolment requirement: the pages where a staff member enrols."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _refusal(request) or view(request, *args, **kwargs)

    return wrapped
