"""A real Parvis server process for end-to-end tests, started with the `parvis` command users run.

Each server has its own data directory, its own database and a free port on 127.0.0.1. It runs in its own
process group (the `parvis` command, granian and granian's workers), so a test can kill all of it at once
with SIGKILL, the way a crash or the OOM killer would, and start it again on the same database.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import IO
from urllib.parse import urlsplit, urlunsplit

HOST = "127.0.0.1"
# The console script installed next to the interpreter running the tests (the project's virtualenv).
PARVIS = Path(sys.executable).with_name("parvis")
# Generous: a loaded CI machine (or one running several suites) can take a minute to import the app.
START_TIMEOUT = 180.0
STOP_TIMEOUT = 15.0
POLL_INTERVAL = 0.05
LOG_TAIL = 4000
# `parvis demo` as Python for `parvis manage shell`: the same command, in the process that seeds the rest of a
# module's data (each `parvis` process spends seconds importing the app before it does anything).
DEMO = "from django.core.management import call_command\ncall_command('demo')\n"


class ServerError(RuntimeError):
    """The server or a `parvis` command did not do what the test needs; the message carries its output."""


def free_port() -> int:
    """A port nothing listens on right now (the kernel picks it when binding port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def group_commands(pgid: int) -> list[str]:
    """The command lines of the live processes of process group ``pgid`` (arguments joined by spaces)."""
    commands = []
    for pid in _group_members(pgid):
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        commands.append(raw.replace(b"\0", b" ").decode(errors="replace").strip())
    return commands


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group ``pgid``, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: the fields that follow start after the last ")".
        state, _parent, group = stat.rsplit(")", 1)[1].split()[:3]
        if int(group) == pgid and state not in {"Z", "X"}:
            members.append(int(entry.name))
    return members


class ParvisServer:
    """`parvis --dev serve` on a private data directory and database; a context manager that stops it.

    ``cli()`` runs other `parvis` commands (migrate, demo, site create) with the same environment, so they
    act on the same database. Inherited PARVIS_* and DJANGO_SETTINGS_MODULE variables are dropped: pytest
    sets the test settings and the shared test data directory, and neither may leak into the server.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        workers: int = 1,
        database_url: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.workers = workers
        self.database_url = database_url or f"sqlite:///{data_dir / 'db.sqlite3'}"
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"server-{self.starts}.log"

    def environment(self) -> dict[str, str]:
        inherited = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("PARVIS_") and name != "DJANGO_SETTINGS_MODULE"
        }
        return {
            **inherited,
            "PARVIS_DATA_DIR": str(self.data_dir),
            "PARVIS_DATABASE_URL": self.database_url,
            "PARVIS_PUBLIC_URL": self.url,
            **self.extra_env,
        }

    def cli(self, *args: str, timeout: float = 120) -> str:
        """Run `parvis --dev <args>` against this server's database; return its standard output."""
        result = subprocess.run(
            [str(PARVIS), "--dev", *args],
            env=self.environment(),
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode:
            raise ServerError(
                f"parvis {' '.join(args)} exited with {result.returncode}:\n{result.stdout}{result.stderr}"
            )
        return result.stdout

    def copy_database(self, template: Path) -> None:
        """Start from a copy of ``template``, a SQLite database `parvis migrate` made (see ``migrated_sqlite``):
        the same file this server's own `parvis migrate` would write, without its seconds of work."""
        if not self.database_url.startswith("sqlite:///"):
            raise ServerError(f"only a SQLite database is copied, not {self.database_url}")
        copy_sqlite(template, Path(self.database_url.removeprefix("sqlite:///")))

    def start(self, timeout: float = START_TIMEOUT, extra_args: Sequence[str] = ()) -> None:
        """Start `parvis --dev serve` (with ``extra_args``) and return once /healthz answers."""
        if self.running:
            raise ServerError(f"the server on {self.url} is already running")
        self.starts += 1
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(PARVIS),
                "--dev",
                "serve",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                *extra_args,
            ],
            env=self.environment(),
            cwd=self.data_dir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_until_healthy(timeout)
        except BaseException:
            self.kill()
            raise

    def _wait_until_healthy(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"the server exited with {self.process.returncode} before answering:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:
                    if answer.status == 200 and json.load(answer).get("status") == "ok":
                        return
            except (OSError, ValueError):
                pass
            time.sleep(POLL_INTERVAL)
        raise ServerError(f"/healthz did not answer within {timeout:.0f} s:\n{self.log()}")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group (a crash: nothing gets to clean up) and wait until it is gone."""
        self._signal_group(signal.SIGKILL, STOP_TIMEOUT)

    def stop(self) -> None:
        """Ask the server to shut down (SIGTERM); kill it if it has not stopped in time."""
        if not self._signal_group(signal.SIGTERM, STOP_TIMEOUT, raise_on_timeout=False):
            self.kill()

    def _signal_group(self, signum: signal.Signals, timeout: float, raise_on_timeout: bool = True) -> bool:
        if self.process is None:
            return True
        pgid = self.process.pid  # start_new_session made the `parvis` process its group's leader
        with suppress(ProcessLookupError):  # the group is already gone
            os.killpg(pgid, signum)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None and not _group_members(pgid):
                self._close_log()
                return True
            time.sleep(POLL_INTERVAL)
        if raise_on_timeout:
            raise ServerError(f"process group {pgid} still alive {timeout:.0f} s after {signum.name}")
        return False

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        """The tail of the current run's output (granian's access log in dev mode, tracebacks)."""
        if self._log is not None:
            self._log.flush()
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return text[-LOG_TAIL:]

    def __enter__(self) -> ParvisServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy SQLite database ``source`` to ``target`` with SQLite's backup API, which reads a consistent snapshot
    (the write-ahead log's pages included) and writes a whole database file."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)


def migrated_sqlite(root: Path) -> Path:
    """A SQLite database `parvis migrate` made in ``root``, made once: the first caller migrates under a file lock,
    the others (other pytest workers sharing ``root``) wait for it and then find it. Servers copy it
    (``ParvisServer.copy_database``): migrating takes seconds, and every server would otherwise repeat it."""
    import fcntl

    folder = root / "migrated-sqlite"
    template = folder / "db.sqlite3"
    root.mkdir(parents=True, exist_ok=True)
    with (root / "migrated-sqlite.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "migrated").exists():
            ParvisServer(folder).cli("migrate")
            (folder / "migrated").touch()
    return template


@contextmanager
def fresh_postgres_database(server_url: str, prefix: str) -> Iterator[str]:
    """Create an empty database ``<prefix>_<random>`` on the PostgreSQL server of ``server_url`` (a URL to any
    database there the user may connect to); yield its URL; drop it afterwards, even if connections linger."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(server_url)
    # Query parameters such as conn_max_age are Parvis's, not libpq's.
    admin_url = urlunsplit(parts._replace(scheme="postgresql", query=""))
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def seeded_server(directory: Path, setup: str, env: Mapping[str, str], migrated: Path) -> Iterator[ParvisServer]:
    """A one-worker server on a copy of the ``migrated`` database whose data ``setup`` (Python run by `parvis
    manage shell`) made, started.

    The dashboard's browser tests each seed their own site, staff and policy this way, through the same command a
    newsroom would use, before the server serves its first request.
    """
    with ParvisServer(directory, workers=1, env=env) as running:
        running.copy_database(migrated)
        running.cli("manage", "shell", "-c", setup)
        running.start()
        yield running
