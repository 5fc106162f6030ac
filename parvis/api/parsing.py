"""Strict JSON request parsing for the API.

Stricter than json.loads: UTF-8 only, no NaN/Infinity, bounded nesting, and no string anywhere in the
document (keys included) may hold NUL, control characters or lone surrogates. Such text can never be a
comment, and refusing it here means no later layer (the database driver, a template) ever sees it.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

from parvis import conf
from parvis.core.exceptions import Code, ProblemError
from parvis.core.text import refuse_forbidden

MAX_DEPTH = 32


def _no_constants(name: str) -> Any:
    raise ProblemError(Code.MALFORMED_JSON, f"{name} is not a JSON number.")


def _check(value: Any, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ProblemError(Code.MALFORMED_JSON, f"The JSON document is nested deeper than {MAX_DEPTH} levels.")
    if isinstance(value, str):
        refuse_forbidden(value, path or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_forbidden(key, f"{path}.{key}" if path else "key")
            _check(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]", depth + 1)


def parse_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProblemError(
            Code.MALFORMED_JSON, f"The body is not valid UTF-8 (byte {error.start}).", field="body"
        ) from error
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except RecursionError as error:
        raise ProblemError(Code.MALFORMED_JSON, "The JSON document is nested too deeply.") from error
    except json.JSONDecodeError as error:
        raise ProblemError(
            Code.MALFORMED_JSON, f"Invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}."
        ) from error
    _check(data, "", 0)
    return data


class StrictJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        # A chunked body has no Content-Length for the guard to judge; measure it here instead.
        raw = request.body
        if len(raw) > conf.max_request_bytes():
            raise ProblemError(Code.PAYLOAD_TOO_LARGE, f"The body is larger than {conf.max_request_bytes()} bytes.")
        return parse_json(raw)
