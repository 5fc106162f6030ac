"""Primary keys taken before the rows are written, so a whole batch of replies can name its parents in memory.

PostgreSQL hands them out from the table's own sequence (concurrent writers never get the same one). SQLite
has one writer at a time and the import holds the write lock for its whole transaction, so counting on from the
highest id ever given (``sqlite_sequence``, which AUTOINCREMENT keeps) is safe there.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models import Max


class IdReserver:
    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], count: int) -> list[int]:
        if count <= 0:
            return []
        table, column = model._meta.db_table, model._meta.pk.column  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
                )
                return [row[0] for row in cursor.fetchall()]
            start = self._next.get(model)
            if start is None:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                highest = max(int(row[0]) if row else 0, model._default_manager.aggregate(top=Max("pk"))["top"] or 0)
                start = highest + 1
        self._next[model] = start + count
        return list(range(start, start + count))
