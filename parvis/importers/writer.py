"""Writing records into Parvis in large batches: the part every format shares, designed for speed and bounded memory.

Per comment there is no query and no model save: complete threads are gathered into batches of some thousands
of comments; per batch, what the database already has of them (mappings of earlier runs, threads, commenters;
the site's own comments when the file is its own export) is looked up in a few queries, parents are resolved in
memory by source id (``tree.py``), ids are taken in advance (``ids.py``) so replies can name their parents
before anything is written, bodies are rendered once here, and rows go out with COPY or one executemany
(``bulk.py``). No signal, no moderation, no email, no subscription is set off. Thread counts are recomputed at
the end, in one query per 500 threads, from what is in the database (imported comments and any that were there
before).
"""

from __future__ import annotations

import hashlib
import hmac
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from django.db import connection
from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from parvis.accounts.models import Commenter
from parvis.comments.models import Comment, Status
from parvis.comments.ranking import wilson_lower_bound
from parvis.core.exceptions import ProblemError
from parvis.core.models import Site
from parvis.core.text import clean_line
from parvis.importers import bodies
from parvis.importers.bulk import Background, Rows
from parvis.importers.ids import IdReserver
from parvis.importers.models import ImportedComment, ImportedThread
from parvis.importers.parvis_json import origin
from parvis.importers.records import CommentRecord, Origin, Problem, Record, ThreadEnd, ThreadRecord
from parvis.importers.report import Report
from parvis.importers.tree import shape
from parvis.threads.keys import MAX_URL_LENGTH, canonical_url, thread_key
from parvis.threads.models import Thread

BATCH = 5000
# Longer bodies are skipped and reported: no reader ever wrote them (the API takes at most 20,000 characters).
MAX_BODY = 100_000
NAME_MAX, EMAIL_MAX, WEBSITE_MAX, TITLE_MAX = 64, 254, 512, 300
_COUNT_CHUNK = 500
# Values per lookup query: SQLite takes at most 999 parameters in a statement, PostgreSQL 65,535.
_LOOKUP_CHUNK = {"sqlite": 900, "postgresql": 10_000}
# Commenters kept in memory between batches (each batch looks up those it does not find here).
COMMENTERS = 50_000
T = TypeVar("T")
_UPDATED_FIELDS = ["thread", "parent", "root", "depth", "author_name", "author_website", "body_markdown", "body_html",
                   "status", "created_at", "upvotes", "downvotes", "score", "rank"]  # fmt: skip


@lru_cache(maxsize=65536)
def _line(value: str, limit: int) -> str:
    """A name or title as the posting action stores it (the same few names come back in every thread)."""
    return clean_line(bodies._FORBIDDEN.sub("", value), "import")[:limit]


@lru_cache(maxsize=65536)
def _email(value: str) -> str:
    email = value.strip()
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or len(email) > EMAIL_MAX or any(c.isspace() for c in email):
        return ""
    return email


@lru_cache(maxsize=65536)
def _website(value: str) -> str:
    website = value.strip()
    if not website.lower().startswith(("http://", "https://")) or len(website) > WEBSITE_MAX:
        return ""
    return website if not any(c.isspace() for c in website) else ""


def _digest(thread_id: int, parent_id: int | None, name: str, email: str, website: str, markdown: str, status: str,
            created: datetime, upvotes: int, downvotes: int) -> str:  # fmt: skip
    """A hash of what the source says of a comment: a re-run changes the comment only when this changed."""
    parts = [str(thread_id), str(parent_id), name, email, website, markdown, status, created.isoformat(),
             str(upvotes), str(downvotes)]  # fmt: skip
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "replace"), digest_size=16).hexdigest()


def _chunked(query: Callable[[list[Any]], Iterable[T]], values: list[Any]) -> list[T]:
    """``query`` run on slices of ``values`` small enough for the database."""
    found: list[T] = []
    size = _LOOKUP_CHUNK.get(connection.vendor, 900)
    for start in range(0, len(values), size):
        found.extend(query(values[start : start + size]))
    return found


def _place(record: ThreadRecord) -> tuple[str, str | None] | None:
    """A source thread's key and canonical URL, None when it has neither an id nor an http(s) URL."""
    url = canonical_url(record.url) if record.url else None
    if url is not None and len(url) > MAX_URL_LENGTH:
        url = None
    try:
        # A source "link" that is no URL (an Isso path, a key exported as a WXR link) is the thread's key.
        return thread_key(record.key or (None if url else record.url.strip()[:512] or None), url), url
    except ProblemError:
        return None


class _Known(NamedTuple):
    """A comment of the file that Parvis already has: its id, the digest of what the source said last time, and
    the mapping row (None for a site's own comment met in its own export, not yet mapped)."""

    comment_id: int
    digest: str
    mapping_id: int | None


class Writer:
    """Feed it records with ``add``; ``finish`` writes what is left and puts the thread counts right; ``close``
    in any case.

    Memory is bounded by the batch, not the file: complete threads are gathered until they hold ``BATCH``
    comments, then converted (while the previous batch is still being written, on PostgreSQL), then what the
    database already knows of them (mappings of earlier runs and of earlier batches, threads, commenters) is
    looked up for that batch alone. Nothing per comment outlives its batch but a bit for each mapping of an
    earlier run met again (to tell a duplicate id) and a few bytes per thread.
    """

    def __init__(
        self, site: Site, source: str, report: Report, *, keep_pings: bool = False, collect_published: bool = False
    ) -> None:
        self.site, self.source, self.report, self.keep_pings = site, source, report, keep_pings
        self.collect_published = collect_published
        self.now = timezone.now()
        self.ids = IdReserver()
        self.background = Background()
        if connection.vendor == "postgresql":
            # Foreign keys checked as each COPY ends, on the writing thread while the next batch is read, instead
            # of all at commit with the importer waiting (Django declares them deferrable; finish() restores).
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.threads_read: dict[str, ThreadRecord] = {}
        self.pending: dict[str, list[CommentRecord]] = defaultdict(list)
        # Complete threads waiting for their batch, and how many comments they hold.
        self.ready: list[tuple[str, list[CommentRecord]]] = []
        self.ready_comments = 0
        # Source ids of threads already met (to name a thread that appears twice).
        self.threads_done: set[str] = set()
        self.touched: set[int] = set()
        span = ImportedComment.objects.filter(site=site, source=source).aggregate(low=Min("pk"), high=Max("pk"))
        # Mappings with a higher id than any at the start were written by this run: meeting one again is a
        # duplicate id. Those of earlier runs get a bit here when met, for the same reason.
        self.first_mapping, self.last_mapping = span["low"] or 0, span["high"] or 0
        self.met = bytearray(((self.last_mapping - self.first_mapping) >> 3) + 1 if span["high"] else 0)
        # (name, email) → commenter, a cache in front of the database (cleared when it grows past COMMENTERS).
        self.commenters: dict[tuple[str, str], int] = {}
        # Set by an Origin record: the file is this site's own export, its ids are this site's comments.
        self.native = False
        self.new_threads = Rows(Thread)
        self.new_thread_maps = Rows(ImportedThread, given_ids=False)
        self.new_commenters = Rows(Commenter)
        self.new_comments = Rows(Comment)
        self.new_maps = Rows(ImportedComment, given_ids=False)
        self.changed: list[Comment] = []
        self.changed_maps: list[ImportedComment] = []
        # Source ids of the batch being prepared (a duplicate within the batch is seen here).
        self.reading: set[str] = set()
        # Comment ids of this run that are published, for --moderate.
        self.published = array("q")

    # ---- records in -------------------------------------------------------------------------------------------

    def add(self, record: Record) -> None:
        if isinstance(record, CommentRecord):
            self.pending[record.thread_source_id].append(record)
        elif isinstance(record, ThreadRecord):
            if record.source_id in self.threads_read or record.source_id in self.threads_done:
                self.report.notes.add(f"thread {record.source_id}", "appears twice in the file; the first is kept")
            else:
                self.threads_read[record.source_id] = record
        elif isinstance(record, ThreadEnd):
            self._complete(record.source_id)
        elif isinstance(record, Problem):
            self.report.skipped.add(record.what, record.reason, "unreadable")
        elif isinstance(record, Origin):
            self.native = hmac.compare_digest(record.token, origin(self.site))

    def finish(self) -> None:
        for source_id in list(self.pending):
            self._complete(source_id)
        self._batch()
        self.report.threads_without_comments += len(self.threads_read)
        self.threads_read.clear()
        self.background.wait()
        recount_threads(self.touched)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def close(self) -> None:
        """Wait for the write in flight (the transaction ends after it, committed or rolled back)."""
        self.background.close()

    def _complete(self, source_id: str) -> None:
        """Every comment of this thread has been read."""
        comments = self.pending.pop(source_id, None)
        if not comments:
            # Not remembered as done: nothing of it was written, so a later item with its id is taken as new.
            if self.threads_read.pop(source_id, None) is not None:
                self.report.threads_without_comments += 1
            return
        self.ready.append((source_id, comments))
        self.ready_comments += len(comments)
        if self.ready_comments >= BATCH:
            self._batch()

    # ---- one batch of threads ---------------------------------------------------------------------------------

    def _batch(self) -> None:
        ready, self.ready, self.ready_comments = self.ready, [], 0
        if not ready:
            return
        # Reading and converting first: on PostgreSQL the previous batch is being written meanwhile.
        threads: list[tuple[str, ThreadRecord | None, list[CommentRecord], list[dict[str, Any]]]] = []
        for source_id, comments in ready:
            record = self.threads_read.pop(source_id, None)
            self.threads_done.add(source_id)
            rows = [row for row in (self._prepare(comment) for comment in comments) if row is not None]
            threads.append((source_id, record, comments, rows))
        self.reading.clear()
        self.background.wait()
        known = self._known([row["sid"] for *_, rows in threads for row in rows])
        self._look_up_commenters({(row["author_name"], row["author_email"]) for *_, rows in threads for row in rows})
        mapped = dict(
            _chunked(
                lambda chunk: ImportedThread.objects.filter(site=self.site, source=self.source, source_id__in=chunk)
                .values_list("source_id", "thread_id"),
                [source_id[:255] for source_id, *_ in threads],
            )
        )  # fmt: skip
        # Where each new source thread goes: its key and URL (None: it has neither), and the site's threads by key.
        places = {source_id: _place(record) for source_id, record, *_ in threads
                  if record is not None and source_id[:255] not in mapped}  # fmt: skip
        keys: dict[str, int] = dict(
            _chunked(
                lambda chunk: Thread.objects.filter(site=self.site, key__in=chunk).values_list("key", "pk"),
                sorted({place[0] for place in places.values() if place is not None}),
            )
        )
        for source_id, record, comments, rows in threads:
            thread_id = self._thread_id(source_id, record, comments, mapped, keys, places.get(source_id))
            if thread_id is None:
                continue
            self.touched.add(thread_id)
            rows = [row for row in rows if row["sid"] not in known or known[row["sid"]] is not None]
            if rows:
                self._thread(rows, thread_id, known)
        self._flush()

    def _known(self, sids: list[str]) -> dict[str, _Known | None]:
        """What Parvis has of these source ids: a ``_Known``, or None for a duplicate (reported here)."""
        known: dict[str, _Known | None] = {}
        found = _chunked(
            lambda chunk: ImportedComment.objects.filter(site=self.site, source=self.source, source_id__in=chunk)
            .values_list("source_id", "comment_id", "digest", "pk"),
            sids,
        )  # fmt: skip
        for sid, comment_id, digest, pk in found:
            if pk <= self.last_mapping:
                bit = pk - self.first_mapping
                if not self.met[bit >> 3] & (1 << (bit & 7)):
                    self.met[bit >> 3] |= 1 << (bit & 7)
                    known[sid] = _Known(comment_id, digest, pk)
                    continue
            known[sid] = None
            self.report.skipped.add(
                f"comment {sid}", "the same id appears earlier in the file; the first is kept", "duplicate id"
            )
        if self.native:
            numbers = [int(sid) for sid in sids if sid not in known and sid.isdigit() and len(sid) < 19]
            own = _chunked(
                lambda chunk: Comment.objects.filter(thread__site=self.site, pk__in=chunk).values_list(
                    "pk", "thread_id", "parent_id", "author_name", "commenter__email", "author_website",
                    "body_markdown", "status", "created_at", "upvotes", "downvotes"),
                numbers,
            )  # fmt: skip
            for pk, thread_id, parent_id, name, email, website, markdown, status, created, up, down in own:
                digest = _digest(thread_id, parent_id, name, email or "", website, markdown, status, created, up, down)
                known[str(pk)] = _Known(pk, digest, None)
        return known

    def _look_up_commenters(self, pairs: set[tuple[str, str]]) -> None:
        if len(self.commenters) > COMMENTERS:
            self.commenters.clear()
        emails = sorted({email for name, email in pairs if email and (name, email) not in self.commenters})
        found = _chunked(
            lambda chunk: Commenter.objects.filter(site=self.site, verified=False, email__in=chunk)
            .values_list("name", "email", "pk"),
            emails,
        )  # fmt: skip
        for name, email, pk in found:
            self.commenters.setdefault((name, email), pk)

    def _thread(self, rows: list[dict[str, Any]], thread_id: int, known: dict[str, _Known | None]) -> None:
        form = shape([(row["sid"], row["parent_sid"]) for row in rows])
        for sid, named in form.orphans:
            self.report.orphans.add(f"comment {sid}", f"its parent {named} is not in the thread (or was skipped)")
        for cycle in form.cycles:
            self.report.cycles.add(
                f"comment {cycle[0]}", "parents form a cycle (" + " → ".join([*cycle, cycle[0]]) + "); made top level"
            )
        by_sid = {row["sid"]: row for row in rows}
        fresh = sorted((row for row in rows if row["sid"] not in known), key=lambda row: row["created_at"])
        for row, pk in zip(fresh, self.ids.take(Comment, len(fresh)), strict=True):
            row["id"] = pk
        for row in rows:
            if "id" not in row:
                row["id"] = known[row["sid"]].comment_id  # type: ignore[union-attr]
        for sid in form.order:
            row = by_sid[sid]
            parent, root = form.parent[sid], form.root[sid]
            row["parent_id"] = by_sid[parent]["id"] if parent else None
            row["root_id"] = by_sid[root]["id"] if root else None
            row["depth"] = form.depth[sid]
            self._emit(row, thread_id, known.get(sid))

    def _thread_id(
        self,
        source_id: str,
        record: ThreadRecord | None,
        comments: list[CommentRecord],
        mapped: dict[str, int],
        keys: dict[str, int],
        place: tuple[str, str | None] | None,
    ) -> int | None:
        """The Parvis thread of a source thread: ``mapped`` (by an earlier run or batch), else the site's thread of
        its key (``keys``: the site's and this batch's), else a new one."""
        known = mapped.get(source_id[:255])
        if known is not None:
            if record is not None:
                self._refresh_thread(known, record)
            self.report.threads_updated += 1
            return known
        if record is None:
            for comment in comments:
                self.report.skipped.add(
                    f"comment {comment.source_id}", f"its thread {source_id} is not in the file", "thread not in file"
                )
            return None
        if place is None:
            for comment in comments:
                self.report.skipped.add(
                    f"comment {comment.source_id}",
                    f"its thread {source_id} has neither an id nor an http(s) URL to key it",
                    "thread without key",
                )
            return None
        key, url = place
        existing = keys.get(key)
        if existing is not None:
            self._refresh_thread(existing, record)
            self.report.threads_updated += 1
            thread_id = existing
        else:
            (thread_id,) = self.ids.take(Thread, 1)
            self.new_threads.add(id=thread_id, site_id=self.site.pk, key=key, url=url or "",
                                 title=_line(record.title, TITLE_MAX), is_closed=record.is_closed,
                                 created_at=self.now)  # fmt: skip
            self.report.threads_new += 1
        keys[key] = thread_id
        mapped[source_id[:255]] = thread_id
        self.new_thread_maps.add(site_id=self.site.pk, source=self.source, source_id=source_id[:255],
                                 thread_id=thread_id)  # fmt: skip
        return thread_id

    def _refresh_thread(self, thread_id: int, record: ThreadRecord) -> None:
        """A thread already in Parvis keeps what it has; the source fills what is missing (a title, a URL)."""
        title = _line(record.title, TITLE_MAX)
        url = canonical_url(record.url) if record.url else None
        changes: dict[str, Any] = {}
        if title:
            changes["title"] = title
        if url and len(url) <= MAX_URL_LENGTH:
            changes["url"] = url
        for name, value in changes.items():
            Thread.objects.filter(pk=thread_id, **{name: ""}).update(**{name: value})

    # ---- one comment ------------------------------------------------------------------------------------------

    def _prepare(self, record: CommentRecord) -> dict[str, Any] | None:
        sid = record.source_id[:255]
        what = f"comment {sid}"
        if sid in self.reading:
            self.report.skipped.add(what, "the same id appears earlier in the file; the first is kept", "duplicate id")
            return None
        self.reading.add(sid)
        if record.is_ping and not self.keep_pings:
            self.report.skipped.add(what, "a pingback or trackback (import them with --pings)", "pingback/trackback")
            return None
        if len(record.body) > MAX_BODY:
            self.report.skipped.add(
                what, f"{len(record.body):,} characters, more than the {MAX_BODY:,} an import accepts", "too long"
            )
            return None
        for note in record.notes:
            self.report.notes.add(what, note)
        created: datetime | None = record.created_at
        if created is None:
            self.report.notes.add(what, "no readable date; dated at the time of the import")
            created = self.now
        markdown, html = bodies.prepare(record.body, record.body_format)
        # A removed comment may have lost its text and still hold its replies in place; a visible one needs words.
        if not markdown and record.status in (Status.APPROVED, Status.PENDING):
            self.report.skipped.add(what, "no text", "empty")
            return None
        up, down = max(record.upvotes, 0), max(record.downvotes, 0)
        row: dict[str, Any] = {
            "sid": sid,
            "parent_sid": record.parent_source_id[:255] if record.parent_source_id else None,
            "author_name": _line(record.author_name, NAME_MAX),
            "author_email": _email(record.author_email),
            "author_website": _website(record.author_website),
            "body_markdown": markdown,
            "body_html": html,
            "status": record.status,
            "created_at": created,
            "upvotes": up,
            "downvotes": down,
            "score": up - down,
            "rank": wilson_lower_bound(up, down),
            "language": record.language[:8],
            "edited_at": record.edited_at,
            "pinned": record.pinned,
            "editors_pick": record.editors_pick,
            "anchor_exact": record.anchor_exact,
            "anchor_prefix": record.anchor_prefix[:64],
            "anchor_suffix": record.anchor_suffix[:64],
        }
        return row

    def _commenter(self, name: str, email: str) -> int | None:
        """Comments with the same name and email share a commenter, as when they post; none without an email."""
        if not email:
            return None
        found = self.commenters.get((name, email))
        if found is None:
            (found,) = self.ids.take(Commenter, 1)
            self.new_commenters.add(id=found, site_id=self.site.pk, name=name, email=email, created_at=self.now)
            self.commenters[(name, email)] = found
        return found

    def _emit(self, row: dict[str, Any], thread_id: int, known: _Known | None) -> None:
        digest = _digest(
            thread_id, row["parent_id"], row["author_name"], row["author_email"], row["author_website"],
            row["body_markdown"], row["status"], row["created_at"], row["upvotes"], row["downvotes"],
        )  # fmt: skip
        if known is not None and known.mapping_id is None:
            # The site's own comment, met in its own export: mapped from now on, like any source's.
            self.new_maps.add(site_id=self.site.pk, source=self.source, source_id=row["sid"], comment_id=row["id"],
                              digest=digest)  # fmt: skip
        if known is not None and known.digest == digest:
            self.report.comments_unchanged += 1
            return
        if row["status"] == Status.APPROVED and self.collect_published:
            self.published.append(row["id"])
        if known is not None:
            fields = {name: row[name] for name in _UPDATED_FIELDS if name not in ("thread", "parent", "root")}
            self.changed.append(Comment(id=row["id"], thread_id=thread_id, parent_id=row["parent_id"],
                                        root_id=row["root_id"], **fields))  # fmt: skip
            if known.mapping_id is not None:
                self.changed_maps.append(ImportedComment(id=known.mapping_id, digest=digest))
            self.report.comments_updated += 1
            return
        self.new_comments.add(
            id=row["id"], thread_id=thread_id, parent_id=row["parent_id"], root_id=row["root_id"], depth=row["depth"],
            commenter_id=self._commenter(row["author_name"], row["author_email"]), author_name=row["author_name"],
            author_website=row["author_website"], body_markdown=row["body_markdown"], body_html=row["body_html"],
            status=row["status"], language=row["language"], created_at=row["created_at"], edited_at=row["edited_at"],
            upvotes=row["upvotes"], downvotes=row["downvotes"], score=row["score"], rank=row["rank"],
            pinned=row["pinned"], editors_pick=row["editors_pick"], anchor_exact=row["anchor_exact"],
            anchor_prefix=row["anchor_prefix"], anchor_suffix=row["anchor_suffix"],
        )  # fmt: skip
        self.new_maps.add(site_id=self.site.pk, source=self.source, source_id=row["sid"], comment_id=row["id"],
                          digest=digest)  # fmt: skip
        self.report.comments_new += 1

    # ---- out to the database ----------------------------------------------------------------------------------

    def _flush(self) -> None:
        # In this order, so that what a row refers to is written before it (PostgreSQL checks foreign keys as each
        # statement ends during an import; SQLite at commit); replies of a batch come in the same COPY as their
        # parents, which is enough: the check runs when the statement ends.
        self.background.write(
            [self.new_commenters, self.new_threads, self.new_thread_maps, self.new_comments, self.new_maps]
        )
        if self.changed:
            # An updated comment may now answer a new one: after the batch's new rows.
            self.background.wait()
            Comment.objects.bulk_update(self.changed, _UPDATED_FIELDS, batch_size=500)
            ImportedComment.objects.bulk_update(self.changed_maps, ["digest"], batch_size=500)
            self.changed.clear()
            self.changed_maps.clear()


def recount_threads(thread_ids: Iterable[int]) -> None:
    """Published counts and last-comment dates of these threads, from the comment rows themselves (what the
    comment actions keep up one comment at a time), in one query per 500 threads. The importer runs it after
    writing; so does the scale benchmark's generator. Their comments were written without ``save()``, so this also
    raises the threads' versions: pages kept of them are out of date (parvis.threads.versions)."""
    touched = sorted(thread_ids)
    for start in range(0, len(touched), _COUNT_CHUNK):
        published = Comment.objects.filter(thread=OuterRef("pk"), status=Status.APPROVED)
        counted = published.order_by().values("thread").annotate(n=Count("pk")).values("n")
        latest = published.order_by().values("thread").annotate(last=Max("created_at")).values("last")
        Thread.objects.filter(pk__in=touched[start : start + _COUNT_CHUNK]).update(
            comment_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
            last_comment_at=Subquery(latest),
            version=F("version") + 1,
        )
