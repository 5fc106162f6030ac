"""Anonymous reads of a thread answered at the ASGI door, from the answer Django gave the last identical request.

A viral thread is read by thousands of anonymous readers asking the same page. Django's way through a request
under ASGI (a thread per request, the middleware chain, the view) costs far more than finding out that the
thread has not changed, which is one indexed lookup of its row (its version, see parvis.threads.versions). So
this layer, in front of Django, keeps per process the whole answer Django gave — status, headers and body, after
every middleware — and replays it while the thread's page key (parvis.api.thread_pages) is unchanged and the
request matches the one answered in everything the answer depends on: the page key itself, the Host, the scheme
and forwarded scheme, and each header the answer's `Vary` names (Origin for CORS).

Everything else goes to Django unchanged: other paths and methods, a reader's own tokens (personal), a
revalidation (`If-None-Match`: Django answers 304 cheaply), parameters Django would refuse, a thread that does not
exist, and any answer that is not a plain 200. The first request of each page goes through Django, so what is
replayed is always exactly what Django answered; a database error here hands the request to Django too.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from django.db import DatabaseError, close_old_connections

from parvis import conf
from parvis.api.thread_pages import LeastRecentlyRead

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

THREAD_PATH = re.compile(r"/api/v1/sites/([A-Za-z0-9_-]{1,50})/thread")
MAX_KEPT_BYTES = 4 * 1024 * 1024  # an answer larger than this (a page of 100 very long comments) is not kept
_PERSONAL = (b"parvis-own-tokens", b"if-none-match", b"cookie", b"authorization")
LOOKUP_THREADS = 4


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


def _page_key(slug: str, query: bytes) -> str | None:
    """The page key Django's thread read would answer this query with, or None when it would not answer a kept
    page (no such site or thread, or a parameter it refuses: Django says why)."""
    from parvis.api import thread_pages
    from parvis.api.routers.public import DEFAULT_PAGE, MAX_CURSOR_LENGTH, MAX_URL_LENGTH
    from parvis.comments.reading import MAX_PAGE, Sort
    from parvis.core.exceptions import ProblemError
    from parvis.core.sites import site_by_slug
    from parvis.threads.keys import MAX_KEY_LENGTH, thread_key
    from parvis.threads.models import Thread

    try:
        params = parse_qs(query.decode("ascii"), keep_blank_values=True, strict_parsing=False, max_num_fields=8)
    except (UnicodeDecodeError, ValueError):
        return None
    if any(len(values) > 1 for values in params.values()) or set(params) - {"key", "url", "sort", "limit", "cursor"}:
        return None
    given = {name: values[0] for name, values in params.items()}
    try:
        sort = Sort(given.get("sort", Sort.OLDEST.value))
        limit = int(given.get("limit", DEFAULT_PAGE))
    except ValueError:
        return None
    key, url, cursor = given.get("key"), given.get("url"), given.get("cursor")
    bounds = ((key, MAX_KEY_LENGTH), (url, MAX_URL_LENGTH), (cursor, MAX_CURSOR_LENGTH))
    too_long = any(len(value or "") > bound for value, bound in bounds)
    if not 1 <= limit <= MAX_PAGE or too_long:
        return None
    site = site_by_slug(slug)
    if site is None:
        return None
    try:
        wanted = thread_key(key, url)
    except ProblemError:
        return None
    thread = Thread.objects.filter(site=site, key=wanted).only("pk", "created_at", "version").first()
    return thread_pages.page_key(thread, sort.value, limit, cursor) if thread is not None else None


def _look_up(slug: str, query: bytes) -> str | None:
    try:
        return _page_key(slug, query)
    except DatabaseError as error:
        logger.warning("kept thread reads: lookup failed (%s); Django answers", error)
        return None
    finally:
        # As at the end of a Django request: the connection goes back to the process's pool.
        close_old_connections()


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    varies_on: tuple[bytes, ...]


def _request(page: str, scope: Scope, headers: dict[bytes, bytes], varies_on: tuple[bytes, ...]) -> tuple[Any, ...]:
    """What an answer of this page depends on in the request that asked for it."""
    forwarded = headers.get(b"x-forwarded-proto", b"")
    return (page, scope.get("scheme"), headers.get(b"host"), forwarded, *(headers.get(h) for h in varies_on))


# The request headers each page's answers vary on, and the answers by request.
_vary: LeastRecentlyRead[str, tuple[bytes, ...]] = LeastRecentlyRead()
_answers: LeastRecentlyRead[tuple[Any, ...], _Answer] = LeastRecentlyRead()


def _kept(page: str, scope: Scope, headers: dict[bytes, bytes]) -> _Answer | None:
    varies_on = _vary.get(page)
    return _answers.get(_request(page, scope, headers, varies_on)) if varies_on is not None else None


def _keep(page: str, scope: Scope, headers: dict[bytes, bytes], answer: _Answer, capacity: int) -> None:
    _vary.put(page, answer.varies_on, capacity)
    _answers.put(_request(page, scope, headers, answer.varies_on), answer, capacity)


def forget_all() -> None:
    """Drop every kept answer (tests: their databases start again from the same ids and versions)."""
    _vary.clear()
    _answers.clear()


class _Recorder:
    """Passes Django's answer on to the client and keeps a copy when it may be replayed."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.size = 0
        self.complete = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [(bytes(name), bytes(value)) for name, value in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            body = bytes(message.get("body", b""))
            self.size += len(body)
            if self.size <= MAX_KEPT_BYTES:
                self.chunks.append(body)
            self.complete = not message.get("more_body", False)
        await self.send(message)

    def answer(self) -> _Answer | None:
        names = {name.lower() for name, _ in self.headers}
        if self.status != 200 or not self.complete or self.size > MAX_KEPT_BYTES or b"set-cookie" in names:
            return None
        vary = b",".join(value for name, value in self.headers if name.lower() == b"vary")
        varies_on = tuple(sorted({part.strip().lower() for part in vary.split(b",") if part.strip()}))
        if b"*" in varies_on:
            return None
        return _Answer(self.status, self.headers, b"".join(self.chunks), varies_on)


class KeptThreadReads:
    """The ASGI application in front of Django's (see the module's docstring)."""

    def __init__(self, app: App) -> None:
        self.app = app
        # Threads of their own for the lookups, which borrow connections from the process's pool.
        self.lookups = ThreadPoolExecutor(max_workers=LOOKUP_THREADS, thread_name_prefix="parvis-kept-reads")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        matched = THREAD_PATH.fullmatch(scope.get("path", "")) if scope["type"] == "http" else None
        headers = _headers(scope) if matched else {}
        if matched is None or scope.get("method") != "GET" or any(name in headers for name in _PERSONAL):
            await self.app(scope, receive, send)
            return
        capacity = conf.thread_pages()
        page = await asyncio.get_running_loop().run_in_executor(
            self.lookups, _look_up, matched.group(1), scope.get("query_string", b"")
        )
        if page is None or not capacity:
            await self.app(scope, receive, send)
            return
        answer = _kept(page, scope, headers)
        if answer is not None:
            await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
            await send({"type": "http.response.body", "body": answer.body})
            return
        recorder = _Recorder(send)
        await self.app(scope, receive, recorder)
        fresh = recorder.answer()
        if fresh is not None:
            _keep(page, scope, headers, fresh, capacity)
