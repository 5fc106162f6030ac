"""What every source format yields: threads, comments, the end of a thread, and problems — one small protocol.

A format module reads its file as a stream and turns it into these records; the writer (``writer.py``) does the
rest the same way for every format: trees, ids, bodies, counts. A format never touches the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class ImportFailed(Exception):
    """The file cannot be read at all (not XML, truncated, forbidden DTD): nothing is imported. The message is
    for the person running the import, one clear sentence."""


@dataclass(slots=True)
class ThreadRecord:
    source_id: str
    # The publisher's id for the article when the source has one, else "" (the URL keys the thread).
    key: str
    url: str
    title: str = ""
    is_closed: bool = False


@dataclass(slots=True)
class CommentRecord:
    source_id: str
    thread_source_id: str
    parent_source_id: str | None
    body: str
    # "html" (WordPress, Disqus), "markdown" (Isso, Parvis).
    body_format: str
    status: str
    created_at: datetime | None
    author_name: str = ""
    author_email: str = ""
    author_website: str = ""
    upvotes: int = 0
    downvotes: int = 0
    # A pingback or trackback: another site's link to the article, not a reader's words.
    is_ping: bool = False
    # Anything odd the reader noticed about the record (an unreadable date ...), for the report.
    notes: tuple[str, ...] = ()
    # Parvis exports only: the fields other sources do not have.
    language: str = ""
    edited_at: datetime | None = None
    pinned: bool = False
    editors_pick: bool = False
    anchor_exact: str = ""
    anchor_prefix: str = ""
    anchor_suffix: str = ""


@dataclass(slots=True)
class ThreadEnd:
    """Every comment of this thread has been read: the writer can build its tree and let it go."""

    source_id: str


@dataclass(slots=True)
class Problem:
    """A record the source could not read (skipped), with the reason, for the report."""

    what: str
    reason: str


@dataclass(slots=True)
class Origin:
    """Which site of which Parvis instance made the file (Parvis exports only; ``parvis_json.origin``): when it is
    the site being imported into, the file's ids are that site's own comments, not a foreign source's."""

    token: str


Record = ThreadRecord | CommentRecord | ThreadEnd | Problem | Origin


class Source(Protocol):
    """One import format. ``name`` keys the source ids in the mapping tables (re-runs update, never double)."""

    name: str

    def records(self) -> Iterator[Record]: ...
