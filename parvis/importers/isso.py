"""Isso: its SQLite database file (``comments.db``) or its generic JSON import format.

Isso keys a thread by the page's path (``/2014/hello/``). With ``--base-url https://www.example.com`` the
thread is keyed by the page's full URL, as the widget would key it; without, the path is the thread's key
(give it as ``data-parvis-id``). Isso's text is markdown, like Parvis's. In the database, ``mode`` is 1 for a
published comment, 2 for one waiting for moderation and 4 for a deleted one kept for its replies.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from parvis.comments.models import Status
from parvis.importers import dates
from parvis.importers.records import CommentRecord, ImportFailed, Problem, Record, ThreadEnd, ThreadRecord

SQLITE_MAGIC = b"SQLite format 3\x00"
_MODE = {1: Status.APPROVED, 2: Status.PENDING, 4: Status.DELETED}


def _thread(uri: str, title: str, base_url: str) -> ThreadRecord:
    if base_url:
        return ThreadRecord(source_id=uri, key="", url=urljoin(base_url, uri), title=title)
    return ThreadRecord(source_id=uri, key=uri, url="", title=title)


class IssoSource:
    name = "isso"

    def __init__(self, path: Path, *, base_url: str = "") -> None:
        self.path = path
        self.base_url = base_url

    def records(self) -> Iterator[Record]:
        with self.path.open("rb") as file:
            is_database = file.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
        yield from (self._database() if is_database else self._json())

    def _database(self) -> Iterator[Record]:
        try:
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            threads = connection.execute("SELECT id, uri, title FROM threads ORDER BY id").fetchall()
        except sqlite3.Error as error:
            raise ImportFailed(f"not an Isso database ({error}); nothing was imported.") from error
        try:
            for tid, uri, title in threads:
                yield _thread(str(uri), str(title or ""), self.base_url)
                rows = connection.execute(
                    "SELECT id, parent, created, mode, text, author, email, website, likes, dislikes "
                    "FROM comments WHERE tid = ? ORDER BY id",
                    (tid,),
                )
                for cid, parent, created, mode, text, author, email, website, likes, dislikes in rows:
                    status = _MODE.get(mode)
                    yield CommentRecord(
                        source_id=f"{cid}",
                        thread_source_id=str(uri),
                        parent_source_id=str(parent) if parent else None,
                        body=text or "",
                        body_format="markdown",
                        status=status or Status.PENDING,
                        created_at=dates.epoch(created),
                        author_name=author or "",
                        author_email=email or "",
                        author_website=website or "",
                        upvotes=int(likes or 0),
                        downvotes=int(dislikes or 0),
                        notes=() if status else (f"unknown mode {mode!r}; imported as pending",),
                    )
                yield ThreadEnd(str(uri))
        except sqlite3.Error as error:
            raise ImportFailed(f"the Isso database could not be read ({error}); nothing was imported.") from error
        finally:
            connection.close()

    def _json(self) -> Iterator[Record]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as error:
            raise ImportFailed(f"the file is not UTF-8 text (byte {error.start}); nothing was imported.") from error
        except json.JSONDecodeError as error:
            raise ImportFailed(
                f"not valid JSON at line {error.lineno}, column {error.colno} ({error.msg}); nothing was imported."
            ) from error
        if not isinstance(data, list):
            raise ImportFailed("an Isso JSON export is a list of threads; this file is not one. Nothing imported.")
        for index, thread in enumerate(data):
            yield from self._json_thread(index, thread)

    def _json_thread(self, index: int, thread: Any) -> Iterator[Record]:
        if not isinstance(thread, dict) or not isinstance(thread.get("id"), str) or not thread["id"]:
            yield Problem(f"thread #{index + 1}", "not an object with an 'id' (the page's path)")
            return
        uri = thread["id"]
        yield _thread(uri, str(thread.get("title") or ""), self.base_url)
        for position, comment in enumerate(thread.get("comments") or []):
            if not isinstance(comment, dict) or not isinstance(comment.get("text"), str):
                yield Problem(f"comment #{position + 1} of {uri}", "not an object with a 'text'")
                continue
            # The generic format's ids are often all 0: the position in the thread tells comments apart.
            yield CommentRecord(
                source_id=f"{uri}#{position}",
                thread_source_id=uri,
                parent_source_id=None,
                body=comment["text"],
                body_format="markdown",
                status=Status.APPROVED,
                created_at=dates.sql_utc(str(comment.get("created") or "")),
                author_name=str(comment.get("author") or ""),
                author_email=str(comment.get("email") or ""),
                author_website=str(comment.get("website") or ""),
            )
        yield ThreadEnd(uri)
