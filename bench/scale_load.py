"""Scale: the thread read and the counts request at 10,000 comments and at 1,000,000, on PostgreSQL (issue 7).

    .venv/bin/python bench/scale_load.py [--comments 1000000 --threads 50000] [--duration 8] [--keep]

For each size in turn (10,000 comments over 500 threads, then the large one): a database `parvis_scale` of
its own on 127.0.0.1:5432 (dropped and created again), then in one process (bench/scale_seed.py) migrate, the
generated comments loaded with COPY (bench/scale_data.py), ANALYZE, and EXPLAIN ANALYZE of every query the two
requests send; then `parvis serve` in production mode (bench/parvis_prod.py) and wrk (bench/wrk.py) at 16 and
64 connections on: reading the measured 200-comment thread (one page of 100 top-level comments with their
replies) and the counts of 50 threads in one request, as bench/server_load.py measures them. It prints the
table, the slowdown of each figure from the small site to the large one against the budget (at most 2× slower),
the plans (any full scan of a growing table is named) and the load average around each size, and writes
bench/.work/scale.json and bench/.work/scale.md (the RESULTS.md section). The database is dropped at the end
unless --keep (then the large one stays). Every step is bounded: wrk runs are timed, the seeding is killed after
15 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import parvis_prod
import scale_keys
import wrk
from server_load import log, machine, measure, postgres_answers, running

BENCH = Path(__file__).resolve().parent
DATABASE = "parvis_scale"
SITE = "scale"
SCENARIOS = ("thread_read", "counts")
BUDGET = 2.0  # the large site may be at most this many times slower than the small one
SMALL = (10_000, 500)


class ScaleParvis(parvis_prod.Parvis):
    """Parvis in production mode on a database the scale generator filled: its requests are the scale ones."""

    def __init__(self, work: Path, database_url: str, workers: int, label: str, threads: int) -> None:
        super().__init__(work, database_url, workers, label)
        self.threads = threads
        self.requests = scale_keys.requests(SITE, threads)

    def seed(self, comments: int) -> dict[str, Any]:
        """bench/scale_seed.py with the server's environment; its last line is the JSON it reports."""
        seeded = subprocess.run(  # noqa: S603 (fixed argument list)
            [str(parvis_prod.PYTHON), str(BENCH / "scale_seed.py"), SITE, str(comments), str(self.threads)],
            env=self.env,
            cwd=self.work,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        (self.work / "seed.log").write_text(seeded.stdout + seeded.stderr)
        if seeded.returncode:
            raise RuntimeError(f"bench/scale_seed.py failed: {seeded.stdout[-2000:]}{seeded.stderr[-3000:]}")
        for line in seeded.stdout.splitlines():
            if line.startswith("["):
                log(f"{self.label}: {line}")
        return dict(json.loads(seeded.stdout.strip().splitlines()[-1]))

    def thread_path(self) -> str:
        return self.requests["thread_read"][1]

    def counts_request(self) -> tuple[str, str]:
        _, path, body = self.requests["counts"]
        return path, body or ""


def fetch(url: str, body: str | None = None) -> Any:
    request = urllib.request.Request(  # noqa: S310 (the harness's own server on 127.0.0.1)
        url, data=body.encode() if body is not None else None, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
        return json.load(answer)


def check(parvis: ScaleParvis) -> dict[str, Any]:
    """What the server answers, before it is measured: the page's shape and the counts asked."""
    thread = fetch(parvis.url + parvis.thread_path())
    path, body = parvis.counts_request()
    counts = fetch(parvis.url + path, body)["counts"]

    def size(nodes: list[dict[str, Any]]) -> int:
        return sum(1 + size(node["replies"]) for node in nodes)

    return {
        "thread_count": thread["thread"]["count"],
        "top_level_total": thread["top_level_total"],
        "top_level_on_page": len(thread["comments"]),
        "comments_on_page": size(thread["comments"]),
        "counts_asked": len(counts),
        "counts_sum": sum(counts.values()),
    }


def run_size(label: str, comments: int, threads: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    url = parvis_prod.postgres_url(args.postgres_url, DATABASE) + "?conn_max_age=0"
    parvis = ScaleParvis(work / label, url, args.workers, label, threads)
    result: dict[str, Any] = {"comments": comments, "threads": threads, "load_before": os.getloadavg()}
    log(f"{label}: migrate, load {comments:,} comments over {threads:,} threads, VACUUM ANALYZE, EXPLAIN")
    started = time.monotonic()
    result["seed"] = parvis.seed(comments)
    result["seed_wall_s"] = round(time.monotonic() - started, 1)
    with running(parvis.server):
        result["check"] = check(parvis)
        log(f"{label}: serving on {parvis.url}; {result['check']}")
        result["load_at_measure"] = os.getloadavg()
        result["figures"] = measure(f"parvis-{label}", parvis, args)
    result["load_after"] = os.getloadavg()
    return result


def slowdowns(small: dict[str, Any], large: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Per scenario and connection count: how many times fewer answers per second (and how much longer p50 and
    p99) the large site gives than the small one; the budget is met when no throughput falls by more than 2×."""
    found: dict[str, Any] = {}
    for scenario in args.scenarios:
        for count in map(str, args.connections):
            a, b = small["figures"][scenario][count], large["figures"][scenario][count]
            rps = round(a["rps"] / b["rps"], 2) if b["rps"] else None
            found[f"{scenario} c={count}"] = {
                "rps_small": a["rps"],
                "rps_large": b["rps"],
                "slowdown": rps,
                "p50_ratio": round(b["p50_ms"] / a["p50_ms"], 2) if a["p50_ms"] else None,
                "p99_ratio": round(b["p99_ms"] / a["p99_ms"], 2) if a["p99_ms"] else None,
                "met": rps is not None and rps <= BUDGET,
            }
    return found


def _cell(figures: dict[str, Any]) -> str:
    if not figures["requests"]:
        return f"no answer within {figures['seconds']:.0f} s"
    errors = f", {figures['errors']} errors" if figures["errors"] else ""
    return f"{figures['rps']:,.0f} req/s, p50 {figures['p50_ms']:.1f} / p99 {figures['p99_ms']:.1f} ms{errors}"


def _plans(size: dict[str, Any]) -> list[str]:
    lines = []
    for name, found in size["seed"]["explain"].items():
        lines.append(f"{name}: {found['queries']} queries, answer {found['bytes']:,} bytes")
        for select in found["selects"]:
            sql = select["sql"]
            lines.append("")
            lines.append("-- " + (sql if len(sql) <= 300 else sql[:300] + " …"))
            lines.extend(select["plan"].splitlines())
        lines.append("")
    return lines


def _execution_ms(plan: str) -> float | None:
    for line in plan.splitlines():
        if line.startswith("Execution Time:"):
            return float(line.split()[2])
    return None


def query_times(report: dict[str, Any]) -> list[str]:
    """Each query's execution time in the database at both sizes (EXPLAIN ANALYZE): what the table alone
    contributes, free of the machine's load on the server processes."""
    small, large = report["sizes"]["small"]["seed"]["explain"], report["sizes"]["large"]["seed"]["explain"]
    lines = ["| request | query | scan at the large size | ms at the small size | ms at the large size |"]
    lines.append("|---|---|---|---|---|")
    for name, found in large.items():
        for position, select in enumerate(found["selects"]):
            earlier = small.get(name, {}).get("selects", [])
            before = earlier[position] if position < len(earlier) else None
            table = select["sql"].split(" FROM ", 1)[-1].split()[0].strip('"')
            scans = [
                line.strip().removeprefix("->").strip().split("  (")[0]
                for line in select["plan"].splitlines()
                if "Scan" in line and "Bitmap Heap" not in line
            ]
            small_ms = _execution_ms(before["plan"]) if before else None
            lines.append(
                f"| {name} | {position + 1}: {table} | {'; '.join(scans[:3])} | {small_ms} | "
                f"{_execution_ms(select['plan'])} |"
            )
    return lines


def markdown(report: dict[str, Any], args: argparse.Namespace) -> str:
    facts = report["machine"]
    small, large = report["sizes"]["small"], report["sizes"]["large"]
    names = {"small": f"{small['comments']:,} comments", "large": f"{large['comments']:,} comments"}
    lines = [
        f"## Scale: one million comments on PostgreSQL — {report['date']}",
        "",
        f"Command: `{report['command']}` ({report['seconds']} s in all). Machine: {facts['cpus']} cores "
        f"({facts['cpu_model']}), {facts['memory_gib']} GiB, kernel {facts['kernel']}, Python {facts['python']}, "
        f"{facts['wrk']}, PostgreSQL {report['postgres']}; {args.workers} server processes, {args.duration:.0f} s "
        "per measurement.",
        "",
    ]
    for key in ("small", "large"):
        size = report["sizes"][key]
        seed = size["seed"]
        loaded = seed["loaded"]
        lines.append(
            f"- {names[key]} over {size['threads']:,} threads: generated and written in {loaded['seconds']} s "
            f"(recount {loaded['recount_seconds']} s), migrate {seed['timings']['migrate_s']} s, VACUUM ANALYZE "
            f"{seed['timings']['analyze_s']} s, {size['seed_wall_s']} s with Python start-up; "
            f"{loaded['replies']:,} replies, statuses {loaded['statuses']}, languages {loaded['languages']}, "
            f"{loaded['commenters']:,} commenters, largest thread {loaded['largest_thread']:,}; sizes {seed['sizes']}; "
            f"load average {[round(x, 2) for x in size['load_before']]} before, "
            f"{[round(x, 2) for x in size['load_at_measure']]} when measured, "
            f"{[round(x, 2) for x in size['load_after']]} after; answers checked: {size['check']}"
        )
    lines += ["", f"| path | conns | {names['small']} | {names['large']} | slowdown (budget ≤ {BUDGET:.0f}×) |"]
    lines.append("|---|---|---|---|---|")
    for scenario in args.scenarios:
        for count in map(str, args.connections):
            ratio = report["slowdowns"][f"{scenario} c={count}"]
            verdict = "met" if ratio["met"] else "**missed**"
            lines.append(
                f"| {scenario} | {count} | {_cell(small['figures'][scenario][count])} | "
                f"{_cell(large['figures'][scenario][count])} | {ratio['slowdown']}× ({verdict}; p50 "
                f"{ratio['p50_ratio']}×, p99 {ratio['p99_ratio']}×) |"
            )
    lines += ["", f"Verdict: {report['verdict']}", ""]
    lines += query_times(report)
    lines.append("")
    scans = report["full_scans_large"]
    lines.append(
        "Plans at the large size: "
        + ("no full scan of the comment, thread or decision table." if not scans else f"full scans: {scans}.")
    )
    lines += ["", "<details><summary>EXPLAIN (ANALYZE, BUFFERS) at the large size</summary>", "", "```"]
    lines += _plans(large)
    lines += ["```", "", "</details>", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=50_000)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement (default 8)")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="Parvis server processes")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/test",
                        help="a database to connect to while creating the harness's own parvis_scale")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="leave the large database parvis_scale in place")
    parser.add_argument("--out", type=Path, default=BENCH / ".work" / "scale.json")
    parser.add_argument("--markdown", type=Path, default=BENCH / ".work" / "scale.md")
    parser.add_argument("--report-only", type=Path, default=None, help="only write --markdown from this JSON")
    args = parser.parse_args(argv)
    args.scenarios = list(SCENARIOS)
    if args.report_only:
        args.markdown.write_text(markdown(json.loads(args.report_only.read_text()), args))
        print(args.markdown.read_text())
        return 0
    if not wrk.available():
        print("wrk is missing: `apt-get install wrk` (make bench-scale installs it)", file=sys.stderr)
        return 2
    if not postgres_answers(args.postgres_url):
        print(f"PostgreSQL does not answer at {args.postgres_url}", file=sys.stderr)
        return 2
    begun = time.monotonic()
    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": "make bench-scale = .venv/bin/python bench/scale_load.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "sizes": {},
    }
    import psycopg

    with psycopg.connect(args.postgres_url, connect_timeout=5) as connection:
        report["postgres"] = connection.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    with tempfile.TemporaryDirectory(prefix="parvis-scale-") as folder:
        work = Path(folder)
        try:
            report["sizes"]["small"] = run_size("small", *SMALL, args, work)
            parvis_prod.drop_postgres(args.postgres_url, DATABASE)
            report["sizes"]["large"] = run_size("large", args.comments, args.threads, args, work)
        finally:
            if not args.keep:
                parvis_prod.drop_postgres(args.postgres_url, DATABASE)
            logs = BENCH / ".work" / "scale-logs"
            logs.mkdir(parents=True, exist_ok=True)
            for found in work.glob("*/*.log"):
                found.replace(logs / f"{found.parent.name}-{found.name}")
    report["seconds"] = round(time.monotonic() - begun, 1)
    report["slowdowns"] = slowdowns(report["sizes"]["small"], report["sizes"]["large"], args)
    missed = [name for name, ratio in report["slowdowns"].items() if not ratio["met"]]
    report["verdict"] = (
        f"within the budget: at {args.comments:,} comments no figure is more than {BUDGET:.0f}× slower than at "
        f"{SMALL[0]:,}."
        if not missed
        else f"budget missed for {', '.join(missed)}."
    )
    report["full_scans_large"] = {
        name: sorted({table for select in found["selects"] for table in select["full_scans"]})
        for name, found in report["sizes"]["large"]["seed"]["explain"].items()
        if any(select["full_scans"] for select in found["selects"])
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    args.markdown.write_text(markdown(report, args))
    print()
    print(args.markdown.read_text())
    log(f"wrote {args.out} and {args.markdown} ({report['seconds']} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
