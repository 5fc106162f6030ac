"""The formats `parvis import` reads, by name: one module per format, each behind the ``Source`` protocol."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from parvis.importers.disqus import DisqusSource
from parvis.importers.isso import IssoSource
from parvis.importers.parvis_json import ParvisSource
from parvis.importers.records import Source
from parvis.importers.wordpress import WordPressSource


def open_source(format: str, path: Path, file: IO[bytes], *, base_url: str = "") -> Source:
    """The source for ``format``; ``file`` is ``path`` opened for reading (the caller counts its progress)."""
    if format == "wordpress":
        return WordPressSource(file)
    if format == "disqus":
        return DisqusSource(file)
    if format == "isso":
        return IssoSource(path, base_url=base_url)
    if format == "parvis":
        return ParvisSource(file)
    raise ValueError(f"unknown format {format!r}")
