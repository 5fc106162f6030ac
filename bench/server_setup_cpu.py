"""CPU seconds one browser test module's server costs before its first test, the old way and the new way.

Old: `parvis migrate`, `parvis demo` and `parvis manage shell` (three processes), without bytecode (Python then
reads .pyc files only under an empty PYTHONPYCACHEPREFIX, as on a virtualenv that was never compiled). New: a
copy of a migrated database and one `parvis manage shell` that runs the demo command too, with the virtualenv's
bytecode. Then `parvis serve` until /healthz answers: the CPU of its process group (the serve command, granian,
its worker, the task worker). CPU seconds, not wall time: the machine is shared, and CPU time barely moves with
the load. Usage: `.venv/bin/python bench/server_setup_cpu.py` (about a minute).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers import DEMO, ParvisServer, _group_members, migrated_sqlite

POLICY = """
from parvis.core.models import Site
from parvis.moderation.policy import save_policy
save_policy(Site.objects.get(slug="demo"), {"velocity": {"per_ip": 100000}}, note="bench")
"""
TICK = os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """CPU seconds of the finished child processes (the `parvis` commands run by ``ParvisServer.cli``)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def group_cpu(pgid: int) -> float:
    """CPU seconds of the live processes of group ``pgid`` and of the children they have waited for."""
    total = 0.0
    for pid in _group_members(pgid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15]) / TICK  # utime, stime, cutime, cstime
    return total


def measure(old: bool) -> tuple[float, float]:
    """(seeding, starting) CPU seconds, the old way or the new way."""
    root = Path(tempfile.mkdtemp(prefix="parvis-setup-cpu-"))
    if old:
        os.environ["PYTHONPYCACHEPREFIX"] = str(root / "no-bytecode")
    else:
        os.environ.pop("PYTHONPYCACHEPREFIX", None)
        template = migrated_sqlite(root)  # once per test run, not per module
    server = ParvisServer(root / "data", workers=1)
    before = children_cpu()
    if old:
        server.cli("migrate")
        server.cli("demo")
        server.cli("manage", "shell", "-c", POLICY)
    else:
        server.copy_database(template)
        server.cli("manage", "shell", "-c", DEMO + POLICY)
    seeding = children_cpu() - before
    server.start()
    assert server.process is not None
    starting = group_cpu(server.process.pid)
    server.stop()
    return seeding, starting


def main() -> None:
    for name, old in (("old", True), ("new", False)):
        seeding, starting = measure(old)
        print(f"{name}: seeding {seeding:.1f} CPU s, starting {starting:.1f} CPU s, total {seeding + starting:.1f}")


if __name__ == "__main__":
    main()
