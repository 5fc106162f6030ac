"""Live update streams through the real server, where the ASGI door hands each stream to the watcher: Django's
headers reach the reader (CORS, no internal header), every open stream of a thread hears of a new comment, a
stream that asked for decisions gets them, the server ends a stream after PARVIS_LIVE_MAX_SECONDS, and Django's
refusals come through unchanged."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import ParvisServer

pytestmark = [pytest.mark.server]

SITE = "live"
ORIGIN = "https://news.example"
MAX_SECONDS = 6


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Iterator[ParvisServer]:
    env = {"PARVIS_LIVE_MAX_SECONDS": str(MAX_SECONDS), "PARVIS_LIVE_POLL_SECONDS": "5"}
    with ParvisServer(tmp_path_factory.mktemp("live"), workers=1, env=env) as running:
        running.copy_database(migrated)
        running.cli("site", "create", SITE, "--name", "Live", "--origin", ORIGIN)
        running.start()
        yield running


class Stream:
    """One reader's open event stream, read on a thread of its own; its lines land in ``lines``."""

    def __init__(self, server: ParvisServer, key: str, **params: str) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.headers: httpx.Headers | None = None
        self.opened = threading.Event()
        self.ended_at: float | None = None
        url = f"{server.url}/api/v1/sites/{SITE}/thread/events"
        self.thread = threading.Thread(target=self._read, args=(url, {"key": key, **params}), daemon=True)
        self.thread.start()
        assert self.opened.wait(20), "the stream did not open"

    def _read(self, url: str, params: dict[str, str]) -> None:
        with httpx.stream("GET", url, params=params, headers={"Origin": ORIGIN}, timeout=30) as answer:
            self.headers = answer.headers
            self.opened.set()
            for line in answer.iter_lines():
                self.lines.put(line)
        self.ended_at = time.monotonic()
        self.lines.put(None)

    def event(self, timeout: float = 15) -> str:
        """The data line of the next `comments` event."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            assert line is not None, "the stream ended before the event"
            if line.startswith("data: "):
                return line
        raise AssertionError("no event")


def post(server: ParvisServer, key: str, body: str) -> int:
    answer = httpx.post(
        f"{server.url}/api/v1/sites/{SITE}/comments",
        json={"thread": {"key": key, "url": f"{ORIGIN}/{key}"}, "body": body, "author": {"name": "Léa"}},
        headers={"Origin": ORIGIN},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["comment"]["id"])


def test_every_open_stream_of_a_thread_hears_of_a_new_comment(server: ParvisServer) -> None:
    first = post(server, "story", "Premier avis.")
    readers = [Stream(server, "story", after=str(first)) for _ in range(3)]
    follower = Stream(server, "story", after=str(first), decided="0")
    other = Stream(server, "other-story")
    for stream in (*readers, follower):
        assert stream.headers is not None
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["access-control-allow-origin"] == ORIGIN
        assert "parvis-live-stream" not in stream.headers
    started = time.monotonic()
    second = post(server, "story", "Deuxième avis, en direct.")
    for stream in readers:
        assert stream.event() == f'data: {{"count": 2, "latest": {second}}}'
    # The follower of decisions hears of the publication decision with it.
    assert follower.event().startswith(f'data: {{"count": 2, "latest": {second}, "decided": ')
    assert time.monotonic() - started < 4.5, "told at once, not at the next poll"
    assert other.lines.qsize() <= 2  # only its retry line: nothing happened on its thread


def test_the_server_ends_a_stream_after_its_maximum_life(server: ParvisServer) -> None:
    opened = time.monotonic()
    stream = Stream(server, "quiet-story")
    stream.thread.join(MAX_SECONDS + 15)
    assert stream.ended_at is not None, "the stream is still open"
    assert MAX_SECONDS - 1 <= stream.ended_at - opened <= MAX_SECONDS + 10
    first = stream.lines.get(timeout=1)
    assert first == "retry: 3000"


def test_django_refusals_come_through_unchanged(server: ParvisServer) -> None:
    missing = httpx.get(f"{server.url}/api/v1/sites/nowhere/thread/events", params={"key": "x"}, timeout=10)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["code"] == "site_not_found"
    bad = httpx.get(f"{server.url}/api/v1/sites/{SITE}/thread/events", params={"key": "x", "after": "-3"}, timeout=10)
    assert bad.status_code == 422
