"""The SQLite backend keeps a process's connections open between requests, and never hands out one that would
read a file replaced since, or carry a transaction left open."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from parvis.core.backends.sqlite.base import DatabaseWrapper
from parvis.settings.database_url import parse

# Own wrappers on their own files; the mark only lifts pytest-django's block on opening connections.
pytestmark = pytest.mark.django_db


def _wrapper(path: Path) -> DatabaseWrapper:
    settings = parse(f"sqlite:///{path}", path.parent)
    settings.update({"TIME_ZONE": None, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True})
    settings.setdefault("TEST", {})
    return DatabaseWrapper(settings, alias=f"pool-{path.name}")


def _in_thread(path: Path, work: Any) -> Any:
    """Run ``work(cursor)`` on a wrapper of its own in a new thread, as one ASGI request does, and close it."""
    result: list[Any] = []

    def run() -> None:
        wrapper = _wrapper(path)
        with wrapper.cursor() as cursor:
            result.append(work(wrapper, cursor))
        wrapper.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


def test_the_next_request_reuses_the_connection_the_last_one_closed(tmp_path: Path) -> None:
    path = tmp_path / "pool.sqlite3"
    first = _in_thread(path, lambda wrapper, cursor: (cursor.execute("CREATE TABLE t (v)"), id(wrapper.connection)))
    second = _in_thread(path, lambda wrapper, cursor: id(wrapper.connection))
    assert second == first[1]
    # The pragmas of Parvis's configuration hold on the kept connection.
    mode = _in_thread(path, lambda wrapper, cursor: cursor.execute("PRAGMA journal_mode").fetchone()[0])
    assert mode == "wal"


def test_a_replaced_database_file_is_not_read_through_an_old_connection(tmp_path: Path) -> None:
    path = tmp_path / "replaced.sqlite3"
    _in_thread(path, lambda wrapper, cursor: cursor.execute("CREATE TABLE t (v)"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    tables = _in_thread(path, lambda wrapper, cursor: cursor.execute("SELECT name FROM sqlite_master").fetchall())
    assert tables == []  # the new, empty file, not the deleted one the kept connection still had open


def test_a_connection_closed_inside_a_transaction_comes_back_without_it(tmp_path: Path) -> None:
    path = tmp_path / "open.sqlite3"
    _in_thread(path, lambda wrapper, cursor: cursor.execute("CREATE TABLE t (v)"))

    def leave_open(wrapper: DatabaseWrapper, cursor: Any) -> None:
        wrapper.connection.execute("BEGIN")
        wrapper.connection.execute("INSERT INTO t VALUES (1)")

    _in_thread(path, leave_open)
    assert _in_thread(path, lambda wrapper, cursor: wrapper.connection.in_transaction) is False
    assert _in_thread(path, lambda wrapper, cursor: cursor.execute("SELECT count(*) FROM t").fetchone()[0]) == 0


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_write_transactions_in_one_process_all_commit_even_after_failures() -> None:
    """Sixteen request threads writing at once (a viral thread's posts): each waits its turn, none is refused, and a
    transaction that fails gives the turn back."""
    from django.db import connection, transaction

    from parvis.core.models import RateCounter

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    failures: list[BaseException] = []

    def request(number: int) -> None:
        try:
            for attempt in range(3):
                try:
                    with transaction.atomic():
                        RateCounter.objects.create(bucket=f"burst:{number}:{attempt}", count=1, expires_at=0)
                        if attempt == 1:
                            raise LookupError("a post refused inside its transaction")
                except LookupError:
                    pass
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert RateCounter.objects.filter(bucket__startswith="burst:").count() == 32
