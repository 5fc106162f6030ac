"""Anonymous thread reads answered from rendered bytes: the read of a viral thread is one indexed lookup of the
thread row, not a tree built and validated again for every reader.

A page is kept under the thread's version (parvis.threads.versions), which every change a read shows raises in
its own transaction, so a kept page is never out of date, whichever process or machine made the change, and
nothing has to be told to forget anything. Its ETag is derived from the same key, so a revalidation that still
matches answers 304 before any page is looked up. Reads that carry a reader's own tokens are personal and built
each time. Each server process keeps the PARVIS_THREAD_PAGES pages read most recently.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from importlib.metadata import version
from typing import Generic, TypeVar

from parvis import conf
from parvis.threads.models import Thread

K = TypeVar("K")
V = TypeVar("V")


@lru_cache(maxsize=1)
def _format() -> str:
    """What the pages' bytes depend on besides the data: Parvis's release and the page's schema (a deploy that
    changes the answer's shape does not serve pages rendered by the release before)."""
    from parvis.api.schemas import ThreadPage

    schema = json.dumps(ThreadPage.model_json_schema(), sort_keys=True)
    return f"{version('parvis')}.{hashlib.blake2b(schema.encode(), digest_size=6).hexdigest()}"


def page_key(thread: Thread, sort: str, limit: int, cursor: str | None) -> str:
    # created_at tells apart a thread deleted and another one created later under the same primary key.
    born = thread.created_at.timestamp() if thread.created_at else 0
    return f"{_format()}:{thread.pk}:{born}:{thread.version}:{sort}:{limit}:{cursor or ''}"


def etag(key: str) -> str:
    # Weak: two processes rendering the same version may differ in `decided` (the newest decision anywhere).
    return f'W/"{hashlib.blake2b(key.encode(), digest_size=12).hexdigest()}"'


class LeastRecentlyRead(Generic[K, V]):
    """A map that forgets the entries read least recently past ``capacity``, shared by a process's threads."""

    def __init__(self) -> None:
        self.entries: OrderedDict[K, V] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key: K, value: V, capacity: int) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > capacity:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_pages: LeastRecentlyRead[str, bytes] = LeastRecentlyRead()


def rendered(key: str, render: Callable[[], bytes]) -> bytes:
    """The page's bytes, rendered by ``render`` only when this process has not kept them."""
    body = _pages.get(key)
    if body is None:
        body = render()
        if conf.thread_pages():
            _pages.put(key, body, conf.thread_pages())
    return body


def forget_all() -> None:
    """Drop every kept page (tests; a page is never wrong, only unused, so nothing else needs this)."""
    _pages.clear()
