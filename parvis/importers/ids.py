"""Primary keys taken before the rows are written, so a whole batch of replies can name its parents in memory.

PostgreSQL hands them out from the table's own sequence (concurrent writers never get the same one), a block at
a time so that taking an id is not a query per thread; the unused end of the last block is a gap in the
sequence, as a rolled-back insert leaves. SQLite has one writer at a time and the import holds the write lock
for its whole transaction, so counting on from the highest id ever given (``sqlite_sequence``, which
AUTOINCREMENT keeps) is safe there.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models import Max

# Ids taken from a PostgreSQL sequence at once (one query per this many threads, commenters or comments).
BLOCK = 2000


class IdReserver:
    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}
        self._pool: dict[type[models.Model], list[int]] = {}

    def take(self, model: type[models.Model], count: int) -> list[int]:
        """``count`` unused primary keys of ``model``, in increasing order."""
        if count <= 0:
            return []
        if connection.vendor != "postgresql":
            return self._count_on(model, count)
        pool = self._pool.setdefault(model, [])
        if len(pool) < count:
            table, column = model._meta.db_table, model._meta.pk.column  # type: ignore[union-attr]
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, column, max(count - len(pool), BLOCK)],
                )
                pool.extend(sorted(row[0] for row in cursor.fetchall()))
        taken = pool[:count]
        del pool[:count]
        return taken

    def _count_on(self, model: type[models.Model], count: int) -> list[int]:
        start = self._next.get(model)
        if start is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [model._meta.db_table])
                row = cursor.fetchone()
            highest = max(int(row[0]) if row else 0, model._default_manager.aggregate(top=Max("pk"))["top"] or 0)
            start = highest + 1
        self._next[model] = start + count
        return list(range(start, start + count))
