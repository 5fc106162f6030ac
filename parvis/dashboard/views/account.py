"""A staff member's own account: the second factor (enrol, confirm, disable), the password, and, for owners, the
rule that their site's owners must use a second factor.

Every page shows only the signed-in user's own factor: no URL names another account, so nobody's secret can be
asked for but one's own. The enrolment pages stay reachable to an owner whom a site requires to enrol (they are
where `permissions.staff_view` sends them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from parvis.dashboard import staff_accounts
from parvis.dashboard.models import Role, SiteSecurity
from parvis.dashboard.permissions import account_view, must_enrol, sites_for, staff_view
from parvis.dashboard.staff_accounts import SecondFactorError
from parvis.dashboard.views.signin import MAX_CODE_LENGTH

NOTICES = {
    "password": gettext_lazy("Your password has been changed."),
    "disabled": gettext_lazy("Your second factor has been disabled."),
}


def _grouped(secret: str) -> str:
    """The secret in groups of four, as it is easier to type from the screen."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def _page(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    user = request.user
    factor = staff_accounts.enabled_factor(user)
    pending = None if factor else staff_accounts.pending_factor(user)
    owned = list(sites_for(user, [Role.OWNER]).order_by("slug"))
    required = set(
        SiteSecurity.objects.filter(site__in=owned, require_totp_for_owners=True).values_list("site_id", flat=True)
    )
    context: dict[str, Any] = {
        "factor": factor,
        "codes_left": factor.recovery_codes.filter(used_at__isnull=True).count() if factor else 0,
        "pending": pending,
        "secret": _grouped(pending.secret) if pending else "",
        "uri": staff_accounts.provisioning_uri(user, pending) if pending else "",
        "owned": [(site, site.pk in required) for site in owned],
        "must_enrol": factor is None and must_enrol(user),
        "notice": str(NOTICES.get(request.GET.get("done", ""), "")),
        "error": error,
    }
    return render(request, "dashboard/account.html", context, status=status)


def _back() -> HttpResponse:
    # 303: reloading the page it leads to never posts again.
    return HttpResponseRedirect(reverse("dashboard:account"), status=303)


def _typed(request: HttpRequest) -> str:
    return str(request.POST.get("code", ""))[:MAX_CODE_LENGTH]


@never_cache
@require_GET
@account_view
def account(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@account_view
def totp_start(request: HttpRequest) -> HttpResponse:
    try:
        staff_accounts.start_enrolment(request.user)
    except SecondFactorError as error:
        return _page(request, status=409, error=str(error))
    return _back()


@never_cache
@require_POST
@account_view
def totp_confirm(request: HttpRequest) -> HttpResponse:
    try:
        verdict = staff_accounts.confirm_enrolment(request.user, _typed(request))
    except SecondFactorError as error:
        return _page(request, status=409, error=str(error))
    if not verdict.accepted:
        return _page(request, status=429 if verdict.locked else 400, error=verdict.reason)
    # Shown in this answer only: the page is not cached and the codes are kept hashed.
    return render(request, "dashboard/recovery_codes.html", {"codes": verdict.recovery_codes})


@require_POST
@account_view
def totp_disable(request: HttpRequest) -> HttpResponse:
    try:
        verdict = staff_accounts.disable(request.user, _typed(request))
    except SecondFactorError as error:
        return _page(request, status=409, error=str(error))
    if not verdict.accepted:
        return _page(request, status=429 if verdict.locked else 400, error=verdict.reason)
    return HttpResponseRedirect(reverse("dashboard:account") + "?done=disabled", status=303)


@require_POST
@staff_view
def site_security(request: HttpRequest, slug: str) -> HttpResponse:
    """An owner turns on or off "owners must use a second factor" for their site."""
    site = sites_for(request.user).filter(slug=slug).first()
    if site is None:
        raise Http404
    value = request.POST.get("require_totp_for_owners", "")
    if value not in ("on", "off"):
        return _page(request, status=400, error=_("Choose on or off."))
    # The action checks the role: a moderator or journalist of the site gets 403.
    staff_accounts.set_required_for_owners(site, value == "on", actor=request.user)
    return _back()


class PasswordChange(PasswordChangeView):
    """Django's password change, with the dashboard's template, its audit entry, and back to the account page."""

    template_name = "dashboard/password_change.html"
    success_url = reverse_lazy("dashboard:account")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        user = staff_accounts.change_password(form)
        # Keeps this session signed in; the account's other sessions end with the old password's hash.
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(f"{self.get_success_url()}?done=password", status=303)


password_change = staff_view(cast("Callable[..., HttpResponse]", PasswordChange.as_view()))
