"""Parvis as a newsroom runs it: `parvis serve` in production mode (granian, one worker per core, the
task worker beside it), on SQLite or on a PostgreSQL database of the harness's own (`parvis_bench`).

Only the rate limits are raised (one load generator is one IP address); the moderation pipeline runs in
full on every comment. While the 200-comment thread is seeded, the site's policy turns off the surge and
velocity holds (one client posting 200 comments in a few seconds is exactly what they stop); the default
policy is saved back before anything is measured.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path

from processes import Server, free_port
from seed_data import BIG_THREAD, big_thread, count_keys, create_text

ROOT = Path(__file__).resolve().parent.parent
PARVIS = ROOT / ".venv" / "bin" / "parvis"
PYTHON = ROOT / ".venv" / "bin" / "python"
SITE = "bench"
BENCH_DATABASE = "parvis_bench"
SEEDING_POLICY = {
    "surge": {"enabled": False},
    "velocity": {"per_ip": 100_000, "per_commenter": 100_000, "duplicates": 100_000, "min_seconds_to_submit": 0},
}
UNLIMITED = "1000000/60"


def postgres_url(admin_url: str, name: str = BENCH_DATABASE) -> str:
    """Create the harness's own database `name` (dropping only that one) next to `admin_url`'s."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_postgres(admin_url: str, name: str = BENCH_DATABASE) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Parvis:
    def __init__(self, work: Path, database_url: str, workers: int, label: str) -> None:
        self.work = work
        self.work.mkdir(parents=True, exist_ok=True)
        self.label = label
        port = free_port()
        inherited = {
            k: v for k, v in os.environ.items() if not k.startswith("PARVIS_") and k != "DJANGO_SETTINGS_MODULE"
        }
        self.env = {
            **inherited,
            "PARVIS_SECRET_KEY": secrets.token_urlsafe(50),
            "PARVIS_DATA_DIR": str(work),
            "PARVIS_DATABASE_URL": database_url,
            "PARVIS_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "PARVIS_RATELIMIT_COMMENT_IP": UNLIMITED,
            "PARVIS_RATELIMIT_COMMENT_THREAD": UNLIMITED,
            "PARVIS_RATELIMIT_ACTION_IP": UNLIMITED,
        }
        command = [str(PARVIS), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        self.server = Server(
            f"parvis-{label}",
            command,
            port=port,
            log=work / "parvis.log",
            env=self.env,
            cwd=work,
            ready_path="/healthz",
        )
        self.workers = workers

    @property
    def url(self) -> str:
        return self.server.url

    def cli(self, *args: str, timeout: float = 300) -> str:
        finished = subprocess.run(  # noqa: S603 (fixed argument list)
            [str(PARVIS), *args], env=self.env, cwd=self.work, capture_output=True, text=True, timeout=timeout
        )
        if finished.returncode:
            raise RuntimeError(f"parvis {' '.join(args)} failed: {finished.stdout}{finished.stderr}")
        return finished.stdout

    def prepare(self) -> str:
        """Tables, the bench site, its seeding policy and the listing threads (ORM), before the server starts:
        a long write transaction while it ran would make the task worker's poll wait on SQLite's lock (it exits
        with "database is locked" after the timeout)."""
        seeded = subprocess.run(  # noqa: S603 (fixed argument list)
            [str(PYTHON), str(ROOT / "bench" / "parvis_seed.py"), SITE, json.dumps(SEEDING_POLICY)],
            env=self.env,
            cwd=self.work,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if seeded.returncode:
            raise RuntimeError(f"bench/parvis_seed.py failed: {seeded.stdout}{seeded.stderr[-3000:]}")
        return f"ORM bulk insert: {seeded.stdout.strip().splitlines()[-1]}"

    def _policy(self, config: dict, note: str) -> None:
        path = self.work / "policy.json"
        path.write_text(json.dumps(config))
        self.cli("moderation", "policy", "--site", SITE, "--file", str(path), "--note", note)

    def _post(self, payload: dict) -> dict:
        request = urllib.request.Request(  # noqa: S310 (the harness's own server on 127.0.0.1)
            f"{self.url}/api/v1/sites/{SITE}/comments",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            return dict(json.load(answer))

    def seed_thread(self) -> str:
        """The 200-comment thread through the public API (every comment moderated), then the default policy."""
        ids: dict[int, int] = {}
        statuses: dict[str, int] = {}
        for comment in big_thread():
            payload: dict[str, object] = {
                "thread": {"key": BIG_THREAD, "title": "Bench"},
                "body": comment.text,
                "author": {"name": comment.name},
            }
            if comment.parent is not None:
                payload["parent"] = ids[comment.parent]
            created = self._post(payload)["comment"]
            ids[comment.number] = int(created["id"])
            statuses[created["status"]] = statuses.get(created["status"], 0) + 1
        self._policy({}, "measuring: the default policy")
        return f"200 comments through POST /comments (moderation: {statuses})"

    def health_path(self) -> str:
        return "/healthz"

    def thread_path(self) -> str:
        return f"/api/v1/sites/{SITE}/thread?key={BIG_THREAD}&limit=100"

    def counts_request(self) -> tuple[str, str]:
        return f"/api/v1/sites/{SITE}/counts", json.dumps({"keys": count_keys()})

    def create_request(self) -> tuple[str, str]:
        return f"/api/v1/sites/{SITE}/comments", json.dumps(
            {
                "thread": {"key": "bench-create-{k}", "title": "Marché couvert"},
                "body": create_text(),
                "author": {"name": "Lectrice {k}"},
            }
        )


def worker_pids(root: int) -> list[int]:
    """The granian worker processes under `root` (the ones that run Python request handling)."""
    from memory import descendants

    found = []
    for pid in descendants(root):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if pid != root and b"granian" in b" ".join(command) and b"worker" not in command[-2:]:
            found.append(pid)
    return found


def interpreter() -> str:
    return str(PYTHON if PYTHON.exists() else Path(sys.executable))
