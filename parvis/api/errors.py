"""Every API error as RFC 9457 application/problem+json, built in this one place.

`type` is a stable URI per code, `code` the machine-readable name the widget translates, `title` the
catalogue's human sentence, `detail` what was wrong with this request, and `errors` the fields at fault.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from parvis.core.exceptions import CATALOG, Code, ProblemError

logger = logging.getLogger("parvis.api")
CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/errors#"


def problem_response(error: ProblemError, request: HttpRequest | None = None) -> HttpResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + error.code.value,
        "title": error.title,
        "status": error.status,
        "code": error.code.value,
        "detail": error.detail,
    }
    if error.errors:
        body["errors"] = error.errors
    if request is not None:
        body["instance"] = request.path[:512]
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=error.status, content_type=CONTENT_TYPE)
    for name, value in error.headers.items():
        response[name] = value
    return response


def problem(code: Code, detail: str | None = None, request: HttpRequest | None = None) -> HttpResponse:
    return problem_response(ProblemError(code, detail), request)


def catalogue() -> list[dict[str, Any]]:
    """The published list of codes, served at /api/v1/errors for client authors."""
    return [
        {"code": code.value, "status": status, "title": str(title), "type": TYPE_BASE + code.value}
        for code, (status, title) in CATALOG.items()
    ]


_SOURCES = {"query", "path", "header", "cookie", "form"}


def pydantic_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ninja/pydantic validation errors as {field, code, message}, fields in dotted form."""
    result = []
    for item in errors:
        location = [str(part) for part in item.get("loc", ())]
        # ninja prefixes the source ("body", "query", "path", "header") and, for bodies, the name of the
        # view's parameter; the client knows neither, only its own field names.
        if location[:1] == ["body"]:
            location = location[2:]
        elif location[:1] and location[0] in _SOURCES:
            location = location[1:]
        result.append(
            {
                "field": ".".join(location) or None,
                "code": str(item.get("type", "invalid")),
                "message": str(item.get("msg", "invalid value")),
            }
        )
    return result


def install_problem_handlers(api: NinjaAPI) -> None:
    """Make every error of ``api`` leave as problem+json: refusals with their code, schema errors as
    validation_failed, framework errors mapped, anything unexpected logged and answered server_error."""

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
