"""The peer: Isso from PyPI in its own virtualenv, served the way its documentation says to run it in
production (gunicorn, `--preload isso.run`, `ISSO_SETTINGS` naming the config file).

The guard (rate limit, reply limits) and moderation are off, so seeding and the create measurement are not
refused; Isso has no content moderation to turn on.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from processes import Server, free_port
from seed_data import BIG_THREAD, big_thread, count_keys, create_text

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".work" / "isso-venv"
PACKAGES = ("isso==0.14.0", "gunicorn==27.0.1")

_CONFIG = """[general]
dbpath = {db}
host = {url}/
notify = stdout
gravatar = false
[moderation]
enabled = false
[admin]
enabled = false
[server]
listen = {url}
[guard]
enabled = false
[hash]
salt = bench-salt-not-secret
"""


def ensure_venv() -> Path:
    """Create bench/.work/isso-venv with Isso and gunicorn from PyPI (once); return its python."""
    python = VENV / "bin" / "python"
    marker = VENV / ".installed"
    if marker.exists() and marker.read_text() == " ".join(PACKAGES):
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True, timeout=300)  # noqa: S603
    subprocess.run(  # noqa: S603 (fixed argument list)
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PACKAGES],
        check=True,
        timeout=600,
    )
    marker.write_text(" ".join(PACKAGES))
    return python


def embed_gzip_bytes() -> int:
    """Isso's embed.min.js, the one script its readers download, gzipped at level 9."""
    found = list((VENV / "lib").glob("python3*/site-packages/isso/js/embed.min.js"))
    return len(gzip.compress(found[0].read_bytes(), compresslevel=9))


class Isso:
    def __init__(self, work: Path, workers: int) -> None:
        self.work = work
        self.work.mkdir(parents=True, exist_ok=True)
        self.db = work / "isso.db"
        port = free_port()
        self.config = work / "isso.cfg"
        self.config.write_text(_CONFIG.format(db=self.db, url=f"http://127.0.0.1:{port}"))
        gunicorn = VENV / "bin" / "gunicorn"
        command = [
            str(gunicorn),
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--preload",
            "--log-level",
            "warning",
            "isso.run",
        ]
        env = {**os.environ, "ISSO_SETTINGS": str(self.config)}
        self.server = Server("isso", command, port=port, log=work / "isso.log", env=env, cwd=work, ready_path="/info")
        self.workers = workers

    @property
    def url(self) -> str:
        return self.server.url

    def _post(self, path: str, payload: object) -> dict:
        request = urllib.request.Request(  # noqa: S310 (the harness's own server on 127.0.0.1)
            self.url + path, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return dict(json.load(answer))

    def seed(self) -> dict[str, str]:
        """The 200-comment thread through Isso's API, the listing threads straight into its database."""
        ids: dict[int, int] = {}
        for comment in big_thread():
            payload: dict[str, object] = {"text": comment.text, "author": comment.name, "title": "Bench"}
            if comment.parent is not None:
                payload["parent"] = ids[comment.parent]
            ids[comment.number] = int(self._post(f"/new?uri=/{BIG_THREAD}", payload)["id"])
        seeded = subprocess.run(  # noqa: S603 (fixed argument list)
            [str(VENV / "bin" / "python"), str(BENCH / "isso_seed.py"), str(self.db)],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return {"big_thread": "200 comments through POST /new", "listing": f"direct SQLite: {seeded.stdout.strip()}"}

    def health_path(self) -> str:
        return "/info"

    def thread_path(self) -> str:
        return f"/?uri=/{BIG_THREAD}"

    def counts_request(self) -> tuple[str, str]:
        return "/count", json.dumps(["/" + key for key in count_keys()])

    def create_request(self) -> tuple[str, str]:
        return "/new?uri=/bench-create-{k}", json.dumps(
            {"text": create_text(), "author": "Lectrice {k}", "title": "Marché couvert"}
        )
