"""Writing many rows of one model fast: COPY on PostgreSQL, one executemany on SQLite.

Django's ``bulk_create`` compiles every value through the ORM and, on SQLite, splits a batch into inserts of
at most 999 parameters (40 comments each); that, not the database, is what made an import crawl. Here the
columns come from the model's own field list (so they follow migrations), every column gets a value (the
field's default when the caller gives none), and values are adapted once per column kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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

    @staticmethod
    def _default(field: models.Field[Any, Any]) -> Any:
        """The field's default; blank text for text fields without one; None otherwise (the caller gives it)."""
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


def insert(table_name: str, columns: Sequence[str], rows: Iterable[list[Any]], dates: Sequence[int]) -> None:
    quote = connection.ops.quote_name
    table = quote(table_name)
    column_list = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:  # type: ignore[attr-defined]
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
