"""The Perspective-compatible API, served at the server root under /v1alpha1/ (documented at /v1alpha1/docs).

It is a NinjaAPI of its own rather than a router of /api/v1/ because Perspective clients only let their users
change the base URL: the path must stay `/v1alpha1/comments:analyze`. Its errors are the same problem+json as the
main API's, with the same codes and catalogue (/api/v1/errors).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parvis.api.errors import problem, problem_response, pydantic_errors
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


@perspective_api.exception_handler(ProblemError)
def _problem(request: HttpRequest, error: ProblemError) -> HttpResponse:
    return problem_response(error, request)


@perspective_api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return problem(
        Code.API_KEY_INVALID, "Send a valid, unrevoked key as ?key=... or in the X-Goog-Api-Key header.", request
    )


@perspective_api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    details = pydantic_errors(list(error.errors))
    fields = ", ".join(sorted({item["field"] for item in details if item["field"]})) or "the request"
    return problem_response(
        ProblemError(Code.VALIDATION_FAILED, f"Invalid value for {fields}.", errors=details), request
    )


@perspective_api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    cause = error.__cause__
    if isinstance(cause, ProblemError):
        return problem_response(cause, request)
    if isinstance(cause, RequestDataTooBig):
        return problem(Code.PAYLOAD_TOO_LARGE, None, request)
    if error.status_code == 400:
        return problem(Code.MALFORMED_JSON, str(error), request)
    logger.warning("unmapped HttpError %s: %s", error.status_code, error)
    return problem(Code.VALIDATION_FAILED, str(error), request)


@perspective_api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem(Code.NOT_FOUND, None, request)


@perspective_api.exception_handler(Exception)
def _unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("unexpected error on %s %s", request.method, request.path)
    return problem(Code.SERVER_ERROR, "The error was logged; please try again later.", request)
