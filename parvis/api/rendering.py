"""JSON output: UTF-8 as is (Hebrew and Arabic are half the size of \\u escapes), compact separators."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja.renderers import JSONRenderer

CONTENT_TYPE = "application/json; charset=utf-8"


class CompactJSONRenderer(JSONRenderer):
    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}


_renderer = CompactJSONRenderer()


def json_response(request: HttpRequest, data: Any) -> HttpResponse:
    """An answer rendered exactly as the API renders its results, for a view that keeps the bytes."""
    return HttpResponse(_renderer.render(request, data, response_status=200), content_type=CONTENT_TYPE)
