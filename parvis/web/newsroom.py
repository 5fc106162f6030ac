"""The demo newsroom: a stand-in for a publisher's own site, to show publisher sign-on in the embed.

A real newsroom has its own accounts; this one has two sample readers (a subscriber and a non-subscriber). Its
login page sets a first-party cookie of the newsroom (signed, HttpOnly: the newsroom's session, not Parvis's),
and its article pages give the embed a fresh token for that reader (`data-parvis-sso-token`), minted here with
PyJWT exactly as docs/sso.md tells a newsroom to do it. Parvis never sees the cookie: the widget only ever gets
the token, and exchanges it once for a reader session of its own.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import jwt
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from parvis.core.models import Site
from parvis.core.sites import site_by_slug
from parvis.identity.models import sign_in_settings
from parvis.web import demo

COOKIE = "demo_newsroom_reader"
COOKIE_SALT = "parvis.web.newsroom"
COOKIE_AGE = 7 * 24 * 3600
TOKEN_LIFETIME = 300  # seconds: minted for one page view (Parvis accepts at most 600)


@dataclass(frozen=True)
class NewsroomReader:
    """A reader account of the demo newsroom; `sub` is its stable id there, the SSO token's subject."""

    sub: str
    name: str
    email: str
    roles: tuple[str, ...]


READERS = {
    "lea": NewsroomReader("newsroom-1001", "Léa Martin", "lea.martin@example.org", ("subscriber",)),
    "karim": NewsroomReader("newsroom-1002", "Karim Benali", "karim.benali@example.org", ()),
}


def signed_in_reader(request: HttpRequest) -> tuple[str, NewsroomReader] | None:
    """The newsroom reader of the request's cookie (the signature proves the newsroom set it), or None."""
    username = request.get_signed_cookie(COOKIE, default=None, salt=COOKIE_SALT, max_age=COOKIE_AGE)
    reader = READERS.get(username) if username else None
    return (username, reader) if username and reader else None


def mint_token(site: Site, reader: NewsroomReader) -> str:
    """A fresh HS256 token for ``reader``: what the newsroom's backend renders into each article page."""
    config = sign_in_settings(site)
    now = int(time.time())
    claims = {
        "sub": reader.sub,
        "name": reader.name,
        "email": reader.email,
        "roles": list(reader.roles),
        "aud": config.audience,
        "iat": now,
        "exp": now + TOKEN_LIFETIME,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, config.sso_secret, algorithm="HS256")


def _back(request: HttpRequest, wanted: str) -> str:
    """Where to return: the page asked for (``next``, else the page the reader came from) on this host, else the
    demo article."""
    for candidate in (wanted, request.headers.get("Referer", "")):
        if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
            return candidate
    return "/"


@require_http_methods(["GET", "HEAD", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """The newsroom's login page: choose one of the sample readers; the newsroom's cookie is set and the reader
    goes back to the article."""
    site = site_by_slug(demo.SITE_SLUG)
    if request.method == "POST":
        username = request.POST.get("reader", "")
        back = _back(request, request.POST.get("next", ""))
        if username not in READERS:
            return HttpResponseRedirect(request.path)
        response = HttpResponseRedirect(back)
        response.status_code = 303
        response.set_signed_cookie(
            COOKIE, username, salt=COOKIE_SALT, max_age=COOKIE_AGE, httponly=True, samesite="Lax",
            secure=request.is_secure(),
        )  # fmt: skip
        return response
    with translation.override(site.default_language if site else "fr"):
        return render(
            request,
            "parvis/newsroom_login.html",
            {
                "site": site,
                "readers": READERS,
                "next": _back(request, request.GET.get("next", "")),
                "current": signed_in_reader(request),
            },
        )


@require_http_methods(["GET", "HEAD"])
def logout(request: HttpRequest) -> HttpResponse:
    """Signs out of the newsroom (its cookie is deleted); the widget's own Parvis session is the widget's to end."""
    response = HttpResponseRedirect(_back(request, request.GET.get("next", "")))
    response.delete_cookie(COOKIE, samesite="Lax")
    return response
