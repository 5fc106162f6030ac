"""The Perspective-compatible API, served at the server root under /v1alpha1/ (documented at /v1alpha1/docs).

It is a NinjaAPI of its own rather than a router of /api/v1/ because Perspective clients only let their users
change the base URL: the path must stay `/v1alpha1/comments:analyze`. Its errors are the same problem+json as the
main API's, with the same codes and catalogue (/api/v1/errors).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from parvis.api.errors import install_problem_handlers, problem
from parvis.api.guard import json_content_type
from parvis.api.parsing import StrictJsonParser
from parvis.api.rendering import CompactJSONRenderer
from parvis.api.routers import perspective
from parvis.core.exceptions import Code, ProblemError

logger = logging.getLogger("parvis.api")


class PerspectiveJsonParser(StrictJsonParser):
    """The main API's strict JSON, plus the Content-Type check its front-door middleware makes for /api/ only."""

    def parse_body(self, request: HttpRequest) -> Any:
        if not json_content_type(str(request.META.get("CONTENT_TYPE", ""))):
            raise ProblemError(
                Code.UNSUPPORTED_MEDIA_TYPE, "This endpoint accepts only Content-Type: application/json (UTF-8)."
            )
        return super().parse_body(request)


perspective_api = NinjaAPI(
    title="Parvis Perspective-compatible API",
    version="v1alpha1",
    description=(
        "Drop-in for Google's Perspective AnalyzeComment: `POST /v1alpha1/comments:analyze?key=API_KEY`. "
        "Keys are per site (`parvis moderation apikey create`). Errors are RFC 9457 application/problem+json "
        "with a stable `code` (list at /api/v1/errors). Analyzed text is never stored."
    ),
    urls_namespace="perspective",
    docs_url="/docs",
    parser=PerspectiveJsonParser(),
    renderer=CompactJSONRenderer(),
)
perspective_api.add_router("/", perspective.router)


install_problem_handlers(perspective_api)


@perspective_api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return problem(
        Code.API_KEY_INVALID, "Send a valid, unrevoked key as ?key=... or in the X-Goog-Api-Key header.", request
    )
