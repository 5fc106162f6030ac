"""The reader's pages: the site's privacy notice, the request form, and — behind the mailed link — their data,
its download and the erasure.

The signed link in the address is the only authority (no account, no session). Pages behind it are never cached
and send no Referer, so the link does not leak to the sites it links to. Erasing needs a confirmation (a POST),
because mail scanners open links. Pages speak the site's language, or the one the request was made in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from parvis.core.clients import fingerprint
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.core.page_language import page_language
from parvis.core.sites import site_by_slug
from parvis.privacy import actions, data, tokens
from parvis.privacy.models import AccessRequest
from parvis.privacy.notice import notice


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _refusal(request: HttpRequest, error: ProblemError) -> HttpResponse:
    response = render(request, "privacy/refused.html", {"error": error}, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return _private(response)


def _with_site(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, site: str, **kwargs: Any) -> HttpResponse:
        current = site_by_slug(site)
        if current is None:
            with translation.override("en"):
                return _refusal(request, ProblemError(Code.SITE_NOT_FOUND))
        return view(request, current, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_http_methods(["GET", "HEAD"])
@_with_site
def privacy_page(request: HttpRequest, site: Site) -> HttpResponse:
    """What Parvis keeps about the site's readers, for how long, and who else receives it."""
    with translation.override(page_language(request, site)):
        return render(request, "privacy/notice.html", {"site": site, "notice": notice(site)})


@require_http_methods(["GET", "HEAD", "POST"])
@_with_site
def request_page(request: HttpRequest, site: Site) -> HttpResponse:
    """Ask for the link. The answer after sending is the same page whatever the address."""
    language = page_language(request, site)
    with translation.override(language):
        if request.method != "POST":
            return render(request, "privacy/request.html", {"site": site, "language": language, "sent": False})
        try:
            actions.request_access(site, str(request.POST.get("email", ""))[:300], language, fingerprint(request))
        except ProblemError as error:
            if error.code != Code.INVALID_EMAIL:
                return _refusal(request, error)
            context = {"site": site, "language": language, "sent": False, "error": error,
                       "email": str(request.POST.get("email", ""))[:254]}  # fmt: skip
            return render(request, "privacy/request.html", context, status=error.status)
        return render(request, "privacy/request.html", {"site": site, "language": language, "sent": True})


def _behind_link(view: Callable[[HttpRequest, Site, AccessRequest, str], HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, site: Site, token: str) -> HttpResponse:
        with translation.override(page_language(request, site)):
            try:
                access = tokens.read(site, token)
            except ProblemError as error:
                return _refusal(request, error)
        with translation.override(page_language(request, site, access.language)):
            return _private(view(request, site, access, token))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return _with_site(wrapped)


@require_http_methods(["GET", "HEAD"])
@_behind_link
def access_page(request: HttpRequest, site: Site, access: AccessRequest, token: str) -> HttpResponse:
    """What the proven address left on the site, with the download and erase buttons."""
    person = data.Person(site, access.email)
    context = {"site": site, "token": token, "summary": data.summary(person), "policy": actions.erasure_policy(site)}
    return render(request, "privacy/access.html", context)


@require_http_methods(["GET", "HEAD"])
@_behind_link
def download(request: HttpRequest, site: Site, access: AccessRequest, token: str) -> HttpResponse:
    document = data.export(data.Person(site, access.email))
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="parvis-{site.slug}-my-data.json"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@_behind_link
def erase_page(request: HttpRequest, site: Site, access: AccessRequest, token: str) -> HttpResponse:
    """GET says what erasing will do on this site; POST (the confirmation button) does it."""
    policy = actions.erasure_policy(site)
    if request.method != "POST":
        person = data.Person(site, access.email)
        context = {"site": site, "token": token, "summary": data.summary(person), "policy": policy, "done": False}
        return render(request, "privacy/erase.html", context)
    result = actions.erase(site, access.email, label="reader", via="link")
    return render(request, "privacy/erase.html", {"site": site, "policy": policy, "done": True, "result": result})
