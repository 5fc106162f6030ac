"""The OpenID Connect popup: two pages on the Parvis origin, opened by the widget with ``window.open``.

``start`` keeps the attempt (state, nonce, PKCE verifier, language) in a short-lived signed cookie and sends the
reader to the provider; ``callback`` finds the attempt again, has ``oidc.complete`` exchange the code and verify
the ID token, and answers a tiny page whose script hands the session to ``window.opener`` (the app iframe, same
origin) and closes the window.

The popup's pages send ``Cross-Origin-Opener-Policy: unsafe-none`` and the page that opens it (the publisher's
article, top-level above the app iframe) must not send ``same-origin`` — ``same-origin-allow-popups`` is fine:
otherwise the browser severs ``window.opener`` and the session cannot reach the app.

The cookie is first-party (the popup is a top-level window on Parvis's origin), HttpOnly, SameSite=Lax (sent on
the provider's top-level redirect back, not on cross-site subrequests), Secure over https, scoped to the site's
/auth/<site>/oidc/ pages (two sites' popups open at once keep their own), and spent by the callback that matches
it: the same callback address opened again finds no attempt.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from parvis import conf
from parvis.api import serialize
from parvis.api.schemas import SessionOut
from parvis.core import ratelimit
from parvis.core.clients import fingerprint
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.core.page_language import page_language
from parvis.core.sites import site_by_slug
from parvis.identity import oidc

logger = logging.getLogger(__name__)

COOKIE = "parvis_oidc"
COOKIE_SECONDS = 600  # time to sign in at the provider (a password manager, a second factor)
SALT = "parvis.identity.oidc.attempt"
MAX_CODE_LENGTH = 2048


def redirect_uri(site: Site) -> str:
    """The callback address registered at the provider: from PUBLIC_URL, so it is the same behind any proxy."""
    return conf.public_url().rstrip("/") + reverse("oidc:callback", args=[site.slug])


def cookie_path(site: Site) -> str:
    return f"/auth/{site.slug}/oidc/"


def attempt_cookie(site: Site, attempt: oidc.Attempt, language: str) -> str:
    kept = {"site": site.slug, "state": attempt.state, "nonce": attempt.nonce, "verifier": attempt.verifier,
            "lang": language}  # fmt: skip
    return signing.dumps(kept, salt=SALT, compress=False)


def _kept(request: HttpRequest) -> dict[str, str]:
    try:
        kept = signing.loads(request.COOKIES.get(COOKIE, ""), salt=SALT, max_age=COOKIE_SECONDS)
    except signing.BadSignature:  # also SignatureExpired: an attempt older than COOKIE_SECONDS
        return {}
    return kept if isinstance(kept, dict) else {}


def _page(request: HttpRequest, message: dict[str, Any], context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, "identity/oidc_popup.html", {"message": message, **context}, status=status)
    # The address carries the provider's code and the page the reader's session: neither is kept nor referred.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return _keeps_opener(response)


def _keeps_opener(response: HttpResponse) -> HttpResponse:
    """Let the popup keep ``window.opener`` (Django's default COOP, same-origin, would cut it). It is safe: the
    page posts only to an opener of Parvis's own origin (postMessage's targetOrigin), and a cross-origin opener
    can neither read the popup nor receive its message."""
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


def _refused(request: HttpRequest, error: ProblemError) -> HttpResponse:
    message = {"parvis": 1, "type": "sign-in-failed", "code": error.code.value}
    response = _page(request, message, {"error": error}, status=error.status)
    for name, value in error.headers.items():  # Retry-After of a rate limit
        response[name] = value
    return response


def _no_site(request: HttpRequest, slug: str) -> HttpResponse:
    logger.warning("OIDC sign-in refused: no site %r", slug[:100])
    return _refused(request, ProblemError(Code.SITE_NOT_FOUND))


@require_http_methods(["GET"])
def oidc_start(request: HttpRequest, site: str) -> HttpResponse:
    """Open the attempt and send the reader to the site's identity provider."""
    current = site_by_slug(site)
    language = page_language(request, current)
    with translation.override(language):
        if current is None:
            return _no_site(request, site)
        try:
            ratelimit.enforce("PARVIS_RATELIMIT_SIGN_IN_IP", fingerprint(request).ip_hash)
        except ProblemError as error:
            logger.warning("OIDC sign-in refused on site %s: %s", current.slug, error.code)
            return _refused(request, error)
        try:
            attempt, address = oidc.start(current, redirect_uri(current), language)
        except ProblemError as error:
            return _refused(request, error)
        response = HttpResponseRedirect(address)
        response.set_cookie(
            COOKIE,
            attempt_cookie(current, attempt, language),
            max_age=COOKIE_SECONDS,
            path=cookie_path(current),
            secure=request.is_secure() or conf.public_url().startswith("https://"),
            httponly=True,
            samesite="Lax",
        )
        response["Cache-Control"] = "no-store"
        return _keeps_opener(response)


@require_http_methods(["GET"])
def oidc_callback(request: HttpRequest, site: str) -> HttpResponse:
    """Where the provider sends the reader back: check the attempt, sign in, hand the session to the app."""
    current = site_by_slug(site)
    kept = _kept(request)
    with translation.override(page_language(request, current, kept.get("lang", ""))):
        if current is None:
            return _no_site(request, site)
        state = str(request.GET.get("state", ""))
        if not kept:
            return _refused(request, oidc.failed(current, Code.SIGN_IN_ATTEMPT_INVALID, "no live attempt cookie"))
        if kept.get("site") != current.slug or not hmac.compare_digest(state, str(kept.get("state", ""))):
            return _refused(request, oidc.failed(current, Code.SIGN_IN_ATTEMPT_INVALID, "the state does not match"))
        # From here the attempt is spent, whatever the outcome: its code and nonce serve once.
        attempt = oidc.Attempt(state=state, nonce=str(kept.get("nonce", "")), verifier=str(kept.get("verifier", "")))
        try:
            opened = _complete(request, current, attempt)
        except ProblemError as error:
            response = _refused(request, error)
        else:
            session = SessionOut.model_validate(serialize.session(opened)).model_dump(mode="json")
            response = _page(
                request, {"parvis": 1, "type": "session", "session": session}, {"reader": session["reader"]}
            )
        response.delete_cookie(COOKIE, path=cookie_path(current), samesite="Lax")
        return response


def _complete(request: HttpRequest, site: Site, attempt: oidc.Attempt) -> Any:
    if "error" in request.GET:
        error = str(request.GET.get("error", ""))[:100]
        description = str(request.GET.get("error_description", ""))[:300]
        raise oidc.failed(site, Code.SIGN_IN_FAILED, f"the provider answered {error}: {description}")
    code = str(request.GET.get("code", ""))
    if not code or len(code) > MAX_CODE_LENGTH:
        raise oidc.failed(site, Code.SIGN_IN_FAILED, "the provider sent back no usable code")
    _, opened = oidc.complete(site, code, attempt, redirect_uri(site))
    return opened
