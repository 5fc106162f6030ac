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


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:100].strip()
    except OSError:
        return "?"


def tree_memory(root: int) -> tuple[int, int, list[tuple[int, str]]]:
    """(RSS KiB, PSS KiB, [(RSS KiB, command) per process]) of the tree under `root` now."""
    pids = descendants(root)
    each = [(_kib(Path(f"/proc/{pid}/status"), "VmRSS:"), _command(pid)) for pid in pids]
    pss = sum(_kib(Path(f"/proc/{pid}/smaps_rollup"), "Pss:") for pid in pids)
    return sum(rss for rss, _ in each), pss, each


class PeakSampler:
    """Context manager: samples `tree_memory(root())` every INTERVAL seconds (`root` gives the server's pid now:
    it may be restarted); `peak_rss_kib`, `peak_pss_kib`, `processes` and `at_peak` (RSS per process) afterwards."""

    def __init__(self, root: Callable[[], int]) -> None:
        self.root = root
        self.peak_rss_kib = 0
        self.peak_pss_kib = 0
        self.processes = 0
        self.at_peak: list[tuple[int, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> None:
        try:
            rss, pss, each = tree_memory(self.root())
        except RuntimeError:  # between a stop and a start
            return
        if rss > self.peak_rss_kib:
            self.peak_rss_kib, self.processes, self.at_peak = rss, len(each), each
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
