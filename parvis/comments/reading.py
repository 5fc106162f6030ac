"""Reading a thread: one page of top-level comments with their whole reply trees, in three queries.

Pagination is by offset within a snapshot: the cursor remembers the highest comment id seen when the
first page was read, so comments posted meanwhile do not shift later pages (the reader sees them on
reload or through live updates instead).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Case, Exists, Max, OuterRef, Q, QuerySet, Value, When

from parvis.comments.models import Comment, Status
from parvis.comments.tokens import token_hash
from parvis.core.exceptions import Code, ProblemError
from parvis.threads.models import Thread

MAX_PAGE = 100
REMOVED = (Status.DELETED, Status.REJECTED, Status.SPAM)
MAX_OWN_TOKENS = 50


class Sort(StrEnum):
    OLDEST = "oldest"
    NEWEST = "newest"
    BEST = "best"


_ORDER = {
    Sort.OLDEST: ("created_at", "id"),
    Sort.NEWEST: ("-created_at", "-id"),
    Sort.BEST: ("-rank", "-score", "created_at", "id"),
}


# Pinned comments head their thread (and a pinned reply its siblings) whatever the sort; only while published, so a
# pinned comment removed since keeps its place as a placeholder instead of heading the thread.
PINNED_FIRST = Case(When(pinned=True, status=Status.APPROVED, then=Value(0)), default=Value(1))


@dataclass
class Node:
    comment: Comment
    own: bool = False
    replies: list[Node] = field(default_factory=list)


@dataclass
class Page:
    thread: Thread
    nodes: list[Node]
    top_level_total: int
    next_cursor: str | None
    # The newest comment id when the first page was read: live updates start after it.
    latest: int
    # The newest moderation decision id before this page was read: live updates report the comments decided
    # after it (published late by a moderator, or taken down).
    decided: int = 0


@dataclass(frozen=True)
class Cursor:
    offset: int
    snapshot: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.offset}.{self.snapshot}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
            offset_text, snapshot_text = raw.split(".")
            cursor = cls(int(offset_text), int(snapshot_text))
        except (ValueError, binascii.Error, UnicodeDecodeError) as error:
            raise ProblemError(Code.INVALID_CURSOR, field="cursor") from error
        if not (0 <= cursor.offset < 2**31 and 0 <= cursor.snapshot < 2**63):
            raise ProblemError(Code.INVALID_CURSOR, field="cursor")
        return cursor


# What a comment's author line shows besides the snapshot name: the commenter's badge and verification, and whether
# they wrote the article (the thread's author), joined in the same query.
AUTHOR = ("commenter", "thread")


def _visible(queryset: QuerySet[Comment], own_hashes: list[str]) -> QuerySet[Comment]:
    """Approved comments, removed ones that still have published replies (shown as placeholders so the
    conversation keeps its shape), and the reader's own comments that are held or were removed (so the author
    sees what happened to them, and why)."""
    live_children = Comment.objects.filter(parent=OuterRef("pk"), status=Status.APPROVED)
    condition = Q(status=Status.APPROVED) | Q(Q(status__in=REMOVED) & Exists(live_children))
    if own_hashes:
        condition |= Q(status__in=[Status.PENDING, Status.REJECTED, Status.SPAM], edit_token_hash__in=own_hashes)
    return queryset.filter(condition).select_related(*AUTHOR)


def read_page(thread: Thread, sort: Sort, limit: int, cursor: str | None, own_tokens: Iterable[str] = ()) -> Page:
    own_hashes = [token_hash(token) for token in list(own_tokens)[:MAX_OWN_TOKENS] if token]
    position = Cursor.decode(cursor) if cursor else None
    decided = newest_decision()  # before reading: a decision taken while reading is reported later, not lost
    top = _visible(Comment.objects.filter(thread=thread, parent__isnull=True), own_hashes)
    if position is None:
        snapshot = Comment.objects.filter(thread=thread).order_by("-id").values_list("id", flat=True).first() or 0
        position = Cursor(0, snapshot)
    top = top.filter(id__lte=position.snapshot)
    total = top.count()
    page = list(top.order_by(PINNED_FIRST, *_ORDER[sort])[position.offset : position.offset + limit])
    replies = (
        list(
            _visible(Comment.objects.filter(root__in=[c.pk for c in page]), own_hashes)
            .filter(id__lte=position.snapshot)
            .order_by(PINNED_FIRST, "created_at", "id")
        )
        if page
        else []
    )
    nodes = _tree(page, replies, set(own_hashes))
    following = position.offset + len(page)
    next_cursor = Cursor(following, position.snapshot).encode() if following < total else None
    return Page(
        thread=thread,
        nodes=nodes,
        top_level_total=total,
        next_cursor=next_cursor,
        latest=position.snapshot,
        decided=decided,
    )


def _tree(top: list[Comment], replies: list[Comment], own_hashes: set[str]) -> list[Node]:
    nodes = {c.pk: Node(c, own=c.edit_token_hash in own_hashes) for c in [*top, *replies]}
    for reply in replies:
        parent = nodes.get(reply.parent_id)  # type: ignore[arg-type]
        # A reply whose parent is hidden (rejected, or deleted without other replies) is hidden with it.
        if parent is not None:
            parent.replies.append(nodes[reply.pk])
    return [nodes[c.pk] for c in top]


def published_after(thread: Thread, after: int, limit: int = MAX_PAGE) -> list[Comment]:
    """Published comments newer than ``after`` (live updates), oldest first."""
    found = Comment.objects.filter(thread=thread, status=Status.APPROVED, id__gt=after).select_related(*AUTHOR)
    return list(found.order_by("id")[:limit])


def newest_decision() -> int:
    """The newest moderation decision id anywhere (the primary key's index answers it at once)."""
    from parvis.moderation.models import Decision  # moderation depends on comments, not the reverse

    return int(Decision.objects.aggregate(newest=Max("pk"))["newest"] or 0)


@dataclass
class Changes:
    """What the moderation changed in a thread after a reader's `decided` cursor."""

    published: list[Comment]
    removed: list[int]
    decided: int


def decided_after(thread: Thread, after: int, decided: int, limit: int = MAX_PAGE) -> Changes:
    """Comments of ``thread`` with a decision newer than ``decided``: those now published with an id the reader
    already passed (a held comment a moderator approved; newer ones come through `published_after`), and those no
    longer published (rejected, marked as spam, held again, deleted), which an open page takes down.

    At most ``limit`` decisions are looked at; the cursor returned says where the next call goes on.
    """
    from parvis.moderation.models import Decision

    upto = newest_decision()
    rows = list(
        Decision.objects.filter(comment__thread=thread, pk__gt=decided, pk__lte=upto)
        .order_by("pk")
        .values_list("pk", "comment_id")[:limit]
    )
    cursor = rows[-1][0] if len(rows) == limit else max(upto, decided)
    ids = {comment_id for _, comment_id in rows}
    comments = Comment.objects.filter(pk__in=ids).select_related(*AUTHOR).order_by("id") if ids else []
    published = [c for c in comments if c.status == Status.APPROVED and c.pk <= after]
    removed = [c.pk for c in comments if c.status != Status.APPROVED]
    return Changes(published=published, removed=removed, decided=cursor)
