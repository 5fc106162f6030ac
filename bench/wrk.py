"""One load tool for every server: Debian's `wrk`, driven by a generated Lua script.

The script sends a fixed GET, or a POST whose path and body may contain `{n}` (unique per request and per
run: a comment is never a duplicate of another) and `{k}` (a thread number below `threads`, spreading the
writes over threads), and prints its figures as one JSON line when the run ends, so no text output of wrk
is parsed. Requests answered with a
status outside 2xx/3xx count as errors and are left out of the requests per second reported here.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MARK = "WRKJSON "
# A request waits this long before wrk counts it as timed out (a slow peer must still be measured, not dropped).
TIMEOUT = 30
# Lua string literal escaping: only backslash and the double quote can appear in our JSON templates.
_LUA_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"})

_SCRIPT = """
local method, path, body, threads, run = "%(method)s", "%(path)s", "%(body)s", %(threads)d, "%(run)s"
-- `thread_id` is a global each thread receives from setup() (a local would shadow it): requests of two
-- threads never share an `n`.
local counter = 0
thread_id = 0
local headers = {%(headers)s}
local created = {}
statuses = {}

setup = function(thread)
  table.insert(created, thread)
  thread:set("thread_id", #created)
end

request = function()
  counter = counter + 1
  -- `run` differs between runs: a run never repeats the text a previous run posted on the same thread.
  local n = run .. "." .. tostring(thread_id) .. "." .. tostring(counter)
  local k = tostring((thread_id * 7919 + counter) %% threads)
  local p = path:gsub("{n}", n):gsub("{k}", k)
  local b = nil
  if body ~= "" then b = body:gsub("{n}", n):gsub("{k}", k) end
  return wrk.format(method, p, headers, b)
end

%(response)s

done = function(summary, latency, requests)
  local e = summary.errors
  local merged = {}
  for _, thread in ipairs(created) do
    for code, count in pairs(thread:get("statuses") or {}) do merged[code] = (merged[code] or 0) + count end
  end
  local parts = {}
  for code, count in pairs(merged) do table.insert(parts, string.format('"%%s": %%d', code, count)) end
  io.write("STATUSES {" .. table.concat(parts, ", ") .. "}\\n")
  io.write(string.format(
    '%(mark)s{"requests": %%d, "duration_us": %%d, "bytes": %%d, "p50_us": %%d, "p99_us": %%d, "max_us": %%d, '
    .. '"connect_errors": %%d, "read_errors": %%d, "write_errors": %%d, "status_errors": %%d, "timeouts": %%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass(frozen=True)
class Load:
    """What one wrk run measured. Latencies in milliseconds; `rps` counts successful answers only."""

    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    timeouts: int
    statuses: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def available() -> bool:
    return shutil.which("wrk") is not None


# Counting the answers' statuses makes wrk parse every answer: only for the runs that need to know (writes).
_COUNT_STATUSES = """
response = function(status, headers, body)
  local code = tostring(status)
  statuses[code] = (statuses[code] or 0) + 1
end
"""


def _lua(method: str, path: str, body: str, headers: dict[str, str], threads: int, statuses: bool) -> str:
    pairs = ", ".join(f'["{name}"] = "{value.translate(_LUA_ESCAPES)}"' for name, value in headers.items())
    return _SCRIPT % {
        "method": method,
        "path": path.translate(_LUA_ESCAPES),
        "body": body.translate(_LUA_ESCAPES),
        "threads": threads,
        "run": secrets.token_hex(4),
        "headers": pairs,
        "mark": MARK,
        "response": _COUNT_STATUSES if statuses else "",
    }


def run(
    base_url: str,
    path: str,
    *,
    connections: int,
    seconds: float,
    method: str = "GET",
    body: str = "",
    headers: dict[str, str] | None = None,
    threads: int = 200,
    wrk_threads: int | None = None,
    statuses: bool = False,
) -> Load:
    """One bounded wrk run (`seconds` long, killed after twice that plus 30 s) against `base_url` + `path`."""
    workers = max(1, min(connections, wrk_threads or os.cpu_count() or 1))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(method, path, body, headers or {}, threads, statuses))
    try:
        command = [
            "wrk",
            "-t",
            str(workers),
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "5s",
            "-s",
            script.name,
            base_url + path.replace("{n}", "0").replace("{k}", "0"),
        ]
        finished = subprocess.run(  # noqa: S603 (fixed argument list)
            command, capture_output=True, text=True, timeout=seconds + TIMEOUT + 30, check=False
        )
    finally:
        Path(script.name).unlink(missing_ok=True)
    lines = [line for line in finished.stdout.splitlines() if line.startswith(MARK)]
    if finished.returncode or not lines:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stdout[-2000:]}{finished.stderr[-2000:]}")
    figures = json.loads(lines[-1][len(MARK) :])
    counted = [line for line in finished.stdout.splitlines() if line.startswith("STATUSES ")]
    answered = {code: int(n) for code, n in json.loads(counted[-1][len("STATUSES ") :]).items()} if counted else {}
    duration = figures["duration_us"] / 1e6
    errors = sum(figures[name] for name in ("connect_errors", "read_errors", "write_errors", "status_errors"))
    good = max(0, figures["requests"] - figures["status_errors"])
    return Load(
        connections=connections,
        seconds=round(duration, 2),
        requests=figures["requests"],
        rps=round(good / duration, 1) if duration else 0.0,
        p50_ms=round(figures["p50_us"] / 1000, 2),
        p99_ms=round(figures["p99_us"] / 1000, 2),
        max_ms=round(figures["max_us"] / 1000, 2),
        errors=errors,
        timeouts=figures["timeouts"],
        statuses=answered,
    )
