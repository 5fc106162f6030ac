"""Writing many rows of one model fast: COPY on PostgreSQL (on a second thread), one executemany on SQLite.

Django's ``bulk_create`` compiles every value through the ORM and, on SQLite, splits a batch into inserts of
at most 999 parameters (40 comments each); that, not the database, is what made an import crawl. Here the
columns come from the model's own field list (so they follow migrations), every column gets a value (the
field's default when the caller gives none), and values are adapted once per column kind.

On PostgreSQL the server's share of an import (parsing the COPY, updating the comment table's indexes) is about
as large as the importer's own, and the two can run at once: ``Background`` hands a batch's COPY to a thread
that drives the same connection — so the same transaction — while the importer reads and converts the next
batch (the thread spends its time waiting for the server, outside the GIL). The importer waits for it before
any other query, so every query sees the rows written before it, as if the COPY had run in line. That COPY is
binary, with the columns' types read from the catalogue once per table: psycopg then writes each value in the
server's own form instead of as escaped text (about an eighth less of the importer's CPU, measured).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from django.db import connection, models


class Rows:
    """Rows for ``model`` as tuples in the table's column order; ``add(**values)`` by field attribute name."""

    def __init__(self, model: type[models.Model], *, given_ids: bool = True) -> None:
        """``given_ids``: the caller gives each row's primary key; else the database numbers them."""
        self.model = model
        self.fields = [field for field in model._meta.concrete_fields if given_ids or not field.primary_key]
        self.names = [field.attname for field in self.fields]
        self.columns = [field.column for field in self.fields]
        self.position = {name: index for index, name in enumerate(self.names)}
        self.defaults = [self._default(field) for field in self.fields]
        self.dates = [index for index, field in enumerate(self.fields) if isinstance(field, models.DateTimeField)]
        self.rows: list[list[Any]] = []
        self.types: list[int] | None = None

    @staticmethod
    def _default(field: models.Field[Any, Any]) -> Any:
        """The field's default; blank text for text fields without one; None otherwise (the caller gives it)."""
        if isinstance(field, models.JSONField):  # rows go to the database as they are: JSON text or Jsonb
            return field.get_db_prep_save(field.get_default(), connection)
        if field.has_default():
            return field.get_default()
        if not field.null and isinstance(field, (models.CharField, models.TextField)):
            return ""
        return None

    def add(self, **values: Any) -> None:
        row = list(self.defaults)
        for name, value in values.items():
            row[self.position[name]] = value
        self.rows.append(row)

    def __len__(self) -> int:
        return len(self.rows)

    def write(self) -> None:
        if self.rows:
            insert(self.model._meta.db_table, self.columns, self.rows, self.dates)
            self.rows = []

    def take(self) -> tuple[str, list[int], list[list[Any]]]:
        """The binary COPY statement, its column types and the rows gathered so far (for ``Background``)."""
        rows, self.rows = self.rows, []
        if self.types is None:
            self.types = _column_types(self.model._meta.db_table, self.columns)
        return _copy_sql(self.model._meta.db_table, self.columns) + " (FORMAT BINARY)", self.types, rows


class Background:
    """Writes batches of rows one after the other, on PostgreSQL on a thread of its own (see the module's text).

    ``wait()`` before any other use of the connection; ``close()`` when done, also when the import failed (the
    rollback then follows the COPY in flight: the connection runs one command at a time)."""

    def __init__(self) -> None:
        copies = connection.vendor == "postgresql"
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="parvis-import") if copies else None
        self.future: Future[None] | None = None

    def write(self, batches: Sequence[Rows]) -> None:
        self.wait()
        if self.pool is None:
            for rows in batches:
                rows.write()
            return
        jobs = [rows.take() for rows in batches if rows.rows]
        if jobs:
            connection.ensure_connection()
            self.future = self.pool.submit(_copy, connection.connection, jobs)

    def wait(self) -> None:
        future, self.future = self.future, None
        if future is not None:
            future.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self.pool is not None:
                self.pool.shutdown()


def _copy(raw: Any, jobs: list[tuple[str, list[int], list[list[Any]]]]) -> None:
    """COPY each job's rows with the psycopg connection itself (Django's wrapper belongs to the other thread)."""
    with raw.cursor() as cursor:
        for sql, types, rows in jobs:
            with cursor.copy(sql) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)


def _column_types(table_name: str, columns: Sequence[str]) -> list[int]:
    """The PostgreSQL type of each column (binary COPY sends values in the server's own form, nothing to parse)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0", [table_name]
        )
        types = dict(cursor.fetchall())
    return [int(types[column]) for column in columns]


def _copy_sql(table_name: str, columns: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    return f"COPY {quote(table_name)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"


def insert(table_name: str, columns: Sequence[str], rows: Iterable[list[Any]], dates: Sequence[int]) -> None:
    quote = connection.ops.quote_name
    table = quote(table_name)
    column_list = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(_copy_sql(table_name, columns)) as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        prepared = []
        for row in rows:
            for index in dates:
                value = row[index]
                if isinstance(value, datetime):
                    row[index] = adapt(value)
            prepared.append(row)
        marks = ", ".join(["%s"] * len(columns))
        # Table and column names come from the model's metadata, quoted; every value is a parameter.
        cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({marks})", prepared)  # noqa: S608
