"""Signing in to the dashboard: the password, then, for an account with a second factor, its code.

After a right password, an account with a second factor is not signed in: the session only holds a signed marker
(the account, its password hash, where to go next) valid for `PENDING_MAX_AGE` seconds, and the account is signed
in once `staff_accounts.verify_login` accepts a code. The password hash in the marker means a password changed in
between voids it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from parvis.dashboard.staff_accounts import SecondFactorError, enabled_factor, verify_login

PENDING_KEY = "dashboard_pending_login"
PENDING_SALT = "parvis.dashboard.pending-login"
PENDING_MAX_AGE = 300
MAX_CODE_LENGTH = 64


class PasswordStep(LoginView):
    """Django's login view, which hands an account with a second factor on to the code step instead."""

    template_name = "dashboard/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # Without ?next=, to the queue rather than settings.LOGIN_REDIRECT_URL (the admin signs in elsewhere).
        return reverse("dashboard:queue")

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if enabled_factor(user) is None:
            return super().form_valid(form)
        marker = {
            "user": user.pk,
            # Set by authenticate(): the backend that accepted the password signs the account in after the code.
            "backend": str(getattr(user, "backend", "")),
            "auth": user.get_session_auth_hash(),
            "next": self.get_success_url(),
        }
        self.request.session[PENDING_KEY] = signing.dumps(marker, salt=PENDING_SALT)
        return HttpResponseRedirect(reverse("dashboard:login-code"))


def pending_login(request: HttpRequest) -> tuple[Any, str, str] | None:
    """The account waiting for its code, its authentication backend and the page to go to, if still valid."""
    marker = request.session.get(PENDING_KEY)
    if not isinstance(marker, str):
        return None
    try:
        data = signing.loads(marker, salt=PENDING_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return None
    user = get_user_model()._default_manager.filter(pk=data["user"], is_active=True).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), data["auth"]):
        return None
    return user, str(data["backend"]), str(data["next"])


def _start_again(request: HttpRequest) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    return HttpResponseRedirect(reverse("dashboard:login") + "?expired=1")


@never_cache
@require_http_methods(["GET", "POST"])
def code_step(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard:queue")
    pending = pending_login(request)
    if pending is None:
        return _start_again(request)
    user, backend, next_page = pending
    if request.method == "GET":
        return render(request, "dashboard/login_code.html", {})
    try:
        verdict = verify_login(user, str(request.POST.get("code", ""))[:MAX_CODE_LENGTH])
    except SecondFactorError:
        # The factor was reset or disabled since the password step: that step decides again.
        return _start_again(request)
    if not verdict.accepted:
        status = 429 if verdict.locked else 400
        return render(request, "dashboard/login_code.html", {"error": verdict.reason}, status=status)
    del request.session[PENDING_KEY]
    auth_login(request, user, backend=backend)
    return HttpResponseRedirect(next_page)
