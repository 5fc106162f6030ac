"""A site's threads and comments as a stream of text: Parvis JSON (everything, to import again) or WordPress WXR.

Two queries whatever the size (threads, then comments in thread order, both read with ``iterator``), written as
they are read: the command writes the chunks to a file, the admin action streams them to the browser.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import groupby
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone

from parvis.comments.models import Comment, Status
from parvis.core.models import Site
from parvis.importers.parvis_json import FORMAT, VERSION, origin
from parvis.threads.models import Thread

FORMATS = ("json", "wxr")
_WXR_STATUS = {Status.APPROVED: "1", Status.PENDING: "0", Status.SPAM: "spam", Status.REJECTED: "trash",
               Status.DELETED: "trash"}  # fmt: skip
_FIELDS = ("id", "thread_id", "parent_id", "status", "created_at", "edited_at", "author_name", "author_website",
           "commenter__email", "body_markdown", "body_html", "language", "upvotes", "downvotes", "pinned",
           "editors_pick", "anchor_exact", "anchor_prefix", "anchor_suffix")  # fmt: skip


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _threads(site: Site, thread_ids: Iterable[int] | None) -> Iterator[tuple[Thread, list[dict[str, Any]]]]:
    """Each thread of the site (or of ``thread_ids``) with its comments, oldest first."""
    threads = Thread.objects.filter(site=site).order_by("id")
    comments = Comment.objects.filter(thread__site=site).order_by("thread_id", "created_at", "id")
    if thread_ids is not None:
        wanted = list(thread_ids)
        threads, comments = threads.filter(id__in=wanted), comments.filter(thread_id__in=wanted)
    grouped = groupby(comments.values(*_FIELDS).iterator(chunk_size=2000), key=lambda row: row["thread_id"])
    current = next(grouped, None)
    for thread in threads.iterator(chunk_size=2000):
        rows: list[dict[str, Any]] = []
        while current is not None and current[0] <= thread.pk:
            if current[0] == thread.pk:
                rows = list(current[1])
            current = next(grouped, None)
        yield thread, rows


def _json_comment(row: dict[str, Any]) -> dict[str, Any]:
    anchor = ({"exact": row["anchor_exact"], "prefix": row["anchor_prefix"], "suffix": row["anchor_suffix"]}
              if row["anchor_exact"] else None)  # fmt: skip
    return {
        "id": row["id"],
        "parent": row["parent_id"],
        "status": row["status"],
        "created_at": _iso(row["created_at"]),
        "edited_at": _iso(row["edited_at"]),
        "author": {"name": row["author_name"], "email": row["commenter__email"] or "",
                   "website": row["author_website"]},
        "body_markdown": row["body_markdown"],
        "body_html": row["body_html"],
        "language": row["language"],
        "upvotes": row["upvotes"],
        "downvotes": row["downvotes"],
        "pinned": row["pinned"],
        "editors_pick": row["editors_pick"],
        "anchor": anchor,
    }  # fmt: skip


def as_json(site: Site, thread_ids: Iterable[int] | None = None) -> Iterator[str]:
    """The Parvis export: a header, then one thread per line (with its comments)."""
    header = {"format": FORMAT, "version": VERSION, "exported_at": _iso(timezone.now()), "origin": origin(site),
              "site": {"slug": site.slug, "name": site.name, "default_language": site.default_language}}  # fmt: skip
    yield json.dumps(header, ensure_ascii=False)[:-1] + ', "threads": [\n'
    separator = ""
    for thread, rows in _threads(site, thread_ids):
        data = {"id": thread.pk, "key": thread.key, "url": thread.url, "title": thread.title,
                "is_closed": thread.is_closed, "created_at": _iso(thread.created_at),
                "comments": [_json_comment(row) for row in rows]}  # fmt: skip
        yield separator + json.dumps(data, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _wxr_comment(row: dict[str, Any]) -> str:
    created = row["created_at"]
    utc = created.astimezone(UTC) if created else None
    date = utc.strftime("%Y-%m-%d %H:%M:%S") if utc else "0000-00-00 00:00:00"
    meta = ""
    if row["upvotes"] or row["downvotes"]:
        votes = f'a:2:{{s:4:"like";i:{row["upvotes"]};s:7:"dislike";i:-{row["downvotes"]};}}'
        meta = (f"\n\t\t\t<wp:commentmeta><wp:meta_key>wpdiscuz_votes</wp:meta_key>"
                f"<wp:meta_value>{row['upvotes'] - row['downvotes']}</wp:meta_value></wp:commentmeta>"
                f"\n\t\t\t<wp:commentmeta><wp:meta_key>wpdiscuz_votes_seperate</wp:meta_key>"
                f"<wp:meta_value>{_cdata(votes)}</wp:meta_value></wp:commentmeta>")  # fmt: skip
    return (
        "\t\t<wp:comment>\n"
        f"\t\t\t<wp:comment_id>{row['id']}</wp:comment_id>\n"
        f"\t\t\t<wp:comment_author>{_cdata(row['author_name'])}</wp:comment_author>\n"
        f"\t\t\t<wp:comment_author_email>{escape(row['commenter__email'] or '')}</wp:comment_author_email>\n"
        f"\t\t\t<wp:comment_author_url>{escape(row['author_website'])}</wp:comment_author_url>\n"
        f"\t\t\t<wp:comment_date>{date}</wp:comment_date>\n"
        f"\t\t\t<wp:comment_date_gmt>{date}</wp:comment_date_gmt>\n"
        f"\t\t\t<wp:comment_content>{_cdata(row['body_html'])}</wp:comment_content>\n"
        f"\t\t\t<wp:comment_approved>{_WXR_STATUS.get(row['status'], '0')}</wp:comment_approved>\n"
        "\t\t\t<wp:comment_type>comment</wp:comment_type>\n"
        f"\t\t\t<wp:comment_parent>{row['parent_id'] or 0}</wp:comment_parent>{meta}\n"
        "\t\t</wp:comment>\n"
    )


def as_wxr(site: Site, thread_ids: Iterable[int] | None = None) -> Iterator[str]:
    """A WXR 1.2 file WordPress (and Parvis) can import: one item per thread, its comments with their parents."""
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
           f"\t<title>{escape(site.name)}</title>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n")  # fmt: skip
    for thread, rows in _threads(site, thread_ids):
        link = thread.url or thread.key
        yield (
            "\t<item>\n"
            f"\t\t<title>{escape(thread.title)}</title>\n"
            f"\t\t<link>{escape(link)}</link>\n"
            f"\t\t<wp:post_id>{thread.pk}</wp:post_id>\n"
            f"\t\t<wp:comment_status>{'closed' if thread.is_closed else 'open'}</wp:comment_status>\n"
            "\t\t<wp:post_type>post</wp:post_type>\n"
        )
        for row in rows:
            yield _wxr_comment(row)
        yield "\t</item>\n"
    yield "</channel>\n</rss>\n"


def export(site: Site, format: str, thread_ids: Iterable[int] | None = None) -> Iterator[str]:
    return as_wxr(site, thread_ids) if format == "wxr" else as_json(site, thread_ids)
