"""The JSON API, versioned under /api/v1/, documented at /api/docs. All errors leave as problem+json."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from parvis.api.errors import problem, problem_response, pydantic_errors
from parvis.api.parsing import StrictJsonParser
from parvis.api.rendering import CompactJSONRenderer
from parvis.api.routers import public
from parvis.core.exceptions import Code, ProblemError

logger = logging.getLogger("parvis.api")

api = NinjaAPI(
    title="Parvis API",
    version="1",
    description=(
        "Reader comments for news sites. Errors are RFC 9457 application/problem+json with a stable `code`; "
        "the list is at /api/v1/errors."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    parser=StrictJsonParser(),
    renderer=CompactJSONRenderer(),
)
api.add_router("/", public.router)


@api.exception_handler(ProblemError)
def _problem(request: HttpRequest, error: ProblemError) -> HttpResponse:
    return problem_response(error, request)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    details = pydantic_errors(list(error.errors))
    fields = ", ".join(sorted({item["field"] for item in details if item["field"]})) or "the request"
    return problem_response(
        ProblemError(Code.VALIDATION_FAILED, f"Invalid value for {fields}.", errors=details), request
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    cause = error.__cause__
    if isinstance(cause, ProblemError):
        return problem_response(cause, request)
    if isinstance(cause, RequestDataTooBig):
        return problem(Code.PAYLOAD_TOO_LARGE, None, request)
    if error.status_code == 400:
        return problem(Code.MALFORMED_JSON, str(error), request)
    if error.status_code == 405:
        return problem(Code.METHOD_NOT_ALLOWED, None, request)
    logger.warning("unmapped HttpError %s: %s", error.status_code, error)
    return problem(Code.VALIDATION_FAILED, str(error), request)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem(Code.NOT_FOUND, None, request)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("unexpected error on %s %s", request.method, request.path)
    return problem(Code.SERVER_ERROR, "The error was logged; please try again later.", request)
