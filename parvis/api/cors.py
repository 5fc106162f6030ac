"""Cross-origin access to the API, granted per site to that site's allowed origins only.

Site-scoped API paths are /api/v1/sites/<slug>/...; the slug names the site whose allowed origins decide.
The answer's Access-Control-Allow-Origin is the request's Origin only when that origin is on the list,
never reflected blindly. A state-changing request from any other browser origin is refused outright
(403 origin_not_allowed), not merely left unreadable, so it cannot write anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from parvis import conf
from parvis.api.errors import problem
from parvis.core.exceptions import Code
from parvis.core.origins import normalise_origin
from parvis.core.sites import site_by_slug

_SITE_PATH = re.compile(r"^/api/v1/sites/(?P<slug>[-a-zA-Z0-9_]{1,50})(/|$)")
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, Parvis-Edit-Token, Parvis-Own-Tokens"
EXPOSED_HEADERS = "Retry-After, Idempotent-Replayed, ETag"
ALLOWED_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
PREFLIGHT_MAX_AGE = "600"


def _site_allows(slug: str, origin: str) -> bool:
    site = site_by_slug(slug)
    return site is not None and site.origin_allowed(origin)


class CorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = request.headers.get("Origin")
        match = _SITE_PATH.match(request.path) if request.path.startswith("/api/") else None
        if origin is None or match is None:
            return self._same_origin_only(request, origin)
        if normalise_origin(origin) == normalise_origin(conf.public_url()):
            return self.get_response(request)
        allowed = _site_allows(match["slug"], origin)
        if not allowed:
            if request.method in _SAFE_METHODS and request.method != "OPTIONS":
                response = self.get_response(request)
                patch_vary_headers(response, ["Origin"])
                return response
            return problem(Code.ORIGIN_NOT_ALLOWED, f"{origin[:200]} is not an allowed origin for this site.", request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        else:
            response = self.get_response(request)
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        patch_vary_headers(response, ["Origin"])
        return response

    def _same_origin_only(self, request: HttpRequest, origin: str | None) -> HttpResponse:
        """API paths outside a site (the error catalogue, docs) are read cross-origin but never written."""
        if (
            origin is not None
            and request.path.startswith("/api/")
            and request.method not in _SAFE_METHODS
            and normalise_origin(origin) != normalise_origin(conf.public_url())
        ):
            return problem(Code.ORIGIN_NOT_ALLOWED, f"{origin[:200]} is not an allowed origin.", request)
        return self.get_response(request)
