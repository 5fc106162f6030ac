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
    kept = database_url.parse("postgres://db.example/comments?conn_max_age=30&sslmode=require", Path("/srv"))
    assert kept["CONN_MAX_AGE"] == 30
    assert kept["OPTIONS"] == {"sslmode": "require"}  # libpq's options pass through, Parvis's own do not


def test_a_relative_sqlite_path_lives_in_the_data_directory() -> None:
    entry = database_url.parse("sqlite:///parvis.sqlite3", Path("/var/lib/parvis"))
    assert entry["NAME"] == "/var/lib/parvis/parvis.sqlite3"


def test_an_unsupported_engine_is_refused_with_the_supported_ones_named() -> None:
    with pytest.raises(ImproperlyConfigured, match="sqlite:/// or postgres://"):
        database_url.parse("mysql://root@localhost/parvis", Path("/srv"))
