"""The built widget: file names and translations written by `widget/build.mjs` (run by `make widget`).

Read from disk once per process and again when meta.json changes. The files themselves are served from
what `parvis serve` collected when it started, so restart the server after rebuilding the widget.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

BUILD_DIR = Path(__file__).resolve().parent / "static" / "parvis-widget"
STATIC_PREFIX = "parvis-widget/"


class WidgetNotBuilt(Exception):
    """The widget bundle is missing: `make widget` has not run."""


@dataclass(frozen=True)
class Bundle:
    app_js: str
    app_css: str
    inline: str
    subscribe: str
    tools: str
    composer: str
    signin: str
    live: str
    languages: tuple[str, ...]
    gzip_bytes: dict[str, int]


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError as error:
        raise WidgetNotBuilt(f"{path} is missing: run `make widget`") from error


@lru_cache(maxsize=4)
def _bundle(stamp: float) -> Bundle:
    meta: dict[str, Any] = json.loads((BUILD_DIR / "meta.json").read_text())
    files = meta["files"]
    return Bundle(
        app_js=STATIC_PREFIX + files["app_js"],
        app_css=STATIC_PREFIX + files["app_css"],
        inline=STATIC_PREFIX + files["inline"],
        subscribe=STATIC_PREFIX + files["subscribe"],
        tools=STATIC_PREFIX + files["tools"],
        composer=STATIC_PREFIX + files["composer"],
        signin=STATIC_PREFIX + files["signin"],
        live=STATIC_PREFIX + files["live"],
        languages=tuple(meta["languages"]),
        gzip_bytes=dict(meta["gzip_bytes"]),
    )


def bundle() -> Bundle:
    return _bundle(_stamp(BUILD_DIR / "meta.json"))


@lru_cache(maxsize=16)
def _messages(language: str, stamp: float) -> dict[str, Any]:
    return dict(json.loads((BUILD_DIR / "i18n" / f"{language}.json").read_text(encoding="utf-8")))


def messages(language: str) -> dict[str, Any]:
    """The widget's strings in ``language`` (one of bundle().languages)."""
    return _messages(language, _stamp(BUILD_DIR / "meta.json"))


@lru_cache(maxsize=8)
def _script(name: str, stamp: float) -> bytes:
    return (BUILD_DIR / name).read_bytes()


def script(name: str) -> bytes:
    """The bytes of a stable-URL script (embed.js, count.js)."""
    return _script(name, _stamp(BUILD_DIR / "meta.json"))
