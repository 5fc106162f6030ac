"""Import speed: a generated 200,000-comment WordPress export imported into an empty database.

    .venv/bin/python bench/import_speed.py                     # SQLite, in a temporary directory
    .venv/bin/python bench/import_speed.py --postgres postgres://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/import_speed.py --comments 20000    # a quicker look

It runs `parvis import wordpress` as a newsroom would, in a child process on a fresh database (on PostgreSQL
a new database created next to the one named, dropped afterwards), and prints the comments per second of
the import itself (migration excluded), the CPU time it took (on a shared machine the figure that does not depend
on the neighbours) and the import process's peak resident memory. On PostgreSQL it also reads the CPU time of
the server process that served the import (from /proc, sampled every 50 ms while it runs, so the last few
milliseconds may be missed): with the importer's CPU it tells what the import needs of a machine, whatever the
neighbours do. Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parvis.importers.samples import write_wxr  # noqa: E402
from tests.servers import fresh_postgres_database  # noqa: E402

PARVIS = str(Path(sys.executable).with_name("parvis"))
TICKS = os.sysconf("SC_CLK_TCK")


class BackendCpu:
    """CPU seconds of the PostgreSQL server processes connected to ``url``'s database, sampled until stopped."""

    def __init__(self, url: str) -> None:
        self.url = urlunsplit(urlsplit(url)._replace(scheme="postgresql", query=""))
        self.database = urlsplit(url).path.lstrip("/")
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            mine = connection.info.backend_pid
            while not self.stop.is_set():
                rows = connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                                          [self.database, mine]).fetchall()  # fmt: skip
                for (pid,) in rows:
                    try:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    self.seen[pid] = (int(fields[11]) + int(fields[12])) / TICKS
                self.stop.wait(0.05)

    def __enter__(self) -> BackendCpu:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL: benchmark there instead of SQLite")
    parser.add_argument("--profile", default="", help="record the import with py-spy (collapsed stacks)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parvis-import-bench-") as directory:
        folder = Path(directory)
        started = time.perf_counter()
        export = write_wxr(folder / "export.xml", options.comments)
        print(f"generated {options.comments:,} comments, {export.stat().st_size / 1e6:.0f} MB, "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        database = fresh_postgres_database(options.postgres, "parvis_bench") if options.postgres else nullcontext(None)
        with database as url:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("PARVIS_", "DJANGO_"))}
            env.update(PARVIS_MODE="dev", PARVIS_DATA_DIR=directory,
                       PARVIS_DATABASE_URL=url or f"sqlite:///{folder / 'bench.sqlite3'}")  # fmt: skip
            for command in (
                ["migrate"],
                ["site", "create", "news", "--name", "News", "--origin", "https://news.example"],
            ):
                subprocess.run([PARVIS, *command], env=env, check=True, capture_output=True)  # noqa: S603
            started = time.perf_counter()
            command = [PARVIS, "import", "wordpress", str(export), "--site", "news", "--json"]
            if options.profile:
                spy = str(Path(sys.executable).with_name("py-spy"))
                command = [spy, "record", "--format", "raw", "--rate", "50", "--threads", "--idle", "-o",
                           options.profile, "--", *command]  # fmt: skip
            with BackendCpu(url) if url else nullcontext() as server_cpu:
                result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
            seconds = time.perf_counter() - started
        if result.returncode:
            print(result.stdout, result.stderr)
            return 1
        summary, _ = json.JSONDecoder().raw_decode(result.stdout[result.stdout.index("{") :])  # py-spy talks too
        imported = summary["comments"]["new"]
        peak = summary["peak_rss_mb"]  # the import process's own peak (not the migration's)
        backend = "PostgreSQL" if options.postgres else "SQLite"
        print(f"{backend}: {imported:,} comments imported in {summary['seconds']:.1f} s = "
              f"{imported / summary['seconds']:,.0f} comments/s; CPU {summary['cpu_seconds']:.1f} s = "
              f"{imported / summary['cpu_seconds']:,.0f} comments per CPU-second (the whole command: {seconds:.1f} s "
              "with start-up); "
              f"peak RSS {peak:.0f} MB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
        if server_cpu is not None:
            server = server_cpu.seconds
            print(f"PostgreSQL server process: CPU {server:.1f} s (with the importer's: "
                  f"{summary['cpu_seconds'] + server:.1f} s = "
                  f"{imported / (summary['cpu_seconds'] + server):,.0f} comments per CPU-second of both; the longer "
                  f"of the two, the least wall-clock time on a quiet machine of two cores or more: "
                  f"{imported / max(summary['cpu_seconds'], server):,.0f} comments/s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
