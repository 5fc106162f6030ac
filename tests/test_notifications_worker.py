"""Email notifications end to end: a real `parvis serve` (with its task worker) or a lone `parvis worker`
process, sending to a real SMTP server (aiosmtpd on 127.0.0.1).

- A reader subscribes through the API, confirms from the email, receives a reply notification with RFC 8058
  headers and leaves with the one-click POST; a forged token is refused.
- Fault: the worker is killed with SIGKILL in the middle of 500 emails and restarted: every email arrives, and
  at most one twice (the one the SMTP server had accepted when the kill landed, before its ``sent`` mark; see
  parvis/notifications/outbox.py), with the same Message-ID.
- Outage: with the SMTP server down the emails wait and are retried with backoff; once it is up, all arrive,
  each exactly once.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing, suppress
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.servers import PARVIS, ParvisServer, _group_members, free_port
from tests.smtp import SmtpServer

pytestmark = pytest.mark.server

SITE = "mail"
ORIGIN = "https://news.example"
BATCH = 500


def mail_env(port: int) -> dict[str, str]:
    return {
        "PARVIS_EMAIL_HOST": "127.0.0.1",
        "PARVIS_EMAIL_PORT": str(port),
        "PARVIS_EMAIL_FROM": "Parvis <notifications@parvis.test>",
        "PARVIS_EMAIL_BATCH_SECONDS": "0",
        "PARVIS_EMAIL_TIMEOUT": "5",
        "PARVIS_EMAIL_RETRY_SECONDS": "1",
        "PARVIS_EMAIL_RETRY_MAX_SECONDS": "2",
        "PARVIS_RATELIMIT_COMMENT_IP": "1000/60",
    }


class Worker:
    """`parvis --dev worker` in its own process group, so SIGKILL takes it down the way a crash would."""

    def __init__(self, server: ParvisServer) -> None:
        self.server = server
        self.process: subprocess.Popen[bytes] | None = None
        self.runs = 0
        self._log: IO[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.server.data_dir / f"worker-{self.runs}.log"

    def start(self) -> None:
        self.runs += 1
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(PARVIS), "--dev", "worker", "--interval", "0.2"],
            env=self.server.environment(), cwd=self.server.data_dir, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in self.server.data_dir.glob("worker-*.log"))

    def signal(self, signum: signal.Signals) -> None:
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (self.process.poll() is None or _group_members(self.process.pid)):
            time.sleep(0.05)
        if self._log is not None:
            self._log.close()
            self._log = None
        self.process = None


def wait_until(condition: object, what: str, timeout: float, log: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} within {timeout:.0f} s\n{log}")


def _database(server: ParvisServer) -> sqlite3.Connection:
    return sqlite3.connect(server.database_url.removeprefix("sqlite:///"), timeout=30)


def outbox_state(server: ParvisServer) -> dict[str, int]:
    """Outbox rows per status (these tests run on SQLite: the worker's own database file)."""
    with closing(_database(server)) as database:
        rows = database.execute("SELECT status, COUNT(*) FROM notifications_outboxmessage GROUP BY status")
        return {status: count for status, count in rows}


def scheduled_tasks(server: ParvisServer) -> int:
    with closing(_database(server)) as database:
        return int(database.execute("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult").fetchone()[0])


def tasks_running_since_before(server: ParvisServer, moment: str) -> list[str]:
    with closing(_database(server)) as database:
        query = "SELECT task_path FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING' AND started_at < ?"
        return [path for (path,) in database.execute(query, (moment,))]


def write_outbox(server: ParvisServer, count: int) -> None:
    """``count`` staff alerts to as many addresses, due now, written into the outbox before a worker runs."""
    now = datetime.now(UTC).isoformat(sep=" ")
    with closing(_database(server)) as database, database:
        site_id = database.execute("SELECT id FROM core_site WHERE slug = ?", (SITE,)).fetchone()[0]
        database.executemany(
            "INSERT INTO notifications_outboxmessage (key, site_id, kind, recipient, language, payload, status,"
            " created_at, send_after, attempts, last_error, claimed_by) VALUES (?, ?, 'staff_queue', ?, 'en', ?,"
            " 'pending', ?, ?, 0, '', '')",
            [(f"load:{n}", site_id, f"r{n}@example.org", json.dumps({"count": n}), now, now) for n in range(count)],
        )


@pytest.fixture(scope="module")
def with_site(tmp_path_factory: pytest.TempPathFactory, migrated: Path) -> Path:
    """A migrated database with the test site, made once, that each test copies (a `parvis` command takes seconds)."""
    template = ParvisServer(tmp_path_factory.mktemp("template"))
    template.copy_database(migrated)
    template.cli("site", "create", SITE, "--name", "Le Quotidien", f"--origin={ORIGIN}")
    return template.data_dir / "db.sqlite3"


def server_for(tmp_path: Path, with_site: Path, smtp_port: int) -> ParvisServer:
    server = ParvisServer(tmp_path / "data", env=mail_env(smtp_port))
    server.copy_database(with_site)
    return server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


def path_in(message: EmailMessage, base: str, name: str) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(rf"{re.escape(base)}(/notifications/{name}/[^/\s]+/)", text)
    assert found, text
    return found.group(1)


def test_subscribe_confirm_reply_and_one_click_unsubscribe(tmp_path: Path, with_site: Path, smtp: SmtpServer) -> None:
    with server_for(tmp_path, with_site, smtp.port) as server:
        server.start()
        api = f"{server.url}/api/v1/sites/{SITE}"
        headers = {"Origin": ORIGIN}
        with httpx.Client(headers=headers, timeout=30) as http:
            thread = {"key": "article-1", "url": f"{ORIGIN}/article-1", "title": "Le budget"}
            alice = {"name": "Alice", "email": "alice@example.org"}
            first = {"thread": thread, "body": "Mon avis sur le budget.", "author": alice}
            mine = http.post(f"{api}/comments", json=first)
            assert mine.status_code == 201, mine.text
            # In English: the assertions read English text (the site's own language, French, is translated).
            wanted = {"email": "alice@example.org", "kind": "replies", "language": "en"}
            asked = http.post(f"{api}/subscriptions", json=wanted)
            assert asked.status_code == 202, asked.text
            [confirmation] = smtp.wait_for(1)
            assert confirmation["To"] == "alice@example.org"

        with httpx.Client(base_url=server.url, timeout=30) as browser:
            page = browser.get(path_in(confirmation, server.url, "confirm"))
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            assert page.status_code == 200 and csrf
            done = browser.post(page.url.path, data={"csrfmiddlewaretoken": csrf.group(1)},
                                headers={"Referer": str(page.url)})  # fmt: skip
            assert done.status_code == 200 and "Subscription confirmed" in done.text

        with httpx.Client(headers=headers, timeout=30) as http:
            parent = mine.json()["comment"]["id"]
            body = {"thread": thread, "body": "Je ne suis pas d'accord.", "parent": parent, "author": {"name": "Bob"}}
            reply = http.post(f"{api}/comments", json=body)
            assert reply.status_code == 201, reply.text
            notification = smtp.wait_for(2, timeout=30)[1]
        assert "Bob replied to your comment" in str(notification["Subject"])
        unsubscribe = str(notification["List-Unsubscribe"]).strip("<>")
        assert unsubscribe.startswith(f"{server.url}/notifications/unsubscribe/")
        assert notification["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert str(notification["Message-ID"]).endswith("@parvis.test>")
        assert "Je ne suis pas d'accord." in notification.get_body(("plain",)).get_content()  # type: ignore[union-attr]

        # A forged token is refused and removes nothing; the mail client's one-click POST removes.
        path, _, query = unsubscribe.partition("?")
        assert query == "lang=en"  # the page opens in the email's language
        forged = path[:-3] + ("x/" if not path.endswith("x/") else "y/") + "?" + query
        assert httpx.post(forged, content="List-Unsubscribe=One-Click").status_code == 400
        answer = httpx.post(unsubscribe, content="List-Unsubscribe=One-Click",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert answer.status_code == 200 and "You are unsubscribed" in answer.text

        with httpx.Client(headers=headers, timeout=30) as http:
            body = {"thread": thread, "body": "Une autre réponse.", "parent": parent, "author": {"name": "Carol"}}
            again = http.post(f"{api}/comments", json=body)
            assert again.status_code == 201
            # A later email: once it has arrived, a reply email written before it would have too.
            http.post(f"{api}/subscriptions", json={"email": "dan@example.org", "kind": "replies"})
            last = smtp.wait_for(3)[2]
        assert last["To"] == "dan@example.org"
        assert len(smtp.messages) == 3


def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_at_most_the_email_in_flight(
    tmp_path: Path, with_site: Path, smtp: SmtpServer
) -> None:
    server = server_for(tmp_path, with_site, smtp.port)
    write_outbox(server, BATCH)
    worker = Worker(server)
    worker.start()
    try:
        wait_until(lambda: len(smtp.messages) >= BATCH // 5, "a fifth of the batch sent", 60, worker.log())
        worker.signal(signal.SIGKILL)
        at_kill = len(smtp.messages)
        assert at_kill < BATCH, "the kill came after the whole batch: nothing was tested"
        worker.start()
        wait_until(lambda: len(smtp.message_ids()) >= BATCH, "every email delivered", 60, worker.log())
        worker.signal(signal.SIGTERM)
    finally:
        worker.signal(signal.SIGKILL)
    ids = smtp.message_ids()
    assert len(ids) == BATCH
    assert sorted({recipient for item in smtp.received for recipient in item.recipients}) == sorted(
        f"r{n}@example.org" for n in range(BATCH)
    )
    doubled = [message_id for message_id, count in ids.items() if count > 1]
    assert len(smtp.messages) - BATCH == len(doubled) <= 1
    assert outbox_state(server) == {"sent": BATCH}


def test_emails_wait_while_the_smtp_server_is_down_and_all_go_out_once_it_is_back(
    tmp_path: Path, with_site: Path
) -> None:
    port = free_port()
    server = server_for(tmp_path, with_site, port)
    write_outbox(server, 20)
    worker = Worker(server)
    worker.start()
    smtp = SmtpServer(port)
    try:
        # Two failed attempts: the worker keeps trying, with backoff, while the server is down.
        wait_until(lambda: "(attempt 2)" in worker.log(), "two failed attempts logged", 60, worker.log())
        assert outbox_state(server) == {"pending": 20}
        smtp.start()
        wait_until(lambda: len(smtp.messages) >= 20, "every email delivered", 60, worker.log())
        # Each row is marked sent once the server has accepted its email: the last mark follows the last email.
        wait_until(lambda: outbox_state(server) == {"sent": 20}, "every email marked sent", 30, worker.log())
    finally:
        worker.signal(signal.SIGKILL)
        smtp.stop()
    ids = smtp.message_ids()
    assert len(ids) == 20 and set(ids.values()) == {1}


def test_the_worker_outlives_a_database_locked_longer_than_its_timeout(
    tmp_path: Path, with_site: Path, smtp: SmtpServer
) -> None:
    # Another process (a bulk import, say) holds SQLite's write lock for longer than the worker's 10 s timeout.
    server = server_for(tmp_path, with_site, smtp.port)
    worker = Worker(server)
    worker.start()
    try:
        wait_until(lambda: scheduled_tasks(server) > 0, "the worker scheduling its periodic tasks", 60, worker.log())
        with closing(_database(server)) as database:
            # A write transaction left open: in WAL mode readers pass it, but the worker claims each task in a
            # write transaction of its own, twice a second, and waits for this one until its timeout runs out.
            database.isolation_level = None
            database.execute("BEGIN IMMEDIATE")
            database.execute("UPDATE core_site SET name = name")
            # Held until the worker has waited out its timeout and said so (no fixed sleep: about 10 s, longer on
            # a loaded machine).
            wait_until(lambda: "database error" in worker.log(), "the worker reporting the lock", 60, worker.log())
            database.execute("COMMIT")
            released_at = datetime.now(UTC).isoformat(sep=" ")
        assert worker.process is not None and worker.process.poll() is None, worker.log()
        write_outbox(server, 3)
        wait_until(lambda: len(smtp.message_ids()) >= 3, "the emails written after the lock sent", 60, worker.log())
        # A task the lock interrupted (the minute tick, often) went back to the queue and ran again.
        wait_until(lambda: not tasks_running_since_before(server, released_at), "no task stuck as running", 30)
    finally:
        worker.signal(signal.SIGTERM)
