"""JSON output: UTF-8 as is (Hebrew and Arabic are half the size of \\u escapes), compact separators."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ninja.renderers import JSONRenderer


class CompactJSONRenderer(JSONRenderer):
    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}
