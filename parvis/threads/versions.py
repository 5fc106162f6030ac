"""A thread's version: a counter raised in the same transaction as every change that a read of the thread shows.

Rendered thread pages are kept under the thread's version (parvis.api.thread_pages), so a read costs one indexed
lookup of the thread row while nothing changed, in every server process and on every machine, and a change is
seen by the next read everywhere without telling any cache. Comments and threads change through ``save()`` (the
signals below raise the version); code that writes them with ``QuerySet.update()`` or bulk inserts calls
``touch`` itself (the importer).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F

from parvis.threads.models import Thread


def touch(thread_ids: Iterable[int]) -> None:
    """Raise the version of these threads: their rendered pages are out of date."""
    ids = sorted({pk for pk in thread_ids if pk is not None})
    if ids:
        Thread.objects.filter(pk__in=ids).update(version=F("version") + 1)


def comment_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """post_save / post_delete of a comment: posted, published, edited, voted on, taken down, erased."""
    if not raw:
        touch([instance.thread_id])


def thread_saved(sender: Any, instance: Thread, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """post_save of a thread (closed, reopened, retitled): a new thread has no rendered page yet."""
    if not created and not raw:
        touch([instance.pk])


def raise_for_commenter(commenter: Any) -> None:
    """A commenter's name, badge or verification changed: every thread showing their comments is out of date."""
    Thread.objects.filter(comments__commenter=commenter).update(version=F("version") + 1)
