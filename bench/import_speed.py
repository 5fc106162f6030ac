"""Import speed: a generated 200,000-comment WordPress export imported into an empty database.

    .venv/bin/python bench/import_speed.py                     # SQLite, in a temporary directory
    .venv/bin/python bench/import_speed.py --postgres postgres://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/import_speed.py --comments 20000    # a quicker look

It runs `parvis import wordpress` as a newsroom would, in a child process on a fresh database (on PostgreSQL
a new database created next to the one named, dropped afterwards), and prints the comments per second of
the import itself (migration excluded), the CPU time it took (on a shared machine the figure that does not depend
on the neighbours) and the import process's peak resident memory. Results go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parvis.importers.samples import write_wxr  # noqa: E402
from tests.servers import fresh_postgres_database  # noqa: E402

PARVIS = str(Path(sys.executable).with_name("parvis"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL: benchmark there instead of SQLite")
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
            result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
            seconds = time.perf_counter() - started
        if result.returncode:
            print(result.stdout, result.stderr)
            return 1
        summary = json.loads(result.stdout)
        imported = summary["comments"]["new"]
        peak = summary["peak_rss_mb"]  # the import process's own peak (not the migration's)
        backend = "PostgreSQL" if options.postgres else "SQLite"
        print(f"{backend}: {imported:,} comments imported in {summary['seconds']:.1f} s = "
              f"{imported / summary['seconds']:,.0f} comments/s; CPU {summary['cpu_seconds']:.1f} s = "
              f"{imported / summary['cpu_seconds']:,.0f} comments per CPU-second (the whole command: {seconds:.1f} s "
              "with start-up); "
              f"peak RSS {peak:.0f} MB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
