"""Django's SQLite backend, with the connections of a process kept open between requests.

Under ASGI each request runs in a thread of its own, and Django's connections belong to a thread, so every request
opened the database file, ran the pragmas and registered Django's SQL functions, then closed it all again: a
quarter of the CPU of a thread read answered from a kept page. Here a closed connection goes back to a small
per-process pool and the next request's thread takes it (SQLite connections may change threads; one thread uses
one at a time). A connection is only pooled outside a transaction, and one whose file was replaced since it was
opened (a test database created again, a restored backup) is closed rather than reused. In-memory databases are
never pooled: closing one would lose it, and Django does not close them.
"""

from __future__ import annotations

import os
import threading
from typing import Any

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


class DatabaseWrapper(base.DatabaseWrapper):
    opened_on: Identity = None

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
        connection = self.connection
        if connection is None or self.is_in_memory_db() or self.opened_on is None:
            super()._close()  # type: ignore[misc]  # django-stubs lacks BaseDatabaseWrapper._close
            return
        with self.wrap_database_errors:
            if connection.in_transaction:
                connection.rollback()
            if not _pool.give(self.get_connection_params()["database"], connection, self.opened_on):
                connection.close()
