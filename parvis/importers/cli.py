"""`parvis import` and `parvis export`: argument parsing, the progress bar and the printed report."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import IO, Any

# Loaded before Django is set up (the parser is built first): no import of models here.
FORMATS = {
    "wordpress": "WordPress WXR export (wpDiscuz included)",
    "disqus": "Disqus XML export",
    "isso": "Isso database file (comments.db) or Isso generic JSON",
    "parvis": "Parvis JSON export (parvis export --format json)",
}


def add_commands(commands: Any) -> None:
    """Add `import` and `export` to the `parvis` command's sub-commands."""
    importing = commands.add_parser("import", help="import comments from WordPress, Disqus, Isso or a Parvis export")
    importing.add_argument("format", choices=sorted(FORMATS), help="the file's format")
    importing.add_argument("file", type=Path)
    importing.add_argument("--site", required=True, help="the site's slug")
    importing.add_argument("--dry-run", action="store_true", help="read and check everything, write nothing")
    importing.add_argument("--pings", action="store_true", help="import pingbacks and trackbacks as comments too")
    importing.add_argument("--base-url", default="", help="Isso: the site's address, to key threads by page URL")
    importing.add_argument("--moderate", action="store_true", help="report what moderation would hold or remove")
    importing.add_argument("--apply", action="store_true", help="with --moderate: hold or remove them")
    importing.add_argument("--json", action="store_true", help="print the report's figures as JSON")
    exporting = commands.add_parser("export", help="export a site's threads and comments (Parvis JSON or WXR)")
    exporting.add_argument("--site", required=True, help="the site's slug")
    exporting.add_argument("--format", choices=["json", "wxr"], default="json")
    exporting.add_argument("-o", "--output", type=Path, default=None, help="file to write (default: standard output)")


class _Counted(io.RawIOBase):
    """A file that tells the progress bar how far it has been read."""

    def __init__(self, file: IO[bytes], advance: Any) -> None:
        self.file, self.advance = file, advance

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.advance(len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def run_import(options: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from parvis.cli import site_or_none
    from parvis.importers.actions import import_comments
    from parvis.importers.records import CommentRecord
    from parvis.importers.sources import open_source

    site = site_or_none(options.site)
    if site is None:
        return 2
    if options.apply and not options.moderate:
        print("parvis: --apply goes with --moderate", file=sys.stderr)
        return 2
    path: Path = options.file
    if not path.is_file():
        print(f"parvis: no such file: {path}", file=sys.stderr)
        return 2
    console = Console(stderr=True)
    counted = {"comments": 0}
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
        TextColumn("{task.fields[comments]:,} comments"),
        TimeRemainingColumn(), console=console, disable=not console.is_terminal, transient=False,
    ) as progress, path.open("rb") as raw:  # fmt: skip
        task = progress.add_task(f"{options.format} → {site.slug}", total=path.stat().st_size, comments=0)

        def advance(size: int) -> None:
            progress.advance(task, size)

        def seen(record: Any) -> None:
            if isinstance(record, CommentRecord):
                counted["comments"] += 1
                if counted["comments"] % 1000 == 0:
                    progress.update(task, comments=counted["comments"])

        file = io.BufferedReader(_Counted(raw, advance), buffer_size=1 << 20)
        source = open_source(options.format, path, file, base_url=options.base_url)
        try:
            report = import_comments(
                site, source, dry_run=options.dry_run, keep_pings=options.pings, moderate=options.moderate,
                apply=options.apply, label=path.name, on_record=seen,
            )  # fmt: skip
        except Exception as error:  # the report's promise: a sentence, never a traceback
            import logging

            logging.getLogger(__name__).debug("import failed", exc_info=True)
            print(f"Import failed: an unexpected error ({type(error).__name__}: {error}); nothing was imported.")
            return 1
        progress.update(task, comments=counted["comments"], completed=path.stat().st_size)
    if options.json:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(json.dumps({**report.summary(), "peak_rss_mb": peak}, indent=2))
    else:
        print("\n".join(report.lines()))
    return 1 if report.fatal else 0


def run_export(options: argparse.Namespace) -> int:
    from parvis.cli import site_or_none
    from parvis.importers.export import export

    site = site_or_none(options.site)
    if site is None:
        return 2
    if options.output is None:
        try:
            for chunk in export(site, options.format):
                sys.stdout.write(chunk)
            sys.stdout.flush()
        except BrokenPipeError:  # `parvis export … | head`: the reader has had enough
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    with options.output.open("w", encoding="utf-8") as out:
        for chunk in export(site, options.format):
            out.write(chunk)
    print(f"exported {site.slug} as {options.format} to {options.output}", file=sys.stderr)
    return 0
