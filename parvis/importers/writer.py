"""Writing records into Parvis in large batches: the part every format shares, designed for speed.

Per comment there is no query and no model save: parents are resolved in memory by source id (``tree.py``),
ids are taken in advance (``ids.py``) so replies can name their parents before anything is written, bodies are
rendered once here, and rows go out with ``bulk_create`` a few thousand at a time. No signal, no moderation, no
email, no subscription is set off. Thread counts are recomputed at the end, in one query per 500 threads,
from what is in the database (imported comments and any that were there before).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db.models import Count, F, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from parvis.accounts.models import Commenter
from parvis.comments.models import Comment, Status
from parvis.comments.ranking import wilson_lower_bound
from parvis.core.exceptions import ProblemError
from parvis.core.models import Site
from parvis.core.text import clean_line
from parvis.importers import bodies
from parvis.importers.bulk import Rows
from parvis.importers.ids import IdReserver
from parvis.importers.models import ImportedComment, ImportedThread
from parvis.importers.records import CommentRecord, Problem, Record, ThreadEnd, ThreadRecord
from parvis.importers.report import Report
from parvis.importers.tree import shape
from parvis.threads.keys import MAX_URL_LENGTH, canonical_url, thread_key
from parvis.threads.models import Thread

BATCH = 5000
# Longer bodies are skipped and reported: no reader ever wrote them (the API takes at most 20,000 characters).
MAX_BODY = 100_000
NAME_MAX, EMAIL_MAX, WEBSITE_MAX, TITLE_MAX = 64, 254, 512, 300
_COUNT_CHUNK = 500
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


class Writer:
    """Feed it records with ``add``; ``finish`` writes what is left and puts the thread counts right."""

    def __init__(
        self, site: Site, source: str, report: Report, *, keep_pings: bool = False, collect_published: bool = False
    ) -> None:
        self.site, self.source, self.report, self.keep_pings = site, source, report, keep_pings
        self.collect_published = collect_published
        self.now = timezone.now()
        self.ids = IdReserver()
        self.threads_read: dict[str, ThreadRecord] = {}
        self.pending: dict[str, list[CommentRecord]] = defaultdict(list)
        self.thread_ids: dict[str, int] = dict(
            ImportedThread.objects.filter(site=site, source=source).values_list("source_id", "thread_id")
        )
        self.keys: dict[str, int] = dict(Thread.objects.filter(site=site).values_list("key", "id"))
        # source id → (comment id, digest, mapping id)
        self.known: dict[str, tuple[int, str, int | None]] = {
            sid: (cid, digest, pk)
            for sid, cid, digest, pk in ImportedComment.objects.filter(site=site, source=source).values_list(
                "source_id", "comment_id", "digest", "pk"
            )
        }
        self.commenters: dict[tuple[str, str], int] = {
            (name, email): pk
            for name, email, pk in Commenter.objects.filter(site=site, verified=False)
            .exclude(email="")
            .values_list("name", "email", "pk")
        }
        # Source ids mapped by an earlier run and met again in this one (ids new in this run are told apart by
        # their mapping id, None until written), to see a duplicate without a second set of every id.
        self.seen: set[str] = set()
        self.written_threads: set[str] = set()
        self.touched: set[int] = set()
        self.new_threads = Rows(Thread)
        self.new_thread_maps = Rows(ImportedThread, given_ids=False)
        self.new_commenters = Rows(Commenter)
        self.new_comments = Rows(Comment)
        self.new_maps = Rows(ImportedComment, given_ids=False)
        self.changed: list[Comment] = []
        self.changed_maps: list[ImportedComment] = []
        # Source ids of the thread being prepared (not in ``known`` until it is written).
        self.reading: set[str] = set()
        # Comment ids of this run that are published, for --moderate.
        self.published: list[int] = []

    # ---- records in -------------------------------------------------------------------------------------------

    def add(self, record: Record) -> None:
        if isinstance(record, CommentRecord):
            self.pending[record.thread_source_id].append(record)
        elif isinstance(record, ThreadRecord):
            if record.source_id in self.threads_read or record.source_id in self.written_threads:
                self.report.notes.add(f"thread {record.source_id}", "appears twice in the file; the first is kept")
            else:
                self.threads_read[record.source_id] = record
        elif isinstance(record, ThreadEnd):
            self._thread(record.source_id)
        elif isinstance(record, Problem):
            self.report.skipped.add(record.what, record.reason, "unreadable")

    def finish(self) -> None:
        for source_id in list(self.pending):
            self._thread(source_id)
        self.report.threads_without_comments += len(self.threads_read)
        self.threads_read.clear()
        self._flush()
        recount_threads(self.touched)

    # ---- one thread -------------------------------------------------------------------------------------------

    def _thread(self, source_id: str) -> None:
        comments = self.pending.pop(source_id, [])
        if not comments:
            return
        record = self.threads_read.pop(source_id, None)
        thread_id = self._thread_id(source_id, record, comments)
        if thread_id is None:
            return
        self.written_threads.add(source_id)
        self.touched.add(thread_id)
        rows = [row for row in (self._prepare(comment) for comment in comments) if row is not None]
        self.reading.clear()
        if not rows:
            return
        form = shape([(row["sid"], row["parent_sid"]) for row in rows])
        for sid, named in form.orphans:
            self.report.orphans.add(f"comment {sid}", f"its parent {named} is not in the thread (or was skipped)")
        for cycle in form.cycles:
            self.report.cycles.add(
                f"comment {cycle[0]}", "parents form a cycle (" + " → ".join([*cycle, cycle[0]]) + "); made top level"
            )
        by_sid = {row["sid"]: row for row in rows}
        fresh = sorted((row for row in rows if row["sid"] not in self.known), key=lambda row: row["created_at"])
        for row, pk in zip(fresh, self.ids.take(Comment, len(fresh)), strict=True):
            row["id"] = pk
        for row in rows:
            if "id" not in row:
                row["id"] = self.known[row["sid"]][0]
        for sid in form.order:
            row = by_sid[sid]
            parent, root = form.parent[sid], form.root[sid]
            row["parent_id"] = by_sid[parent]["id"] if parent else None
            row["root_id"] = by_sid[root]["id"] if root else None
            row["depth"] = form.depth[sid]
            self._emit(row, thread_id)
        if len(self.new_comments) + len(self.changed) >= BATCH:
            self._flush()

    def _thread_id(self, source_id: str, record: ThreadRecord | None, comments: list[CommentRecord]) -> int | None:
        known = self.thread_ids.get(source_id)
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
        url = canonical_url(record.url) if record.url else None
        if url is not None and len(url) > MAX_URL_LENGTH:
            url = None
        try:
            # A source "link" that is no URL (an Isso path, a key exported as a WXR link) is the thread's key.
            key = thread_key(record.key or (None if url else record.url.strip()[:512] or None), url)
        except ProblemError:
            for comment in comments:
                self.report.skipped.add(
                    f"comment {comment.source_id}",
                    f"its thread {source_id} has neither an id nor an http(s) URL to key it",
                    "thread without key",
                )
            return None
        existing = self.keys.get(key)
        if existing is not None:
            self._refresh_thread(existing, record)
            self.report.threads_updated += 1
            thread_id = existing
        else:
            (thread_id,) = self.ids.take(Thread, 1)
            self.new_threads.add(id=thread_id, site_id=self.site.pk, key=key, url=url or "",
                                 title=_line(record.title, TITLE_MAX), is_closed=record.is_closed,
                                 created_at=self.now)  # fmt: skip
            self.keys[key] = thread_id
            self.report.threads_new += 1
        self.thread_ids[source_id] = thread_id
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
        earlier = self.known.get(sid)
        if sid in self.seen or (earlier is not None and earlier[2] is None) or sid in self.reading:
            self.report.skipped.add(what, "the same id appears earlier in the file; the first is kept", "duplicate id")
            return None
        if earlier is not None:
            self.seen.add(sid)
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

    def _digest(self, row: dict[str, Any], thread_id: int) -> str:
        parts = [str(thread_id), str(row["parent_id"]), row["author_name"], row["author_email"], row["author_website"],
                 row["body_markdown"], row["status"], row["created_at"].isoformat(), str(row["upvotes"]),
                 str(row["downvotes"])]  # fmt: skip
        return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "replace"), digest_size=16).hexdigest()

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

    def _emit(self, row: dict[str, Any], thread_id: int) -> None:
        digest = self._digest(row, thread_id)
        known = self.known.get(row["sid"])
        if known is not None and known[1] == digest:
            self.report.comments_unchanged += 1
            return
        if row["status"] == Status.APPROVED and self.collect_published:
            self.published.append(row["id"])
        if known is not None:
            fields = {name: row[name] for name in _UPDATED_FIELDS if name not in ("thread", "parent", "root")}
            self.changed.append(Comment(id=row["id"], thread_id=thread_id, parent_id=row["parent_id"],
                                        root_id=row["root_id"], **fields))  # fmt: skip
            self.changed_maps.append(ImportedComment(id=known[2], digest=digest))
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
        self.known[row["sid"]] = (row["id"], digest, None)
        self.report.comments_new += 1

    # ---- out to the database ----------------------------------------------------------------------------------

    def _flush(self) -> None:
        # Parents before children is not needed: foreign keys are checked at commit (deferred) on both databases.
        for rows in (self.new_commenters, self.new_threads, self.new_thread_maps, self.new_comments, self.new_maps):
            rows.write()
        if self.changed:
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
