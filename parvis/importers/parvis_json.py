"""Parvis's own export (``parvis export --format json``), read back as a stream.

The file is one JSON object (schema in README.md, "Importing and exporting comments"); its ``threads`` array is
read one element at a time with the standard library's ``raw_decode``, so memory holds one thread, not the file.
Source ids are the exporting instance's ids: importing the same export twice updates instead of doubling. The
header's ``origin`` names the site that made the file (``origin``): imported back into that same site, the ids
are its own comments, which are matched and updated in place instead of being copied.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import IO, Any

from django.utils.crypto import salted_hmac

from parvis.comments.models import Status
from parvis.core.models import Site
from parvis.importers import dates
from parvis.importers.records import CommentRecord, ImportFailed, Origin, Problem, Record, ThreadEnd, ThreadRecord

FORMAT, VERSION = "parvis", 1
_CHUNK = 1 << 20
_STATUSES = {choice.value for choice in Status}


def origin(site: Site) -> str:
    """A token for "this site of this instance" (keyed by the instance's secret key): equal only for exports
    made here from ``site``, and saying nothing about either to whoever reads the file."""
    return salted_hmac("parvis.importers.origin", str(site.pk)).hexdigest()[:32]


class _Reader:
    """A text buffer over the file with just enough of a JSON tokenizer for the export's outer structure."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.buffer = ""
        self.at = 0
        self.eof = False
        self.json = json.JSONDecoder()

    def _more(self, size: int = _CHUNK) -> bool:
        if self.eof:
            return False
        raw = self.file.read(size)
        try:
            text = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as error:
            raise ImportFailed("the file is not UTF-8 text; nothing was imported.") from error
        self.eof = not raw
        self.buffer = self.buffer[self.at :] + text
        self.at = 0
        return True

    def peek(self) -> str:
        while True:
            while self.at < len(self.buffer) and self.buffer[self.at] in " \t\r\n":
                self.at += 1
            if self.at < len(self.buffer):
                return self.buffer[self.at]
            if not self._more():
                raise ImportFailed("the file ends in the middle of the export: it looks truncated; nothing imported.")

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise ImportFailed(f"not a Parvis export: expected {char!r} near character {self.at}; nothing imported.")
        self.at += 1

    def value(self) -> Any:
        self.peek()
        size = _CHUNK
        while True:
            try:
                value, end = self.json.raw_decode(self.buffer, self.at)
            except json.JSONDecodeError as error:
                if self._more(size):
                    size *= 2
                    continue
                if error.pos >= len(self.buffer.rstrip()) or error.msg.startswith("Unterminated"):
                    raise ImportFailed(
                        "the file ends in the middle of the export: it looks truncated; nothing imported."
                    ) from error
                raise ImportFailed(f"not valid JSON ({error.msg}); nothing was imported.") from error
            self.at = end
            return value


class ParvisSource:
    name = "parvis"

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file

    def records(self) -> Iterator[Record]:
        reader = _Reader(self.file)
        reader.expect("{")
        header: dict[str, Any] = {}
        while reader.peek() != "}":
            key = reader.value()
            reader.expect(":")
            if key == "threads":
                if header.get("format") != FORMAT or header.get("version") != VERSION:
                    raise ImportFailed(
                        f'not a Parvis export of version {VERSION} ("format" and "version" must come first); '
                        "nothing was imported."
                    )
                if isinstance(header.get("origin"), str):
                    yield Origin(header["origin"])
                reader.expect("[")
                while reader.peek() != "]":
                    yield from self._thread(reader.value())
                    if reader.peek() == ",":
                        reader.at += 1
                reader.expect("]")
            else:
                header[str(key)] = reader.value()
            if reader.peek() == ",":
                reader.at += 1
        reader.expect("}")

    def _thread(self, thread: Any) -> Iterator[Record]:
        if not isinstance(thread, dict) or "id" not in thread:
            yield Problem("a thread", "not an object with an 'id'")
            return
        source_id = str(thread["id"])
        yield ThreadRecord(
            source_id=source_id,
            key=str(thread.get("key") or ""),
            url=str(thread.get("url") or ""),
            title=str(thread.get("title") or ""),
            is_closed=bool(thread.get("is_closed")),
        )
        for comment in thread.get("comments") or []:
            record = self._comment(source_id, comment)
            yield record
        yield ThreadEnd(source_id)

    def _comment(self, thread_id: str, comment: Any) -> Record:
        if not isinstance(comment, dict) or "id" not in comment or not isinstance(comment.get("body_markdown"), str):
            return Problem(f"a comment of thread {thread_id}", "not an object with an 'id' and a 'body_markdown'")
        author: dict[str, Any] = comment["author"] if isinstance(comment.get("author"), dict) else {}
        anchor: dict[str, Any] = comment["anchor"] if isinstance(comment.get("anchor"), dict) else {}
        status = str(comment.get("status"))
        notes = () if status in _STATUSES else (f"unknown status {status!r}; imported as pending",)
        parent = comment.get("parent")
        edited = comment.get("edited_at")
        return CommentRecord(
            source_id=str(comment["id"]),
            thread_source_id=thread_id,
            parent_source_id=str(parent) if parent is not None else None,
            body=comment["body_markdown"],
            body_format="markdown",
            status=status if status in _STATUSES else Status.PENDING,
            created_at=dates.iso(str(comment.get("created_at") or "")),
            author_name=str(author.get("name") or ""),
            author_email=str(author.get("email") or ""),
            author_website=str(author.get("website") or ""),
            upvotes=_count(comment.get("upvotes")),
            downvotes=_count(comment.get("downvotes")),
            notes=notes,
            language=str(comment.get("language") or ""),
            edited_at=dates.iso(edited) if isinstance(edited, str) else None,
            pinned=bool(comment.get("pinned")),
            editors_pick=bool(comment.get("editors_pick")),
            anchor_exact=str(anchor.get("exact") or ""),
            anchor_prefix=str(anchor.get("prefix") or ""),
            anchor_suffix=str(anchor.get("suffix") or ""),
        )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
