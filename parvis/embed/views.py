"""What a publisher's page loads: the loader and count scripts at stable URLs, and the iframe page.

The two scripts are pasted once into thousands of article pages, so their URLs never change: they are
served with a short cache lifetime and an ETag (a reload costs a 304), while everything they load has a
content-hashed name and is cached for good. The iframe page runs the app on the Parvis origin under a
strict CSP; only the site's allowed origins may frame it.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from parvis.api import serialize
from parvis.core.exceptions import Code, ProblemError
from parvis.core.origins import normalise_origin
from parvis.core.sites import site_by_slug
from parvis.embed import assets
from parvis.threads.keys import thread_key
from parvis.web.views import error_page

SCRIPT_MAX_AGE = 300
RTL_LANGUAGES = {"ar", "he", "fa", "ur"}


def _stable_script(request: HttpRequest, name: str) -> HttpResponse:
    try:
        content = assets.script(name)
    except assets.WidgetNotBuilt:
        return HttpResponse(
            f'console.error("Parvis: {name} is not built on this server (run make widget).");',
            content_type="text/javascript; charset=utf-8",
            status=503,
        )
    etag = '"' + hashlib.sha256(content).hexdigest()[:20] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={SCRIPT_MAX_AGE}"
    # Loaded by <script> tags on publishers' pages, which may isolate themselves with COEP.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@require_safe
def embed_js(request: HttpRequest) -> HttpResponse:
    return _stable_script(request, "embed.js")


@require_safe
def count_js(request: HttpRequest) -> HttpResponse:
    return _stable_script(request, "count.js")


def _language(requested: str, site_language: str, available: tuple[str, ...]) -> str:
    for candidate in (requested, requested.split("-")[0], site_language, "en"):
        if candidate in available:
            return candidate
    if not available:
        raise assets.WidgetNotBuilt("the widget build has no translations")
    return available[0]


@require_safe
def frame(request: HttpRequest, site: str) -> HttpResponse:
    current = site_by_slug(site)
    if current is None:
        return error_page(request, ProblemError(Code.SITE_NOT_FOUND))
    host_origin = normalise_origin(request.GET.get("origin", ""))
    if host_origin is None or not current.origin_allowed(host_origin):
        return error_page(request, ProblemError(Code.ORIGIN_NOT_ALLOWED))
    key, url = request.GET.get("key") or None, request.GET.get("url") or None
    try:
        thread_key(key, url)
        bundle = assets.bundle()
        language = _language(request.GET.get("lang", "")[:16], current.default_language, bundle.languages)
    except ProblemError as error:
        return error_page(request, error)
    except assets.WidgetNotBuilt:
        return HttpResponse("The comment widget is not built on this server.", status=503, content_type="text/plain")
    feed_query = urlencode({"key": key} if key else {"url": url})
    config: dict[str, Any] = {
        "site": serialize.site(current),
        "thread": {"key": key, "url": url, "title": request.GET.get("title", "")[:300]},
        "hostOrigin": host_origin,
        "lang": language,
        "dir": "rtl" if language in RTL_LANGUAGES else "ltr",
        "messages": assets.messages(language),
        "api": f"/api/v1/sites/{current.slug}",
        # Chunks the app loads on first use: the subscribe control, a comment's edit/delete/report/appeal tools,
        # the compose form around the textarea the app shows at once (see widget/build.mjs).
        "subscribe": static(bundle.subscribe),
        "tools": static(bundle.tools),
        "composer": static(bundle.composer),
        # Who may comment, the ways of signing in and the signed-in reader's bar (see widget/src/app/signin.ts).
        "signin": static(bundle.signin),
        # The event stream and the "new comments" bar, loaded once the first page is shown (widget/src/app/live.ts).
        "live": static(bundle.live),
        "feed": reverse("notifications:thread-feed", args=[current.slug]) + "?" + feed_query,
    }
    response = render(request, "parvis/frame.html", {"config": config, "bundle": bundle})
    response.frame_ancestors = current.allowed_origins  # type: ignore[attr-defined]
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ["Accept-Language"])
    return response
