"""Where a server's time goes under load: py-spy samples every process of its tree while wrk drives one path.

py-spy (a dev dependency) reads the interpreters' stacks from outside, so the server runs unmodified; with
`--nonblocking` it does not pause them either (paused while holding SQLite's write lock, a process made the
others time out with "database is locked"). The
raw (collapsed) stacks are kept in bench/.work/profiles/. Only samples of a thread holding the GIL are kept
(`--gil`): threads waiting for a request, a lock or the GIL itself are not where the CPU went. The summary is
the share of samples per package (by the frame that was running), the running functions, and Parvis's own
functions with the largest inclusive share. A second profile without `--gil` shows what the threads wait on.
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

PY_SPY = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "py-spy"
RATE = 97  # samples per second; off the round numbers so it does not beat with periodic work
# Frames where a thread waits (for work, a lock, the event loop) though py-spy saw it active: counted apart.
WAITING = (
    "_worker (concurrent/futures/thread.py)",
    "Condition.wait (threading.py)",
    "EpollSelector.select (selectors.py)",
    "Thread._wait_for_tstate_lock (threading.py)",
    "Popen.poll (multiprocessing/popen_fork.py)",
    "BaseSelectorEventLoop._write_to_self (asyncio/selector_events.py)",
    "BaseSelectorEventLoop._read_from_self (asyncio/selector_events.py)",
)
_LINE = re.compile(r"^(?P<stacks>.*) (?P<count>\d+)$")
_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^:()]*)(:\d+)?\)$")


def _area(path: str) -> str:
    """py-spy names files from their import root: `django/db/models/query.py` → `django.db`,
    `parvis/comments/reading.py` → `parvis.comments`, `threading.py` → `threading`."""
    parts = path.removesuffix(".py").strip("<>").split("/")
    return ".".join(parts[:2]) if len(parts) > 2 else parts[0]


def _short(frame: str) -> str:
    match = _FRAME.match(frame)
    return f"{match['name']} ({match['file']})" if match else frame


def summarise(raw: str, top: int = 20) -> dict[str, Any]:
    by_area: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    total = waiting = 0
    for line in raw.splitlines():
        match = _LINE.match(line.strip())
        if not match:
            continue
        count = int(match["count"])
        frames = [frame for frame in match["stacks"].split(";") if _FRAME.match(frame)]
        if not frames:
            continue
        if _short(frames[-1]) in WAITING:
            waiting += count
            continue
        total += count
        running = _FRAME.match(frames[-1])
        by_area[_area(running["file"] if running else "")] += count
        leaf[_short(frames[-1])] += count
        for name in {_short(frame) for frame in frames if "(parvis/" in frame and "Middleware" not in frame}:
            inclusive[name] += count

    def shares(counter: Counter[str], limit: int) -> list[tuple[str, float]]:
        return [(name, round(100 * count / total, 1)) for name, count in counter.most_common(limit)] if total else []

    return {
        "samples": total,
        "by_area": shares(by_area, 15),
        "inclusive": shares(inclusive, top),
        "self": shares(leaf, 15),
    }


def record(root: int, seconds: float, output: Path, load: Callable[[], None], *, gil: bool = True) -> dict[str, Any]:
    """Run `load` (which lasts a little longer than `seconds`) and py-spy on the tree under `root` meanwhile.
    With `gil`, only the samples of threads holding the GIL (CPU); without, every thread not idle (also those
    waiting in C code with the GIL released, such as on SQLite's write lock)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    driver = threading.Thread(target=load, daemon=True)
    driver.start()
    command = [
        str(PY_SPY),
        "record",
        "--subprocesses",
        "--pid",
        str(root),
        "--duration",
        str(round(seconds)),
        "--rate",
        str(RATE),
        "--format",
        "raw",
        "--output",
        str(output),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)  # noqa: S603
    driver.join(timeout=seconds + 60)
    if finished.returncode or not output.exists():
        return {"error": (finished.stdout + finished.stderr)[-1000:]}
    found = summarise(output.read_text())
    found["raw"] = str(output.relative_to(output.parents[2]))
    return found
