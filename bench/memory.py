"""Peak memory of a server: the sum over its whole process tree (master, workers, task worker), from /proc.

A sampler thread reads the tree twice a second while the load runs and keeps the highest sum. RSS counts a
page shared by forked workers once per process (that is how `ps` and most dashboards add them up); PSS, read
from smaps_rollup, splits shared pages between the processes that share them, so it is also kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

INTERVAL = 0.5


def descendants(root: int) -> list[int]:
    """`root` and every live process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: the fields after it start after the last ")".
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if state not in {"Z", "X"}:
            children.setdefault(int(parent), []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def _kib(path: Path, field: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return 0


def tree_memory(root: int) -> tuple[int, int, int]:
    """(RSS KiB, PSS KiB, processes) of the tree under `root` now."""
    pids = descendants(root)
    rss = sum(_kib(Path(f"/proc/{pid}/status"), "VmRSS:") for pid in pids)
    pss = sum(_kib(Path(f"/proc/{pid}/smaps_rollup"), "Pss:") for pid in pids)
    return rss, pss, len(pids)


class PeakSampler:
    """Context manager: samples `tree_memory(root())` every INTERVAL seconds (`root` gives the server's pid now:
    it may be restarted); `peak_rss_kib`, `peak_pss_kib` and `processes` afterwards."""

    def __init__(self, root: Callable[[], int]) -> None:
        self.root = root
        self.peak_rss_kib = 0
        self.peak_pss_kib = 0
        self.processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> None:
        try:
            rss, pss, count = tree_memory(self.root())
        except RuntimeError:  # between a stop and a start
            return
        if rss > self.peak_rss_kib:
            self.peak_rss_kib, self.processes = rss, count
        self.peak_pss_kib = max(self.peak_pss_kib, pss)

    def _loop(self) -> None:
        while not self._stop.wait(INTERVAL):
            self.sample()

    def __enter__(self) -> PeakSampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()
