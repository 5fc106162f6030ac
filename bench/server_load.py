"""Parvis against its peer Isso and a static nginx, under the same load on this machine (issue 7).

    .venv/bin/python bench/server_load.py [--duration 10] [--connections 16 64] [--only isso sqlite postgresql]

Installs Isso from PyPI into bench/.work/isso-venv and runs it under gunicorn (its documented production
setup); runs `parvis serve` in production mode on SQLite and on PostgreSQL (a database `parvis_bench` of
its own on 127.0.0.1:5432); seeds both with the same comments (bench/seed_data.py); drives each with wrk at
each connection count for: reading the 200-comment thread, the counts of 50 threads in one request, and
posting comments (Parvis's whole moderation pipeline runs on each). It samples each server's peak memory
(whole process tree, /proc), serves the thread's answer bytes from nginx as the static baseline, compares the
widget's gzip bytes with Isso's embed.min.js, profiles Parvis's two slowest paths with py-spy, prints the
table and ratios and writes bench/results.json. All traffic is on 127.0.0.1; every run is bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import isso_peer
import nginx_static
import parvis_prod
import profiling
import wrk
from memory import PeakSampler
from seed_data import BIG_THREAD, COUNT_KEYS

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WIDGET_META = ROOT / "parvis" / "embed" / "static" / "parvis-widget" / "meta.json"
SCENARIOS = ("thread_read", "counts", "create")
JSON_HEADERS = {"Content-Type": "application/json"}
# Budgets of issue 7 (Parvis on SQLite against Isso on SQLite, at the highest connection count).
BUDGETS = {
    "thread_read_vs_isso": (">=", 20.0),
    "thread_read_p99_ms": ("<=", 25.0),
    "thread_read_vs_static": (">=", 1 / 3),
    "counts_vs_isso": (">=", 5.0),
    "create_vs_isso": (">=", 2.0),
    "rss_vs_isso": ("<=", 1.0),
    "widget_gzip_vs_isso": ("<=", 0.5),
}

Target = Any  # an isso_peer.Isso or a parvis_prod.Parvis: thread_path(), counts_request(), create_request()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def fetch(url: str, body: str | None = None, timeout: float = 60) -> bytes:
    request = urllib.request.Request(  # noqa: S310 (the harness's own servers on 127.0.0.1)
        url, data=body.encode() if body is not None else None, headers=JSON_HEADERS
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
        return bytes(answer.read())


def machine() -> dict[str, Any]:
    with contextlib.suppress(OSError):
        memory = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    model = ""
    with contextlib.suppress(OSError):
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0],  # noqa: S607
    }


def scenario_request(target: Target, scenario: str) -> dict[str, Any]:
    if scenario == "thread_read":
        return {"path": target.thread_path()}
    path, body = target.counts_request() if scenario == "counts" else target.create_request()
    return {"path": path, "method": "POST", "body": body, "headers": JSON_HEADERS, "statuses": scenario == "create"}


def settled(url: str, limit: float = 20.0) -> bool:
    """Whether `url` answers within a second before `limit`: the requests a finished wrk run left queued in
    the server are served first, and must not be counted against the next measurement."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            fetch(url, timeout=2)
            if time.monotonic() - started < 1.0:
                return True
        time.sleep(0.2)
    return False


def settle(server: Any, url: str) -> None:
    """A server still busy with a finished run's queue (Isso's sync workers serve every queued request, even
    those whose client has gone) is restarted instead of waited for: its queue can take minutes to drain."""
    if not settled(url):
        log(f"{server.name}: still serving the previous run's queue; restarting it")
        server.stop()
        server.start()


def measure(name: str, target: Target, args: argparse.Namespace) -> dict[str, dict[str, dict[str, float | int]]]:
    """Each scenario at each connection count, after a 1-second warm-up, on a server that has settled."""
    figures: dict[str, dict[str, dict[str, float | int]]] = {}
    url, connections, seconds = target.url, args.connections, args.duration
    quick = url + target.health_path()
    for scenario in args.scenarios:
        request = scenario_request(target, scenario)
        # Warm-up, not recorded: two connections, so a slow server is not left with a long queue.
        wrk.run(url, connections=2, seconds=1, **request)
        figures[scenario] = {}
        for count in connections:
            settle(target.server, quick)
            load = wrk.run(url, connections=count, seconds=seconds, **request)
            figures[scenario][str(count)] = load.to_json()
            log(
                f"{name:18} {scenario:12} c={count:<3} {load.rps:9.1f} req/s  p50 {load.p50_ms:8.2f} ms  "
                f"p99 {load.p99_ms:8.2f} ms  errors {load.errors}  {load.statuses or ''}"
            )
    return figures


def check_isso(isso: isso_peer.Isso) -> dict[str, Any]:
    thread = json.loads(fetch(isso.url + isso.thread_path()))
    path, body = isso.counts_request()
    counts = json.loads(fetch(isso.url + path, body))
    replies = sum(len(top.get("replies", [])) for top in thread["replies"])
    return {"top_level": len(thread["replies"]), "replies": replies, "counts": sorted(set(counts))}


def check_parvis(parvis: parvis_prod.Parvis) -> tuple[dict[str, Any], bytes]:
    raw = fetch(parvis.url + parvis.thread_path())
    thread = json.loads(raw)
    path, body = parvis.counts_request()
    counts = json.loads(fetch(parvis.url + path, body))["counts"]
    replies = sum(len(top["replies"]) for top in thread["comments"])
    return {
        "top_level": len(thread["comments"]),
        "replies": replies,
        "counts": sorted(set(counts.values())),
        "thread_bytes": len(raw),
    }, raw


@contextlib.contextmanager
def running(server: Any) -> Iterator[None]:
    server.start()
    try:
        yield
    finally:
        server.stop()


def run_isso(work: Path, args: argparse.Namespace, report: dict[str, Any]) -> None:
    log("Isso: virtualenv (PyPI: " + ", ".join(isso_peer.PACKAGES) + ")")
    isso_peer.ensure_venv()
    isso = isso_peer.Isso(work / "isso", args.isso_workers)
    with running(isso.server):
        started = time.monotonic()
        report["seeding"]["isso"] = isso.seed()
        report["seeding"]["isso"]["seconds"] = round(time.monotonic() - started, 1)
        report["checks"]["isso"] = check_isso(isso)
        log(f"Isso seeded: {report['seeding']['isso']} {report['checks']['isso']}")
        with PeakSampler(lambda: isso.server.pid) as memory:
            report["load"]["isso"] = measure("isso", isso, args)
        report["memory"]["isso"] = {
            "peak_rss_kib": memory.peak_rss_kib,
            "peak_pss_kib": memory.peak_pss_kib,
            "processes": memory.processes,
            "workers": args.isso_workers,
            "at_peak": memory.at_peak,
        }
    report["widget"]["isso_embed_gzip"] = isso_peer.embed_gzip_bytes()


def run_parvis(label: str, database_url: str, work: Path, args: argparse.Namespace, report: dict[str, Any]) -> bytes:
    parvis = parvis_prod.Parvis(work / f"parvis-{label}", database_url, args.workers, label)
    name = f"parvis-{label}"
    started = time.monotonic()
    log(f"{name}: migrate, site, listing seed")
    seeding = {"listing": parvis.prepare()}
    with running(parvis.server):
        log(f"{name}: serving on {parvis.url}; posting the 200-comment thread")
        seeding["big_thread"] = parvis.seed_thread()
        seeding["seconds"] = str(round(time.monotonic() - started, 1))
        report["seeding"][name] = seeding
        check, raw = check_parvis(parvis)
        report["checks"][name] = check
        log(f"{name} seeded: {seeding} {check}")
        with PeakSampler(lambda: parvis.server.pid) as memory:
            report["load"][name] = measure(name, parvis, args)
        report["memory"][name] = {
            "peak_rss_kib": memory.peak_rss_kib,
            "peak_pss_kib": memory.peak_pss_kib,
            "processes": memory.processes,
            "workers": args.workers,
            "at_peak": memory.at_peak,
        }
        if args.profile_seconds and label == "sqlite":
            report["profiles"] = profile_slowest(parvis, report["load"][name], args)
    return raw


def profile_slowest(parvis: parvis_prod.Parvis, figures: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """py-spy on every server process while one path is under load, for the two paths with the fewest req/s."""
    top = str(args.connections[-1])
    slowest = sorted(figures, key=lambda scenario: figures[scenario][top]["rps"])[:2]
    found: dict[str, Any] = {}
    for scenario in slowest:
        request = scenario_request(parvis, scenario)

        def load(request: dict[str, Any] = request) -> None:
            wrk.run(parvis.url, connections=args.connections[-1], seconds=args.profile_seconds + 2, **request)

        for mode, gil in (("cpu", True), ("wall", False)):
            settle(parvis.server, parvis.url + parvis.health_path())
            output = BENCH / ".work" / "profiles" / f"{scenario}-{mode}.txt"
            log(f"profiling {scenario} ({mode}) for {args.profile_seconds} s (py-spy, all server processes)")
            pid = parvis.server.pid
            found[f"{scenario}-{mode}"] = profiling.record(pid, args.profile_seconds, output, load, gil=gil)
    return found


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def summarise(report: dict[str, Any], args: argparse.Namespace) -> None:
    top = str(args.connections[-1])
    load = report["load"]

    def rps(server: str, scenario: str) -> float:
        return float(load.get(server, {}).get(scenario, {}).get(top, {}).get("rps", 0.0))

    static = float(load.get("nginx-static", {}).get("thread_read", {}).get(top, {}).get("rps", 0.0))
    widget = report["widget"]
    for server in ("parvis-sqlite", "parvis-postgresql"):
        if server not in load or "isso" not in load:
            continue
        memory = report["memory"]
        ratios = {
            "thread_read_vs_isso": ratio(rps(server, "thread_read"), rps("isso", "thread_read")),
            "thread_read_vs_static": ratio(rps(server, "thread_read"), static),
            "counts_vs_isso": ratio(rps(server, "counts"), rps("isso", "counts")),
            "create_vs_isso": ratio(rps(server, "create"), rps("isso", "create")),
            "rss_vs_isso": ratio(memory[server]["peak_rss_kib"], memory["isso"]["peak_rss_kib"]),
            "widget_gzip_vs_isso": ratio(widget.get("parvis_reader_gzip", 0), widget.get("isso_embed_gzip", 0)),
        }
        for scenario in ("thread_read", "counts", "create"):
            if rps("isso", scenario) > 0 or rps(server, scenario) == 0 or scenario not in load.get("isso", {}):
                continue
            # Isso answered nothing within the run at the highest count: its throughput does not grow with
            # connections (sync workers), so its best figure at another count is used; if it has none, fewer than
            # one answer per run, and the ratio is a lower bound.
            best = max(float(figures["rps"]) for figures in load["isso"][scenario].values())
            ratios[f"{scenario}_vs_isso"] = ratio(rps(server, scenario), best or 1 / args.duration)
            report.setdefault("notes", []).append(
                f"{server} {scenario}_vs_isso: Isso completed no request at {top} connections in {args.duration} s; "
                + (f"its best rate ({best} req/s) is used" if best else "the ratio is a lower bound")
            )
        key = "ratios" if server == "parvis-sqlite" else "ratios_postgresql"
        report[key] = ratios
        read = load[server].get("thread_read", {}).get(top, {})
        # No answer within the run is no p99 at all, not a p99 of 0.
        p99 = float(read["p99_ms"]) if read.get("requests") else None
        verdicts = {}
        for budget, (sense, limit) in BUDGETS.items():
            value = p99 if budget == "thread_read_p99_ms" else ratios.get(budget)
            met = value is not None and (value >= limit if sense == ">=" else value <= limit)
            verdicts[budget] = {"value": value, "budget": f"{sense} {round(limit, 3)}", "met": met}
        report["budgets" if server == "parvis-sqlite" else "budgets_postgresql"] = verdicts
    report["rps"] = {
        server: {s: {c: v["rps"] for c, v in by_c.items()} for s, by_c in figures.items()}
        for server, figures in load.items()
    }
    report["p99_ms"] = {
        server: {s: {c: v["p99_ms"] for c, v in by_c.items()} for s, by_c in figures.items()}
        for server, figures in load.items()
    }


def table(report: dict[str, Any], args: argparse.Namespace) -> str:
    load = report["load"]
    servers = [name for name in ("isso", "parvis-sqlite", "parvis-postgresql", "nginx-static") if name in load]
    lines = ["| path | conns | " + " | ".join(servers) + " | Parvis SQLite / Isso |", "|---" * (len(servers) + 3) + "|"]
    for scenario in SCENARIOS:
        for count in map(str, args.connections):
            cells = []
            for server in servers:
                figures = load[server].get(scenario, {}).get(count)
                if figures and not figures["requests"]:
                    cells.append(f"no answer within {figures['seconds']:.0f} s")
                    continue
                if not figures:
                    cells.append("—")
                    continue
                rate = f"{figures['rps']:,.{0 if figures['rps'] >= 10 else 1}f}"
                errors = f", {figures['errors']} errors" if figures["errors"] else ""
                cells.append(f"{rate} req/s, p50 {figures['p50_ms']:.1f} / p99 {figures['p99_ms']:.1f} ms{errors}")
            isso = load.get("isso", {}).get(scenario, {}).get(count)
            parvis = load.get("parvis-sqlite", {}).get(scenario, {}).get(count)
            share = f"{parvis['rps'] / isso['rps']:.2f}×" if isso and parvis and isso["rps"] else "—"
            lines.append(f"| {scenario} | {count} | " + " | ".join(cells) + f" | {share} |")
    memory = report["memory"]
    lines.append(
        "| peak RSS (whole tree) | | "
        + " | ".join(f"{memory[s]['peak_rss_kib'] / 1024:,.0f} MiB" if s in memory else "—" for s in servers)
        + " | |"
    )
    return "\n".join(lines)


def markdown(report: dict[str, Any], args: argparse.Namespace) -> str:
    """The run as a RESULTS.md section: machine, command, table, ratios, budgets, profiles."""
    facts = report["machine"]
    lines = [
        f"## Parvis against Isso and a static nginx — {report['date']}",
        "",
        f"Command: `{report['command']}` ({report.get('seconds', '?')} s in all). Machine: {facts['cpus']} cores "
        f"({facts['cpu_model']}), {facts['memory_gib']} GiB, kernel {facts['kernel']}, Python {facts['python']}, "
        f"{facts['wrk']}; load average {facts['load_average']} before, {facts.get('load_average_after')} after.",
        "",
        table(report, args),
        "",
    ]
    for key in ("ratios", "ratios_postgresql"):
        if key in report:
            lines.append(f"- `{key}`: " + ", ".join(f"{name} **{value}**" for name, value in report[key].items()))
    for key in ("budgets", "budgets_postgresql"):
        verdicts = report.get(key, {})
        if verdicts:
            said = [
                f"{name} {v['value']} ({v['budget']}) {'met' if v['met'] else '**missed**'}"
                for name, v in verdicts.items()
            ]
            lines.append(f"- `{key}`: " + "; ".join(said))
    widget = report["widget"]
    lines.append(f"- widget: {widget}")
    lines.extend(f"- note: {note}" for note in report.get("notes", []))
    for server, memory in report["memory"].items():
        parts = " + ".join(
            f"{rss / 1024:.0f}" + (" (task worker)" if "worker" in command.split()[-1:] else "")
            for rss, command in memory.get("at_peak", [])
        )
        lines.append(
            f"- peak memory of {server}: RSS {memory['peak_rss_kib'] / 1024:.0f} MiB = {parts} MiB "
            f"(PSS {memory['peak_pss_kib'] / 1024:.0f} MiB), {memory['processes']} processes"
        )
    for name, found in report.get("profiles", {}).items():
        if "error" in found:
            lines.append(f"- profile {name}: {found['error']}")
            continue
        waiting = found.get("waiting_samples", 0)
        lines.append(f"- profile {name} ({found['samples']} samples working, {waiting} waiting; bench/{found['raw']}):")
        lines.append("  - by package: " + ", ".join(f"{area} {share}%" for area, share in found["by_area"][:10]))
        lines.append("  - running: " + ", ".join(f"{frame} {share}%" for frame, share in found["self"][:8]))
        own = ", ".join(f"{frame} {share}%" for frame, share in found["inclusive"][:12])
        lines.append(f"  - Parvis inclusive: {own}")
    return "\n".join(lines) + "\n"


def widget_bytes() -> dict[str, int]:
    """What a reader downloads of Parvis's widget (loader, app JS, app CSS), each file gzipped at level 9."""
    meta = json.loads(WIDGET_META.read_text())
    folder = WIDGET_META.parent
    sizes = {
        part: len(gzip.compress((folder / meta["files"][part]).read_bytes(), compresslevel=9))
        for part in ("embed", "app_js", "app_css")
    }
    return {**{f"parvis_{part}_gzip": size for part, size in sizes.items()}, "parvis_reader_gzip": sum(sizes.values())}


def postgres_answers(url: str) -> bool:
    host = url.split("@")[-1].split("/")[0]
    name, _, port = host.partition(":")
    with contextlib.suppress(OSError), socket.create_connection((name, int(port or 5432)), 2):
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement (default 8)")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["isso", "sqlite", "postgresql", "nginx"],
        default=["isso", "sqlite", "postgresql", "nginx"],
    )
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="Parvis server processes")
    parser.add_argument("--isso-workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers for Isso")
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/test",
        help="a database to connect to while creating the harness's own parvis_bench",
    )
    parser.add_argument("--profile-seconds", type=float, default=5.0, help="py-spy per slow path; 0: no profile")
    parser.add_argument("--out", type=Path, default=BENCH / "results.json")
    parser.add_argument("--markdown", type=Path, default=BENCH / ".work" / "server_load.md", help="the run in Markdown")
    parser.add_argument("--report-only", type=Path, default=None, help="only write --markdown from this results.json")
    args = parser.parse_args(argv)
    if args.report_only:
        args.markdown.write_text(markdown(json.loads(args.report_only.read_text()), args))
        print(args.markdown.read_text())
        return 0
    if not wrk.available():
        print("wrk is missing: `apt-get install wrk` (make bench installs it)", file=sys.stderr)
        return 2
    begun = time.monotonic()
    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": "bench/server_load.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "settings": {
            "duration_s": args.duration,
            "connections": args.connections,
            "parvis_workers": args.workers,
            "isso_workers": args.isso_workers,
            "thread": BIG_THREAD,
            "count_keys": COUNT_KEYS,
        },
        "seeding": {},
        "checks": {},
        "load": {},
        "memory": {},
        "widget": widget_bytes(),
    }
    work = Path(tempfile.mkdtemp(prefix="parvis-bench-"))
    work.chmod(0o755)  # nginx's unprivileged workers read the static file below it
    thread_bytes = b""
    steps: list[tuple[str, Callable[[], None]]] = []
    if "isso" in args.only:
        steps.append(("isso", lambda: run_isso(work, args, report)))
    if "sqlite" in args.only:

        def sqlite() -> None:
            nonlocal thread_bytes
            thread_bytes = run_parvis("sqlite", f"sqlite:///{work / 'parvis.sqlite3'}", work, args, report)

        steps.append(("sqlite", sqlite))
    if "postgresql" in args.only:

        def postgresql() -> None:
            nonlocal thread_bytes
            if not postgres_answers(args.postgres_url):
                log(f"PostgreSQL does not answer at {args.postgres_url}: skipped")
                return
            # conn_max_age=0: the default (60 s) keeps a connection per request thread under ASGI, and 64
            # connections exhausted max_connections (100) with "too many clients" 500s.
            url = parvis_prod.postgres_url(args.postgres_url) + "?conn_max_age=0"
            try:
                raw = run_parvis("postgresql", url, work, args, report)
                thread_bytes = thread_bytes or raw
            finally:
                parvis_prod.drop_postgres(args.postgres_url)

        steps.append(("postgresql", postgresql))
    try:
        for _name, step in steps:
            step()
        if "nginx" in args.only and thread_bytes and nginx_static.available():
            static = nginx_static.static_server(work / "nginx", thread_bytes, args.workers)
            with running(static):
                figures: dict[str, dict[str, dict[str, float | int]]] = {"thread_read": {}}
                for count in args.connections:
                    load = wrk.run(static.url, "/thread.json", connections=count, seconds=args.duration)
                    figures["thread_read"][str(count)] = load.to_json()
                    log(
                        f"{'nginx-static':18} thread_read  c={count:<3} {load.rps:9.1f} req/s  "
                        f"p50 {load.p50_ms:8.2f} ms  p99 {load.p99_ms:8.2f} ms"
                    )
                report["load"]["nginx-static"] = figures
    finally:
        logs = BENCH / ".work" / "logs"
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir(parents=True)
        for found in work.glob("*/*.log"):
            shutil.copy(found, logs / f"{found.parent.name}-{found.name}")
        shutil.rmtree(work, ignore_errors=True)
    report["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    report["seconds"] = round(time.monotonic() - begun, 1)
    summarise(report, args)
    print()
    print(table(report, args))
    print()
    for key in ("ratios", "ratios_postgresql"):
        if key in report:
            print(key + ": " + ", ".join(f"{name} {value}" for name, value in report[key].items()))
    for key in ("budgets", "budgets_postgresql"):
        for budget, verdict in report.get(key, {}).items():
            print(
                f"{key} {budget}: {verdict['value']} (budget {verdict['budget']}) "
                f"{'met' if verdict['met'] else 'MISSED'}"
            )
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(markdown(report, args))
    log(f"wrote {args.out} ({report['seconds']} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
