"""Front door of the API: refuses what no endpoint should even parse, before any view runs.

- a body without ``Content-Type: application/json`` on POST/PUT/PATCH (415): a cross-site HTML form or a
  no-cors fetch can only send form or text types, so this alone stops cross-site posting;
- a body larger than PARVIS_MAX_REQUEST_BYTES (413), judged from Content-Length before reading;
- a path or query string with NUL, control characters or lone surrogates (422).

On the way out it turns django-ninja's plain-text 405 for a method no operation of the path accepts (a
response ninja builds itself, so the API's exception handlers never see it) into the problem+json answer
every other refusal gets, keeping its Allow header.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDictKeyError

from parvis import conf
from parvis.api.errors import CONTENT_TYPE, problem, problem_response
from parvis.core.exceptions import Code, ProblemError
from parvis.core.text import refuse_forbidden

API_PREFIX = "/api/"
_BODY_METHODS = {"POST", "PUT", "PATCH"}


def json_content_type(value: str) -> bool:
    media_type, _, parameters = value.partition(";")
    if media_type.strip().lower() != "application/json":
        return False
    for parameter in parameters.split(";"):
        name, _, argument = parameter.partition("=")
        if name.strip().lower() == "charset" and argument.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


class ApiGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(CONTENT_TYPE):
            not_allowed = problem(Code.METHOD_NOT_ALLOWED, None, request)
            if response.has_header("Allow"):
                not_allowed["Allow"] = response["Allow"]
            return not_allowed
        return response

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        try:
            refuse_forbidden(request.path, "path")
            for name, values in request.GET.lists():
                refuse_forbidden(name, "query")
                for value in values:
                    refuse_forbidden(value, name)
        except ProblemError as error:
            return problem_response(error, None)
        except MultiValueDictKeyError:
            return problem(Code.VALIDATION_FAILED, "The query string could not be read.")
        if request.method in _BODY_METHODS:
            if not json_content_type(str(request.META.get("CONTENT_TYPE", ""))):
                return problem(
                    Code.UNSUPPORTED_MEDIA_TYPE,
                    "This endpoint accepts only Content-Type: application/json (UTF-8).",
                    request,
                )
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return problem(Code.VALIDATION_FAILED, "Content-Length is not a number.", request)
            if length > conf.max_request_bytes():
                return problem(
                    Code.PAYLOAD_TOO_LARGE,
                    f"The body has {length} bytes; the limit is {conf.max_request_bytes()}.",
                    request,
                )
        return None
