"""Django's SQLite backend, with the connections of a process kept open between requests.

Under ASGI each request runs in a thread of its own, and Django's connections belong to a thread, so every request
opened the database file, ran the pragmas and registered Django's SQL functions, then closed it all again: a
quarter of the CPU of a thread read answered from a kept page. Here a closed connection goes back to a small
per-process pool and the next request's thread takes it (SQLite connections may change threads; one thread uses
one at a time). A connection is only pooled outside a transaction, and one whose file was replaced since it was
opened (a test database created again, a restored backup) is closed rather than reused. In-memory databases are
never pooled: closing one would lose it, and Django does not close them.

Write transactions (``BEGIN IMMEDIATE``) of one process also queue on a lock of the process before they ask SQLite
for its write lock. SQLite makes a writer that finds the database locked sleep and try again, sleeping longer each
time (up to 100 ms), so under a burst of posts the write lock sat free while sixty waiters slept, then a waiter ran
out of the busy timeout and its post failed. Queued on a lock, the next writer of the process starts the moment the
last one commits, and only one writer per process polls SQLite (the other server processes' and the task worker's).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

IDLE_CONNECTIONS = 32  # per process and database file; more concurrent requests open more, closed on return


def _identity(path: str) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


Identity = tuple[int, int] | None  # (device, inode) of the database file when the connection was opened


class _Pool:
    def __init__(self) -> None:
        self.idle: dict[str, list[tuple[Any, Identity]]] = {}
        self.lock = threading.Lock()

    def take(self, path: str, identity: Identity) -> Any | None:
        while True:
            with self.lock:
                idle = self.idle.get(path)
                if not idle:
                    return None
                connection, opened_on = idle.pop()
            if identity is not None and opened_on == identity:
                return connection
            connection.close()

    def give(self, path: str, connection: Any, identity: Identity) -> bool:
        with self.lock:
            idle = self.idle.setdefault(path, [])
            if len(idle) < IDLE_CONNECTIONS:
                idle.append((connection, identity))
                return True
        return False


_pool = _Pool()
_writers: dict[str, threading.Lock] = {}
_writers_lock = threading.Lock()


def _writer(path: str) -> threading.Lock:
    with _writers_lock:
        return _writers.setdefault(path, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    opened_on: Identity = None
    holds_writer: threading.Lock | None = None

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode != "IMMEDIATE" or self.is_in_memory_db():
            super()._start_transaction_under_autocommit()
            return
        writer = _writer(self.settings_dict["NAME"])
        if not writer.acquire(timeout=float(self.settings_dict["OPTIONS"].get("timeout", 5))):
            raise OperationalError("database is locked: the other write transactions of this process took too long")
        self.holds_writer = writer
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        writer, self.holds_writer = self.holds_writer, None
        if writer is not None:
            writer.release()

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release_writer()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_writer()

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        pooled = not self.is_in_memory_db()
        path = conn_params["database"]
        # Before opening: a file created by this very connect has no earlier connection to mistake it for.
        self.opened_on = _identity(path) if pooled else None
        kept = _pool.take(path, self.opened_on) if pooled else None
        if kept is not None:
            return kept
        connection = super().get_new_connection(conn_params)
        if pooled and self.opened_on is None:
            self.opened_on = _identity(path)
        return connection

    def _close(self) -> None:
        self._release_writer()
        connection = self.connection
        if connection is None or self.is_in_memory_db() or self.opened_on is None:
            super()._close()
            return
        with self.wrap_database_errors:
            if connection.in_transaction:
                connection.rollback()
            if not _pool.give(self.settings_dict["NAME"], connection, self.opened_on):
                connection.close()
