"""Where a server's time goes under load: py-spy samples every process of its tree while wrk drives one path.

py-spy (a dev dependency) reads the interpreters' stacks from outside, so the server runs unmodified. The
raw (collapsed) stacks are kept in bench/.work/profiles/; the summary is the share of samples per package
(by the frame that was running: where the CPU went) and the functions with the largest inclusive share.
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
_LINE = re.compile(r"^(?P<stacks>.*) (?P<count>\d+)$")
_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^:()]*)(:\d+)?\)$")


def _area(path: str) -> str:
    """`site-packages/django/db/models/query.py` → `django.db`; `parvis/comments/reading.py` → `parvis.comments`."""
    if "site-packages/" in path:
        parts = path.split("site-packages/", 1)[1].split("/")
    elif "/parvis/" in path:
        parts = ["parvis", *path.split("/parvis/", 1)[1].split("/")]
    elif "python3." in path:
        return "stdlib." + Path(path).stem
    else:
        return path or "?"
    parts = [part for part in parts[:2] if not part.endswith(".py")] or [Path(parts[0]).stem]
    return ".".join(parts)


def _short(frame: str) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match["file"]
    for marker in ("site-packages/", "/parvis/"):
        if marker in path:
            path = ("parvis/" if marker == "/parvis/" else "") + path.split(marker, 1)[1]
    return f"{match['name']} ({path})"


def summarise(raw: str, top: int = 20) -> dict[str, Any]:
    by_area: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        match = _LINE.match(line.strip())
        if not match:
            continue
        count = int(match["count"])
        frames = [frame for frame in match["stacks"].split(";") if _FRAME.match(frame)]
        if not frames:
            continue
        total += count
        running = _FRAME.match(frames[-1])
        by_area[_area(running["file"] if running else "")] += count
        leaf[_short(frames[-1])] += count
        for name in {_short(frame) for frame in frames}:
            inclusive[name] += count

    def shares(counter: Counter[str], limit: int) -> list[tuple[str, float]]:
        return [(name, round(100 * count / total, 1)) for name, count in counter.most_common(limit)] if total else []

    return {
        "samples": total,
        "by_area": shares(by_area, 15),
        "inclusive": shares(inclusive, top),
        "self": shares(leaf, 15),
    }


def record(root: int, seconds: float, output: Path, load: Callable[[], None]) -> dict[str, Any]:
    """Run `load` (which lasts a little longer than `seconds`) and py-spy on the tree under `root` meanwhile."""
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
