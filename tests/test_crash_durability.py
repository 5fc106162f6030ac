"""A comment answered with 201 survives a crash of the server.

Several readers post at once (top-level comments and replies, on a few threads) while the whole server
(the `parvis` command, granian and its workers) is killed with SIGKILL in the middle of the burst. After a
restart on the same database, every comment that was answered with 201 is in its thread with the text
and place it was answered with, and each thread's count equals the comments it lists. Requests cut off
by the kill may or may not have been stored; either is correct, so they are only counted.

SIGKILL kills processes, not the machine: this shows that Parvis answers only after COMMIT, not that the
commit reached the disk (that is SQLite's synchronous=FULL and PostgreSQL's fsync).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from parvis.comments.rendering import render
from tests.servers import ParvisServer, fresh_postgres_database

pytestmark = [pytest.mark.server, pytest.mark.both_databases]

SITE = "crash"
ORIGIN = "https://news.example"
THREAD_KEYS = ("crash-politique", "crash-sport", "crash-culture")
READERS = 8
POSTS_PER_READER = 50  # 400 requests at most
KILL_AFTER = 120  # answered requests before the kill
# Then the kill waits a fraction of a request's duration, so it lands while other requests are inside
# their transaction or between COMMIT and the answer, not right after an answer went out.
KILL_DELAY = 0.15
BURST_TIMEOUT = 120.0
REQUEST_TIMEOUT = 30.0
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"  # as in parvis.settings.test


@dataclass(frozen=True)
class Answered:
    key: str
    body: str
    parent: int | None
    html: str


@dataclass
class Burst:
    """What the readers saw, shared between their threads."""

    kill_now: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    answered: int = 0
    created: dict[int, Answered] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    # Never reached the server (connection refused): certainly not stored.
    refused: int = 0
    # Sent, but the answer was cut off: stored or not. Error class → count, and the bodies sent.
    cut_off: Counter[str] = field(default_factory=Counter)
    in_doubt: set[str] = field(default_factory=set)

    def record(self, status: int, created: tuple[int, Answered] | None) -> None:
        with self.lock:
            self.statuses[status] += 1
            if created is not None:
                self.created[created[0]] = created[1]
            self.answered += 1
            if self.answered >= KILL_AFTER:
                self.kill_now.set()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if os.environ.get("PARVIS_TEST_POSTGRES"):
        server_url = os.environ.get("PARVIS_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
        with fresh_postgres_database(server_url, "parvis_crash") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"


@pytest.fixture
def server(tmp_path: Path, database_url: str, request: pytest.FixtureRequest) -> Iterator[ParvisServer]:
    limits = {"PARVIS_RATELIMIT_COMMENT_IP": "100000/60", "PARVIS_RATELIMIT_COMMENT_THREAD": "100000/60"}
    with ParvisServer(tmp_path / "data", workers=2, database_url=database_url, env=limits) as running:
        if database_url.startswith("sqlite:"):
            running.copy_database(request.getfixturevalue("migrated"))
        else:
            running.cli("migrate")
        running.cli("site", "create", SITE, "--name", "Crash test", f"--origin={ORIGIN}")
        # Eight readers posting 50 near-identical comments in seconds from one address is a flood and a campaign the
        # moderation would hold (and replies to held comments are refused); this test is about durability, so the
        # site's policy lets them through.
        policy = tmp_path / "policy.json"
        policy.write_text(json.dumps({"velocity": {"per_ip": 100000, "per_commenter": 100000, "duplicates": 100000},
                                      "surge": {"enabled": False}}))  # fmt: skip
        running.cli("moderation", "policy", "--site", SITE, "--file", str(policy))
        running.start()
        yield running


def reader(server: ParvisServer, number: int, burst: Burst) -> None:
    """Post until the server stops answering: mostly top-level comments, every fourth a reply to one's own
    latest comment in that thread."""
    latest: dict[str, int] = {}
    with httpx.Client(base_url=server.url, headers={"Origin": ORIGIN}, timeout=REQUEST_TIMEOUT) as client:
        for index in range(POSTS_PER_READER):
            key = THREAD_KEYS[(number + index) % len(THREAD_KEYS)]
            parent = latest.get(key) if index % 4 == 3 else None
            body = f"Lecteur {number}, message {index} : le serveur tiendra-t-il jusqu’au bout ?"
            payload = {"thread": {"key": key}, "body": body, "author": {"name": f"Lecteur {number}"}, "parent": parent}
            try:
                answer = client.post(f"/api/v1/sites/{SITE}/comments", json=payload)
            except httpx.ConnectError:
                with burst.lock:
                    burst.refused += 1
                return
            except httpx.TransportError as error:
                with burst.lock:
                    burst.cut_off[type(error).__name__] += 1
                    burst.in_doubt.add(body)
                return
            created = None
            if answer.is_success:
                comment = answer.json()["comment"]
                created = (comment["id"], Answered(key, body, parent, comment["html"]))
                latest[key] = comment["id"]
            burst.record(answer.status_code, created)


def listed(client: httpx.Client, key: str) -> tuple[int, list[dict[str, Any]]]:
    """A thread's count and all its comments, replies included, paging through the top level."""
    comments: list[dict[str, Any]] = []
    cursor: str | None = None
    count: int | None = None
    while True:
        params = {"key": key, "limit": 100, **({"cursor": cursor} if cursor else {})}
        answer = client.get(f"/api/v1/sites/{SITE}/thread", params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        count = page["thread"]["count"] if count is None else count
        pending = list(page["comments"])
        while pending:
            comment = pending.pop()
            comments.append(comment)
            pending.extend(comment["replies"])
        cursor = page["next_cursor"]
        if cursor is None:
            return count, comments


def test_every_comment_answered_201_survives_a_kill_9_of_the_server(
    server: ParvisServer, record_property: pytest.RecordProperty
) -> None:
    burst = Burst()
    readers = [threading.Thread(target=reader, args=(server, number, burst)) for number in range(READERS)]
    for thread in readers:
        thread.start()
    reached = burst.kill_now.wait(BURST_TIMEOUT)
    time.sleep(KILL_DELAY)
    server.kill()
    for thread in readers:
        thread.join(REQUEST_TIMEOUT)
    assert reached, f"only {burst.answered} answers in {BURST_TIMEOUT:.0f} s:\n{server.log()}"
    assert not any(thread.is_alive() for thread in readers)

    server.start()

    summary = (
        f"{burst.answered} answered ({dict(burst.statuses)}), {sum(burst.cut_off.values())} cut off by the kill "
        f"({dict(burst.cut_off)}), {burst.refused} refused after it"
    )
    print(summary)
    record_property("burst", summary)
    assert burst.created
    assert set(burst.statuses) == {201}, summary

    stored: dict[int, dict[str, Any]] = {}
    with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT) as client:
        for key in THREAD_KEYS:
            count, comments = listed(client, key)
            ids = [comment["id"] for comment in comments]
            assert len(ids) == len(set(ids)), f"{key}: a comment is listed twice"
            assert count == len(comments), f"{key}: count {count}, {len(comments)} listed"
            stored.update({comment["id"]: {**comment, "key": key} for comment in comments})

    missing = sorted(set(burst.created) - set(stored))
    assert missing == [], f"{len(missing)} comments answered with 201 are gone after the restart"
    for comment_id, sent in burst.created.items():
        found = stored[comment_id]
        assert (found["key"], found["parent"], found["status"]) == (sent.key, sent.parent, "approved")
        assert found["html"] == sent.html == render(sent.body)
    # Anything else stored can only be a request whose answer the kill cut off, stored whole.
    extra = sorted(found["html"] for comment_id, found in stored.items() if comment_id not in burst.created)
    assert set(extra) <= {render(body) for body in burst.in_doubt}
    assert len(extra) == len(set(extra))
    print(f"{len(burst.created)} answered 201, all present after the restart; {len(extra)} cut off but stored")
