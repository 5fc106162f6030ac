"""Disqus XML exports (Admin → Moderation → Export): categories, threads, then posts.

A thread has Disqus's id (``dsq:id``), the publisher's identifier (``<id>``, what the site's embed code named
the article, Parvis's thread key when present) and its link; a post names its thread and its parent by dsq:id,
with ``isDeleted`` and ``isSpam`` flags. Posts come after all threads and in no thread order, so they are parked
on disk (a temporary SQLite file) as they are read and handed to the writer one thread at a time once the file
ends: memory stays that of one thread, whatever the number of posts.
"""

from __future__ import annotations

import pickle
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element

from parvis.comments.models import Status
from parvis.importers import dates
from parvis.importers.records import CommentRecord, Problem, Record, ThreadEnd, ThreadRecord
from parvis.importers.safexml import child_text, local, stream

_DSQ_ID = "{http://disqus.com/disqus-internals}id"


def _ref(element: Element, name: str) -> str | None:
    for child in element:
        if local(child.tag) == name:
            return child.get(_DSQ_ID) or None
    return None


def _author(element: Element) -> Element | None:
    for child in element:
        if local(child.tag) == "author":
            return child
    return None


def _true(text: str) -> bool:
    return text.strip().lower() == "true"


class DisqusSource:
    name = "disqus"

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file

    def records(self) -> Iterator[Record]:
        with ParkedPosts() as parked:
            for _, element, _ in stream(self.file, {1: {"category", "thread", "post"}}):
                kind = local(element.tag)
                if kind == "thread":
                    yield from self._thread(element)
                elif kind == "post":
                    post = self._post(element)
                    if isinstance(post, CommentRecord):
                        parked.add(post)
                    else:
                        yield post
            yield from parked.by_thread()

    def _thread(self, element: Element) -> Iterator[Record]:
        dsq_id = element.get(_DSQ_ID)
        if not dsq_id:
            yield Problem("a thread", "it has no dsq:id")
            return
        yield ThreadRecord(
            source_id=dsq_id,
            key=child_text(element, "id"),
            url=child_text(element, "link"),
            title=child_text(element, "title"),
            is_closed=_true(child_text(element, "isClosed")),
        )

    def _post(self, element: Element) -> Record:
        dsq_id = element.get(_DSQ_ID)
        thread = _ref(element, "thread")
        if not dsq_id or not thread:
            return Problem(f"post {dsq_id or '?'}", "it has no dsq:id or names no thread")
        author = _author(element)
        notes: list[str] = []
        created = dates.iso(child_text(element, "createdAt"))
        if _true(child_text(element, "isSpam")):
            status = Status.SPAM
        elif _true(child_text(element, "isDeleted")):
            status = Status.DELETED
        elif child_text(element, "isApproved").lower() == "false":
            status = Status.PENDING
        else:
            status = Status.APPROVED
        message = ""
        for child in element:
            if local(child.tag) == "message":
                message = child.text or ""
        return CommentRecord(
            source_id=dsq_id,
            thread_source_id=thread,
            parent_source_id=_ref(element, "parent"),
            body=message.strip(),
            body_format="html",
            status=status,
            created_at=created,
            author_name=child_text(author, "name") if author is not None else "",
            author_email=child_text(author, "email") if author is not None else "",
            author_website=child_text(author, "link") if author is not None else "",
            notes=tuple(notes),
        )


class ParkedPosts:
    """Posts kept in a temporary SQLite file until the export ends, then read back thread by thread (in the
    file's order within each thread), each thread followed by its ThreadEnd."""

    BATCH = 2_000

    def __enter__(self) -> ParkedPosts:
        self.directory = tempfile.TemporaryDirectory(prefix="parvis-disqus-")
        self.database = sqlite3.connect(Path(self.directory.name) / "posts.sqlite3")
        self.database.execute("PRAGMA journal_mode = OFF")
        self.database.execute("PRAGMA synchronous = OFF")
        self.database.execute("CREATE TABLE post (thread TEXT NOT NULL, record BLOB NOT NULL)")
        self.waiting: list[tuple[str, bytes]] = []
        return self

    def add(self, post: CommentRecord) -> None:
        self.waiting.append((post.thread_source_id, pickle.dumps(post, protocol=pickle.HIGHEST_PROTOCOL)))
        if len(self.waiting) >= self.BATCH:
            self._write()

    def _write(self) -> None:
        self.database.executemany("INSERT INTO post VALUES (?, ?)", self.waiting)
        self.waiting = []

    def by_thread(self) -> Iterator[CommentRecord | ThreadEnd]:
        self._write()
        self.database.execute("CREATE INDEX post_by_thread ON post (thread)")
        current: str | None = None
        for thread, blob in self.database.execute("SELECT thread, record FROM post ORDER BY thread, rowid"):
            if thread != current:
                if current is not None:
                    yield ThreadEnd(current)
                current = thread
            yield pickle.loads(blob)  # noqa: S301 (written by this very object, in its own temporary directory)
        if current is not None:
            yield ThreadEnd(current)

    def __exit__(self, *exc: object) -> None:
        self.database.close()
        self.directory.cleanup()
