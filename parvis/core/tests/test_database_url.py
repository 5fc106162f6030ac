"""PARVIS_DATABASE_URL: what a deployment writes becomes the DATABASES entry it expects."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from parvis.settings import database_url


def test_postgresql_opens_connections_per_request_unless_told_to_keep_them() -> None:
    # Kept connections pile up under ASGI (a thread per request) until PostgreSQL refuses clients.
    plain = database_url.parse("postgres://news:s%40cret@db.example:5433/comments", Path("/srv"))
    assert plain["CONN_MAX_AGE"] == 0
    assert (plain["USER"], plain["PASSWORD"], plain["HOST"], plain["PORT"], plain["NAME"]) == (
        "news", "s@cret", "db.example", "5433", "comments",
    )  # fmt: skip
    assert plain["OPTIONS"] == {"pool": {"min_size": 1, "max_size": 16, "timeout": 10}}
    kept = database_url.parse("postgres://db.example/comments?conn_max_age=30&sslmode=require", Path("/srv"))
    assert kept["CONN_MAX_AGE"] == 30
    assert kept["OPTIONS"] == {"sslmode": "require"}  # libpq's options pass through, Parvis's own do not
    small = database_url.parse("postgres://db.example/comments?pool_max=4", Path("/srv"))
    assert small["OPTIONS"]["pool"]["max_size"] == 4


def test_a_relative_sqlite_path_lives_in_the_data_directory() -> None:
    entry = database_url.parse("sqlite:///parvis.sqlite3", Path("/var/lib/parvis"))
    assert entry["NAME"] == "/var/lib/parvis/parvis.sqlite3"


def test_an_unsupported_engine_is_refused_with_the_supported_ones_named() -> None:
    with pytest.raises(ImproperlyConfigured, match="sqlite:/// or postgres://"):
        database_url.parse("mysql://root@localhost/parvis", Path("/srv"))


@pytest.mark.django_db(transaction=True)
def test_requests_in_new_threads_borrow_the_processes_open_database_connections() -> None:
    """Under ASGI each request runs in a thread of its own; it must not open the database again."""
    import threading

    from django.db import connection

    def session_of_a_request() -> tuple[object, object]:
        """What identifies the request's database session, and (PostgreSQL) when the session started and when
        the request ran, by the server's clock."""
        seen: list[tuple[object, object]] = []

        def request() -> None:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT backend_start, clock_timestamp() FROM pg_stat_activity WHERE pid = pg_backend_pid()"
                    )
                    seen.append(cursor.fetchone())
            else:
                connection.ensure_connection()
                seen.append((id(connection.connection), None))
            connection.close()  # what Django does when a request ends

        thread = threading.Thread(target=request)
        thread.start()
        thread.join()
        return seen[0]

    first, first_ran_at = session_of_a_request()
    second, _ = session_of_a_request()
    if connection.vendor == "postgresql":
        # The pool may hand out another of its connections, but not one opened for this request.
        assert second < first_ran_at  # type: ignore[operator]
    else:
        assert second == first
