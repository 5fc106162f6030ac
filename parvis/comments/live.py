"""Live updates: tells open pages when a thread has new published comments, or when the moderation decided on
one of its comments (Server-Sent Events).

One watcher per server process polls the database for all the threads its readers have open — one query
every PARVIS_LIVE_POLL_SECONDS however many readers — and wakes the readers' streams. The database is the
source of truth, so this works across processes and machines without a message broker. A stream ends
after PARVIS_LIVE_MAX_SECONDS and the browser's EventSource reconnects by itself (with `after` updated),
which bounds every connection's life.

A write does not wait for the next poll: once a comment's change commits, `announce` wakes the watchers at once —
those of this process directly, those of every other process through Redis pub/sub when PARVIS_REDIS_URL is set
(each watcher subscribes to one channel). The message only says "look now"; the poll's query still decides what
changed, so a lost message costs at most one poll interval.

A moderator's decision may publish a comment older than the newest one (a held comment approved) or take one down;
neither changes the newest published id, so the watcher also follows decisions: per poll, the newest decision id
anywhere (the primary key's index) and, only when it moved, the threads of the decisions since its mark.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.db import transaction
from django.db.models import Max

from parvis import conf
from parvis.comments.models import Comment, Status
from parvis.threads.models import Thread

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
CHANNEL = "parvis:live"
RECONNECT_MILLISECONDS = 3000

ThreadRef = tuple[int, str]  # (site id, thread key)
Send = Callable[[dict[str, Any]], Awaitable[None]]  # an ASGI send


@dataclass(eq=False)
class Marks:
    """What one reader was last told: the newest published comment id, and (when they follow decisions) the
    newest decision id."""

    after: int
    decided: int | None


@dataclass(eq=False)
class Direct(Marks):
    """A reader's stream the watcher writes itself, through the ASGI ``send`` of the request (parvis.api.live_door):
    an event is encoded once per thread and written to every such stream, instead of waking one generator per
    reader that Django's response machinery then carries to the server."""

    send: Send = field(kw_only=True)
    gone: asyncio.Event = field(default_factory=asyncio.Event)

    async def write(self, body: bytes) -> None:
        if self.gone.is_set():
            return
        try:
            await self.send({"type": "http.response.body", "body": body, "more_body": True})
        except Exception:  # the connection is gone, whatever the server says about it
            self.gone.set()


@dataclass
class _State:
    latest: int = 0
    count: int = 0
    # The newest decision id on the thread that this watcher saw (0: none since the watcher's mark).
    decided: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    direct: set[Direct] = field(default_factory=set)


def _decisions(thread_ids: list[int], mark: int) -> tuple[dict[int, int], int]:
    """The newest decision id per thread among those after ``mark``, and the new mark."""
    from parvis.moderation.models import Decision  # moderation depends on comments, not the reverse

    upto = int(Decision.objects.aggregate(newest=Max("pk"))["newest"] or 0)
    if upto <= mark or not thread_ids:
        return {}, max(upto, mark)
    rows = (
        Decision.objects.filter(pk__gt=mark, pk__lte=upto, comment__thread_id__in=thread_ids)
        .values("comment__thread_id")
        .annotate(newest=Max("pk"))
        .values_list("comment__thread_id", "newest")
    )
    return dict(rows), upto


def _snapshot(refs: list[ThreadRef], mark: int | None = None) -> tuple[dict[ThreadRef, tuple[int, int, int]], int]:
    """(latest published comment id, published count, newest decision after ``mark``) of each open thread that
    exists, and the new decision mark (``mark`` None: decisions are not followed)."""
    by_site: dict[int, list[str]] = defaultdict(list)
    for site_id, key in refs:
        by_site[site_id].append(key)
    threads: dict[int, ThreadRef] = {}
    counts: dict[int, int] = {}
    for site_id, keys in by_site.items():
        for thread_id, key, count in Thread.objects.filter(site_id=site_id, key__in=keys).values_list(
            "id", "key", "comment_count"
        ):
            threads[thread_id] = (site_id, key)
            counts[thread_id] = count
    latest = dict(
        Comment.objects.filter(thread_id__in=list(threads), status=Status.APPROVED)
        .values("thread_id")
        .annotate(latest=Max("id"))
        .values_list("thread_id", "latest")
    )
    decided, mark = _decisions(list(threads), mark) if mark is not None else ({}, 0)
    snapshot = {
        ref: (latest.get(thread_id) or 0, counts[thread_id], decided.get(thread_id, 0))
        for thread_id, ref in threads.items()
    }
    return snapshot, mark


class Watcher:
    """The per-process poller. Streams register the thread they watch and wait on its event."""

    def __init__(self) -> None:
        self.states: dict[ThreadRef, _State] = {}
        self.readers: dict[ThreadRef, int] = defaultdict(int)
        self.task: asyncio.Task[None] | None = None
        # Decisions up to this id are reflected in the states; None until a reader follows decisions.
        self.mark: int | None = None
        # Set by `announce`: poll now rather than at the end of the interval.
        self.wake = asyncio.Event()
        self.beaten = time.monotonic()
        self.loop = asyncio.get_running_loop()
        self.listener: asyncio.Task[None] | None = None

    def join(self, ref: ThreadRef, decided: int | None = None) -> _State:
        self.readers[ref] += 1
        if decided is not None:
            # Look back to what this reader already knows, so a decision taken between their page read and
            # their joining is reported too.
            self.mark = decided if self.mark is None else min(self.mark, decided)
        state = self.states.setdefault(ref, _State())
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self._poll())
        if conf.redis_url() and (self.listener is None or self.listener.done()):
            self.listener = self.loop.create_task(self._listen(conf.redis_url()))
        return state

    def leave(self, ref: ThreadRef) -> None:
        self.readers[ref] -= 1
        if self.readers[ref] <= 0:
            self.readers.pop(ref, None)
            self.states.pop(ref, None)

    async def _listen(self, url: str) -> None:
        """Wake on every message of the channel, while readers are connected; without Redis, polls still work."""
        import redis.asyncio

        client = redis.asyncio.Redis.from_url(url)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(CHANNEL)
                while self.states:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=HEARTBEAT_SECONDS)
                    if message is not None:
                        self.wake.set()
        except (OSError, redis.RedisError) as error:
            logger.warning("live updates: Redis pub/sub unavailable (%s); polling only", error)
        finally:
            with contextlib.suppress(OSError, redis.RedisError):
                await client.aclose()

    async def _poll(self) -> None:
        while self.states:
            self.wake.clear()
            snapshot, mark = await sync_to_async(_snapshot)(list(self.states), self.mark)
            if self.mark is not None:
                self.mark = max(self.mark, mark)
            for ref, (latest, count, decided) in snapshot.items():
                state = self.states.get(ref)
                if state is not None and (latest, count, max(decided, state.decided)) != (
                    state.latest,
                    state.count,
                    state.decided,
                ):
                    state.latest, state.count, state.decided = latest, count, max(decided, state.decided)
                    state.changed.set()
                    if state.direct:
                        await _write_direct(state)
            if time.monotonic() - self.beaten >= HEARTBEAT_SECONDS:
                self.beaten = time.monotonic()
                for state in list(self.states.values()):
                    for reader in list(state.direct):
                        await reader.write(KEEP_ALIVE)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=conf.live_poll_seconds())


_watchers: dict[int, Watcher] = {}


def _watcher() -> Watcher:
    # One watcher per event loop: granian runs one loop per worker process.
    loop = asyncio.get_running_loop()
    watcher = _watchers.get(id(loop))
    if watcher is None or watcher.loop is not loop:  # a closed loop's id can be reused
        watcher = _watchers[id(loop)] = Watcher()
    return watcher


@lru_cache(maxsize=2)
def _publisher(url: str) -> redis.Redis:
    import redis

    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def _publish(url: str) -> None:
    import redis

    try:
        _publisher(url).publish(CHANNEL, b"1")
    except (OSError, redis.RedisError) as error:
        logger.warning("live updates: no Redis publish (%s); other processes see it at their next poll", error)


def comment_saved(**kwargs: object) -> None:
    """post_save of a comment (posted, decided, edited, deleted): announce it once the transaction commits."""
    transaction.on_commit(announce)


def announce() -> None:
    """Tell every watcher that a thread changed: this process's at once, the others through Redis if configured.

    Called after the commit of the change (a watcher that looked earlier would not see it)."""
    for watcher in list(_watchers.values()):
        if not watcher.loop.is_closed():
            watcher.loop.call_soon_threadsafe(watcher.wake.set)
    if conf.redis_url():
        _publish(conf.redis_url())


def _event(name: str, data: dict[str, int]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


KEEP_ALIVE = b": keep-alive\n\n"
YIELD_EVERY = 256  # streams written between two turns of the event loop
RETRY = f"retry: {RECONNECT_MILLISECONDS}\n\n".encode()


def _due(state: _State, reader: Marks) -> bytes | None:
    """The event ``reader`` is owed by ``state`` (moving its marks on), or None."""
    if not (state.latest > reader.after or (reader.decided is not None and state.decided > reader.decided)):
        return None
    reader.after = max(reader.after, state.latest)
    data = {"count": state.count, "latest": state.latest}
    if reader.decided is not None:
        reader.decided = data["decided"] = max(reader.decided, state.decided)
    return _event("comments", data).encode()


async def _write_direct(state: _State) -> None:
    """One encoding per distinct event, one write per stream that is owed it."""
    encoded: dict[bytes, bytes] = {}
    for number, reader in enumerate(list(state.direct)):
        body = _due(state, reader)
        if body is not None:
            await reader.write(encoded.setdefault(body, body))
        if number % YIELD_EVERY == YIELD_EVERY - 1:
            await asyncio.sleep(0)  # let the process's other requests (the POST that caused this) answer meanwhile


async def serve(site_id: int, key: str, after: int, decided: int | None, *, send: Send) -> None:
    """Write one reader's event stream through ``send`` until PARVIS_LIVE_MAX_SECONDS have passed or the
    connection is gone (a client that leaves cancels this through the server); the same events as ``stream``."""
    watcher = _watcher()
    ref = (site_id, key)
    reader = Direct(after, decided, send=send)
    state = watcher.join(ref, decided)
    state.direct.add(reader)
    try:
        await reader.write(RETRY)
        owed = _due(state, reader)
        if owed is not None:
            await reader.write(owed)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(conf.live_max_seconds()):
                await reader.gone.wait()
        if not reader.gone.is_set():
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        state.direct.discard(reader)
        watcher.leave(ref)


async def stream(site_id: int, key: str, after: int, decided: int | None = None) -> AsyncIterator[str]:
    """The text/event-stream of one reader: a `comments` event whenever the thread has published
    comments newer than the last one this reader was told about, or (given ``decided``) a decision newer than
    the last one they were told about."""
    watcher = _watcher()
    ref = (site_id, key)
    state = watcher.join(ref, decided)
    marks = Marks(after, decided)
    deadline = time.monotonic() + conf.live_max_seconds()
    try:
        yield f"retry: {RECONNECT_MILLISECONDS}\n\n"
        while time.monotonic() < deadline:
            # Clear before looking: a change that lands after the look sets the event again. Every
            # reader of a thread shares the event, so each decides from `latest`, not from the event.
            state.changed.clear()
            owed = _due(state, marks)
            if owed is not None:
                yield owed.decode()
            # asyncio.timeout, not wait_for: no extra task per reader per change (thousands wake at once).
            try:
                async with asyncio.timeout(HEARTBEAT_SECONDS):
                    await state.changed.wait()
            except TimeoutError:
                yield KEEP_ALIVE.decode()
    finally:
        watcher.leave(ref)
