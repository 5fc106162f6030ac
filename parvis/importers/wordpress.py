"""WordPress WXR exports (Tools → Export), wpDiscuz included: its comments are WordPress comments, its votes
are in each comment's commentmeta.

A post (or page) is a thread keyed by its permalink (``<link>``); its comments carry their parent's id (0: none),
an approval status (1, 0, spam, trash), the author's name, email and website, and a GMT date. Pingbacks and
trackbacks are flagged (the writer skips them unless asked). WordPress comment ids are unique in one blog, but
exports merged from several blogs repeat them, so a comment's source id is its post's id and its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Generator, Iterator
from typing import IO
from xml.etree.ElementTree import Element

from parvis.comments.models import Status
from parvis.importers import dates
from parvis.importers.records import CommentRecord, Problem, Record, ThreadEnd, ThreadRecord
from parvis.importers.safexml import child_text, local, stream

_STATUS = {"1": Status.APPROVED, "approve": Status.APPROVED, "0": Status.PENDING, "hold": Status.PENDING,
           "spam": Status.SPAM, "trash": Status.REJECTED, "post-trashed": Status.REJECTED}  # fmt: skip
PINGS = ("pingback", "trackback")
# wpDiscuz's like/dislike split is a PHP-serialized array: a:2:{s:4:"like";i:3;s:7:"dislike";i:-1;}
_PHP_COUNT = re.compile(r's:\d+:"(like|dislike)";i:(-?\d+);')


def _votes(meta: dict[str, str]) -> tuple[int, int]:
    split = {name: int(count) for name, count in _PHP_COUNT.findall(meta.get("wpdiscuz_votes_seperate", ""))}
    if split:
        # wpDiscuz counts dislikes as negative numbers.
        return max(split.get("like", 0), 0), abs(split.get("dislike", 0))
    try:
        net = int(meta.get("wpdiscuz_votes", "0") or 0)
    except ValueError:
        return 0, 0
    return max(net, 0), max(-net, 0)


class WordPressSource:
    name = "wordpress"

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file

    def records(self) -> Iterator[Record]:
        # Comments are taken one by one as they end, not with their post: a post with a million comments is no
        # more memory than one with ten. WXR writes a post's fields before its comments.
        thread_id: str | None = None
        for depth, element, parent in stream(self.file, {2: {"item"}, 3: {"comment"}}):
            if depth == 3:
                if parent is None or local(parent.tag) != "item":
                    continue
                if thread_id is None:
                    thread_id = yield from self._thread(parent)
                if thread_id:
                    record = self._comment(element, thread_id)
                    yield record if record is not None else Problem(f"a comment of post {thread_id}", "no comment_id")
            else:
                if thread_id:
                    yield ThreadEnd(thread_id)
                thread_id = None

    def _thread(self, item: Element) -> Generator[Record, None, str]:
        """The thread of a post (read at its first comment); "" when the post cannot key one."""
        post_id = child_text(item, "post_id")
        link = child_text(item, "link") or child_text(item, "guid")
        thread_id = post_id or link
        if not thread_id:
            yield Problem(f"post {child_text(item, 'title')!r}", "no post id and no link: its comments were skipped")
            return ""
        yield ThreadRecord(
            source_id=thread_id,
            key="",
            url=link,
            title=html.unescape(child_text(item, "title")),
            is_closed=child_text(item, "comment_status") == "closed",
        )
        return thread_id

    def _comment(self, element: Element, thread_id: str) -> CommentRecord | None:
        fields: dict[str, str] = {}
        meta: dict[str, str] = {}
        for child in element:
            name = local(child.tag)
            if name == "commentmeta":
                meta[child_text(child, "meta_key")] = child_text(child, "meta_value")
            else:
                fields[name] = (child.text or "").strip()
        comment_id = fields.get("comment_id", "")
        if not comment_id:
            return None
        notes: list[str] = []
        created = dates.sql_utc(fields.get("comment_date_gmt", ""))
        if created is None and fields.get("comment_date"):
            created = dates.sql_utc(fields["comment_date"])
            if created is not None:
                notes.append("no GMT date; its local date was taken as UTC")
        approved = fields.get("comment_approved", "1")
        status = _STATUS.get(approved)
        if status is None:
            notes.append(f"unknown approval status {approved!r}; imported as pending")
            status = Status.PENDING
        parent = fields.get("comment_parent", "0")
        up, down = _votes(meta)
        return CommentRecord(
            source_id=f"{thread_id}/{comment_id}",
            thread_source_id=thread_id,
            parent_source_id=f"{thread_id}/{parent}" if parent not in ("", "0") else None,
            body=fields.get("comment_content", ""),
            body_format="html",
            status=status,
            created_at=created,
            author_name=html.unescape(fields.get("comment_author", "")),
            author_email=fields.get("comment_author_email", ""),
            author_website=fields.get("comment_author_url", ""),
            upvotes=up,
            downvotes=down,
            is_ping=fields.get("comment_type", "") in PINGS,
            notes=tuple(notes),
        )
