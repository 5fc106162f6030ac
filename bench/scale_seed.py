"""Prepare one size of the scale benchmark in one process: migrate, create the site, load the comments
(bench/scale_data.py), VACUUM and ANALYZE, then EXPLAIN ANALYZE the queries the thread read and the counts request run.

Run by bench/scale_load.py with the project's interpreter and the server's environment (production settings),
before the server starts:

    PARVIS_DATABASE_URL=... PARVIS_SECRET_KEY=... .venv/bin/python bench/scale_seed.py SITE COMMENTS THREADS

The queries are the ones the API really sends: both requests go through Django's test client in this process
(the real URLconf, middleware and views) while the queries are captured, and each captured SELECT is explained
on the loaded, analyzed database. The last line printed is JSON: what was loaded, how long each step took, the
plans.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings.prod")

import django

django.setup()

from dataclasses import asdict  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from scale_data import write  # noqa: E402
from scale_keys import explained  # noqa: E402

from parvis.core.models import Site  # noqa: E402

# Tables the generator fills, whose full scan grows with the site: a plan reading one of them whole is reported
# (moderation decisions are not generated: the read only asks for the newest id, which the primary key answers).
GROWING = ("comments_comment", "threads_thread", "accounts_commenter")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def explain(site: str, threads: int) -> dict[str, Any]:
    """Each request through the app with its queries captured, then each SELECT's plan (EXPLAIN ANALYZE)."""
    host = os.environ.get("PARVIS_PUBLIC_URL", "http://127.0.0.1").split("//", 1)[-1].split(":")[0]
    client = Client(SERVER_NAME=host)
    found: dict[str, Any] = {}
    for name, (method, path, body) in explained(site, threads).items():
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(path) if method == "GET" else client.post(path, body, content_type="application/json")
        if answer.status_code != 200:
            raise RuntimeError(f"{name}: {answer.status_code} {answer.content[:500]!r}")
        plans = []
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            plan = ""
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
            scans = [table for table in GROWING if f"Seq Scan on {table}" in plan]
            plans.append({"sql": sql, "plan": plan, "full_scans": scans})
        found[name] = {"queries": len(captured.captured_queries), "bytes": len(answer.content), "selects": plans}
    return found


def prepare(slug: str, comments: int, threads: int) -> dict[str, Any]:
    timings: dict[str, float] = {}
    started = time.monotonic()
    call_command("migrate", "--noinput", verbosity=0)
    timings["migrate_s"] = round(time.monotonic() - started, 1)
    call_command("site", "create", slug, "--name=Scale", "--origin=http://127.0.0.1", "--language=fr")
    site = Site.objects.get(slug=slug)
    log(f"migrated in {timings['migrate_s']} s; loading {comments:,} comments over {threads:,} threads")
    loaded = write(site, comments, threads, progress=log)
    timings["load_s"] = loaded.seconds
    analyzing = time.monotonic()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM as well as ANALYZE: a settled table (autovacuum has been by) has its visibility map set, so an
            # index-only scan need not visit the rows; right after a load nothing has.
            cursor.execute("VACUUM (ANALYZE)")
    timings["analyze_s"] = round(time.monotonic() - analyzing, 1)
    log(f"loaded in {loaded.seconds} s (recount {loaded.recount_seconds} s), VACUUM ANALYZE {timings['analyze_s']} s")
    sizes: dict[str, Any] = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('comments_comment')), "
                "pg_size_pretty(pg_indexes_size('comments_comment')), "
                "pg_size_pretty(pg_database_size(current_database()))"
            )
            table, indexes, database = cursor.fetchone()
            sizes = {"comment_table_total": table, "comment_indexes": indexes, "database": database}
    return {"loaded": asdict(loaded), "timings": timings, "sizes": sizes, "explain": explain(slug, threads)}


if __name__ == "__main__":
    result = prepare(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    print(json.dumps(result, ensure_ascii=False))
