"""Widget weight and first-render time, measured in Debian Chromium on this machine.

    .venv/bin/python bench/widget.py [--comments 200] [--runs 5]

Starts a real Parvis server (its own data directory), posts a thread of N comments (a third of them
replies) through the public API, then loads the app's frame page for that thread in headless Chromium
RUNS times, fresh each time, and reports:
- the gzip bytes of what a reader downloads on a first view (the loader and the app's JS + CSS, from the
  build's meta.json), and apart from it what only some readers ever download: the chunks loaded on first use
  (the compose form around the textarea; subscribe; a comment's tools and the notices on one's own held
  comments), the inline-comment chunk (pages with data-parvis-article) and the count script (listing pages);
- script time to first render: Chromium's own ScriptDuration (CDP Performance.getMetrics) when the app
  marks `parvis-first-render`, and the time from navigation start to that mark.
Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import chromium  # noqa: E402
from tests.servers import ParvisServer  # noqa: E402

META = ROOT / "parvis" / "embed" / "static" / "parvis-widget" / "meta.json"
KEY = "bench-thread"
# The demo site's policy without the signals about how comments are sent: the benchmark posts from one address,
# at machine speed, so pace, velocity and surges would hold comments (and a reply to a held one is refused).
# What the text says still decides, as the browser tests do.
POLICY = """
from parvis.core.models import Site
from parvis.moderation.policy import save_policy
save_policy(Site.objects.get(slug="demo"), {
    "velocity": {"per_ip": 100000, "per_commenter": 100000, "duplicates": 100000, "min_seconds_to_submit": 0},
    "surge": {"enabled": False},
}, note="widget benchmark")
"""


def post(server: ParvisServer, payload: dict) -> dict:
    request = urllib.request.Request(  # noqa: S310 (the benchmark's own server on 127.0.0.1)
        f"{server.url}/api/v1/sites/demo/comments",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (127.0.0.1 only)
        return json.load(answer)


def seed(server: ParvisServer, count: int) -> None:
    parents: list[int] = []
    for number in range(count):
        body: dict[str, object] = {
            "thread": {"key": KEY, "url": f"{server.url}/bench"},
            "body": f"Commentaire numéro {number} : *un avis* argumenté, avec [un lien](https://example.org/{number}).",
            "author": {"name": f"Lecteur {number}"},
        }
        if parents and number % 3 == 2:
            body["parent"] = parents[-1]
        parents.append(post(server, body)["comment"]["id"])


# Resolves once the app has marked its first render (at most 30 s). One evaluate, not wait_for_function, whose
# polling evaluates a string: the frame's CSP (no 'unsafe-eval') forbids that.
FIRST_RENDER = """() => new Promise((resolve, reject) => {
  const marked = () => performance.getEntriesByName("parvis-first-render").length > 0;
  if (marked()) return resolve(true);
  const observer = new PerformanceObserver(() => marked() && (observer.disconnect(), resolve(true)));
  observer.observe({ type: "mark" });
  setTimeout(() => reject(new Error("no parvis-first-render mark within 30 s")), 30000);
})"""


def measure(server: ParvisServer, runs: int) -> list[dict[str, float]]:
    frame = f"{server.url}/embed/demo/frame?key={KEY}&origin={server.url}&lang=fr"
    results = []
    with chromium() as browser:
        for _ in range(runs):
            page = browser.new_page()
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.goto(frame)
            page.evaluate(FIRST_RENDER)
            metrics = {item["name"]: item["value"] for item in cdp.send("Performance.getMetrics")["metrics"]}
            mark = page.evaluate("performance.getEntriesByName('parvis-first-render')[0].startTime")
            shown = page.locator(".pv-c, [id^=comment-]").count()
            results.append({"script_ms": metrics["ScriptDuration"] * 1000, "mark_ms": mark, "comments": shown})
            page.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    meta = json.loads(META.read_text())
    with tempfile.TemporaryDirectory() as data, ParvisServer(
        Path(data), workers=1,
        env={"PARVIS_RATELIMIT_COMMENT_IP": "100000/60", "PARVIS_RATELIMIT_COMMENT_THREAD": "100000/60"},
    ) as server:  # fmt: skip
        server.cli("migrate")
        server.cli("demo")
        server.cli("manage", "shell", "-c", POLICY)
        server.start()
        seed(server, options.comments)
        results = measure(server, options.runs)
    sizes = meta["gzip_bytes"]
    script = statistics.median(item["script_ms"] for item in results)
    mark = statistics.median(item["mark_ms"] for item in results)
    print(f"widget gzip bytes, first view: {sizes['embed'] + sizes['app']} (loader {sizes['embed']} + app JS and CSS "
          f"{sizes['app']}); not on a first view: composer chunk {sizes['composer']}, "
          f"subscribe chunk {sizes['subscribe']}, tools chunk {sizes['tools']}, "
          f"inline chunk {sizes['inline']}, count script {sizes['count']}")  # fmt: skip
    print(f"{options.comments}-comment thread, median of {options.runs}: script time to first render "
          f"{script:.1f} ms (Chromium ScriptDuration), first render mark {mark:.1f} ms after navigation")  # fmt: skip
    print(json.dumps({"gzip_bytes": sizes, "first_render": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
