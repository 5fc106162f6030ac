"""Turns ``PARVIS_DATABASE_URL`` into a Django DATABASES entry.

Only the two supported engines are accepted: SQLite (the default, one file, WAL mode) and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# WAL lets readers proceed during a write; synchronous=FULL fsyncs the WAL on every commit, so a 2xx
# answered after COMMIT survives a crash of the process and of the machine. busy_timeout makes writers
# from several server processes queue instead of failing with "database is locked".
SQLITE_INIT = (
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA busy_timeout=10000;"
    "PRAGMA temp_store=MEMORY;"
    "PRAGMA mmap_size=134217728;"
)


def parse(url: str, base_dir: Path) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        raw_path = unquote(parts.path)
        if parts.netloc:
            raise ImproperlyConfigured(
                f"PARVIS_DATABASE_URL {url!r}: use sqlite:///relative/path or sqlite:////absolute/path"
            )
        name = raw_path[1:] if raw_path.startswith("/") else raw_path
        if not name:
            raise ImproperlyConfigured("PARVIS_DATABASE_URL: sqlite URL needs a file path")
        file = Path(name)
        if not file.is_absolute():
            file = base_dir / file
        return {
            # Django's SQLite backend, keeping each process's connections open between requests.
            "ENGINE": "parvis.core.backends.sqlite",
            "NAME": str(file),
            "OPTIONS": {"init_command": SQLITE_INIT, "transaction_mode": "IMMEDIATE", "timeout": 10},
            "ATOMIC_REQUESTS": False,
        }
    if parts.scheme in {"postgres", "postgresql"}:
        options: dict[str, Any] = dict(parse_qsl(parts.query))
        # Under ASGI each request may run in a new thread, and Django's connections belong to a thread: by default
        # each process keeps a pool of connections (psycopg_pool, at most ?pool_max=, 16 by default) that every
        # request's thread borrows from and gives back, instead of connecting to PostgreSQL for each request.
        # ?conn_max_age=N keeps one connection per thread instead (WSGI servers), without the pool.
        conn_max_age = int(options.pop("conn_max_age", "0"))
        pool_max = int(options.pop("pool_max", "16"))
        if not conn_max_age and pool_max > 0:
            options["pool"] = {"min_size": 1, "max_size": pool_max, "timeout": 10}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "parvis",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"PARVIS_DATABASE_URL scheme {parts.scheme!r} is not supported: use sqlite:/// or postgres://"
    )
