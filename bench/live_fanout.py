"""Live updates at scale: how many open Server-Sent Event streams Parvis holds, and how fast a comment reaches them.

    .venv/bin/python bench/live_fanout.py [--streams 5000] [--posts 10] [--workers 1] [--redis]

Starts a real Parvis server (granian, its own SQLite data directory), opens STREAMS concurrent
`GET /api/v1/sites/demo/thread/events` streams from one asyncio client (plain sockets: the client must not be the
bottleneck), then posts POSTS comments one second apart through the public API and records, for every stream and
every comment, the delay from just before the POST to the moment that stream read the event naming the comment.
With `--workers 2` the streams land on both processes while each POST is handled by one of them: without
`--redis`, the other process's readers wait for their next poll (PARVIS_LIVE_POLL_SECONDS); with `--redis`
(PARVIS_REDIS_URL=redis://127.0.0.1:6379/14) they are woken through pub/sub.
Prints the streams held, the delivery delay p50/p99/max and the server's peak RSS. Traffic goes to 127.0.0.1
only; every loop is bounded (streams, posts and a deadline per phase).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memory import tree_memory  # noqa: E402 (bench/, the script's own folder)

from tests.servers import HOST, ParvisServer  # noqa: E402

KEY = "viral-story"
REDIS_URL = "redis://127.0.0.1:6379/14"


class Stream:
    """One reader's open event stream: the moment it saw each comment id."""

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self, port: int, after: int) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, port)
        path = f"/api/v1/sites/demo/thread/events?key={KEY}&after={after}"
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: text/event-stream\r\n\r\n".encode())
        await self.writer.drain()
        status = await self.reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(f"stream refused: {status!r}")
        while (await self.reader.readline()) not in (b"\r\n", b""):
            pass  # headers

    async def read(self) -> None:
        assert self.reader is not None
        while line := await self.reader.readline():
            # Chunked transfer: chunk sizes and event lines interleave; only the data lines matter.
            if line.startswith(b"data: "):
                latest = int(json.loads(line[6:])["latest"])
                self.seen.setdefault(latest, time.perf_counter())

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def rss_kib(server: ParvisServer) -> int:
    """Resident memory of the server's whole process tree (granian, its workers, the task worker), in KiB."""
    assert server.process is not None
    return tree_memory(server.process.pid)[0]


def post(http: httpx.Client, number: int) -> int:
    page = f"{str(http.base_url).rstrip('/')}/{KEY}"
    answer = http.post(
        "/api/v1/sites/demo/comments",
        json={"thread": {"key": KEY, "url": page}, "body": f"Réaction numéro {number}.",
              "author": {"name": f"Lectrice {number}"}},
    )  # fmt: skip
    if answer.status_code != 201:
        raise RuntimeError(f"posting failed: {answer.status_code} {answer.text}")
    return int(answer.json()["comment"]["id"])


async def run(server: ParvisServer, streams: int, posts: int) -> dict[str, object]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        first = post(http, 0)
    readers = [Stream() for _ in range(streams)]
    opened = time.perf_counter()
    batch = 200  # connect in batches: a burst of thousands of SYNs overflows the listen backlog
    for start in range(0, streams, batch):
        await asyncio.wait_for(
            asyncio.gather(*(reader.open(server.port, first) for reader in readers[start : start + batch])), 300
        )
    open_seconds = time.perf_counter() - opened
    tasks = [asyncio.ensure_future(reader.read()) for reader in readers]
    peak_rss = rss_kib(server)
    delays: list[float] = []
    post_seconds: list[float] = []
    missed = 0
    loop = asyncio.get_running_loop()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for number in range(1, posts + 1):
            await asyncio.sleep(1.0)
            sent = time.perf_counter()
            comment = await loop.run_in_executor(None, post, http, number)
            post_seconds.append(time.perf_counter() - sent)
            deadline = sent + 10.0
            while time.perf_counter() < deadline and sum(comment in r.seen for r in readers) < streams:
                await asyncio.sleep(0.01)
            got = [reader.seen[comment] - sent for reader in readers if comment in reader.seen]
            missed += streams - len(got)
            delays += got
            peak_rss = max(peak_rss, rss_kib(server))
    for reader in readers:
        reader.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    delays.sort()
    return {
        "streams": streams,
        "open_seconds": round(open_seconds, 2),
        "deliveries": len(delays),
        "missed": missed,
        "p50_ms": round(statistics.median(delays) * 1000, 1) if delays else None,
        "p99_ms": round(delays[int(len(delays) * 0.99) - 1] * 1000, 1) if delays else None,
        "max_ms": round(delays[-1] * 1000, 1) if delays else None,
        "post_p50_ms": round(statistics.median(post_seconds) * 1000, 1),
        "peak_rss_mib": round(peak_rss / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=5000)
    parser.add_argument("--posts", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--redis", action="store_true", help="carry events between processes through Redis")
    options = parser.parse_args()
    env = {
        "PARVIS_RATELIMIT_COMMENT_IP": "100000/60",
        "PARVIS_RATELIMIT_COMMENT_THREAD": "100000/60",
        "PARVIS_LIVE_MAX_SECONDS": "3600",
        **({"PARVIS_REDIS_URL": REDIS_URL} if options.redis else {}),
    }
    with tempfile.TemporaryDirectory() as data, ParvisServer(Path(data), workers=options.workers, env=env) as server:
        server.cli("migrate")
        server.cli("demo")
        server.start()
        result = asyncio.run(run(server, options.streams, options.posts))
    result.update(workers=options.workers, redis=options.redis)
    print(
        f"{result['streams']} streams open in {result['open_seconds']} s on {options.workers} worker(s)"
        f"{' with Redis' if options.redis else ''}: {result['deliveries']} deliveries, {result['missed']} missed; "
        f"post → event p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms "
        f"(the POST itself: p50 {result['post_p50_ms']} ms); "
        f"server RSS {result['peak_rss_mib']} MiB"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
