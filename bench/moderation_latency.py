"""Latency of the synchronous moderation decision (`engine.assess`, rules + stage 1), and of the worker's stage 2.

    .venv/bin/python bench/moderation_latency.py [--runs 30]

The write path calls `assess(text)` on every post, so its p95 has a budget (15 ms on this machine). The inputs are
ordinary comments in the four languages and the bad inputs a public form receives: empty, 100 KB of text, binary
junk, zalgo, emoji only, bidi overrides, mixed scripts. Each input is assessed RUNS times after one warm-up; the
report gives p50 / p95 / max over all of them and the slowest kind, then the same for `full=True` (the worker).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings.test")

import django  # noqa: E402

django.setup()

from parvis.moderation import engine  # noqa: E402
from parvis.moderation.classifier import stage1, stage2  # noqa: E402


def inputs() -> dict[str, str]:
    """Named inputs, deterministic (a fixed random seed for the junk)."""
    generator = random.Random(4)
    zalgo = "".join(c + "".join(chr(generator.randint(0x300, 0x36F)) for _ in range(12)) for c in "you are an idiot")
    paragraph = "Le conseil municipal a voté le budget hier soir après trois heures de débat. "
    return {
        "fr": "Franchement cet article est nul, le journaliste ne connaît rien au sujet. Bande d'abrutis.",
        "en": "Thanks for the reporting, though I think the mayor's numbers deserve a closer look.",
        "he": "כתבה מצוינת, תודה רבה. אבל אתה אידיוט אם אתה חושב שזה יעבוד.",
        "ar": "مقال رائع، شكرا جزيلا للكاتب على هذا التحليل الدقيق.",
        "empty": "",
        "100kb": (paragraph * (100_000 // len(paragraph) + 1))[:100_000],
        "100kb_one_word": "a" * 100_000,
        "binary": bytes(generator.randrange(256) for _ in range(2000)).decode("latin-1"),
        "zalgo": zalgo,
        "emoji": "😡🤬💩🔥" * 50,
        "bidi": "\u202eyou are an idiot\u202c \u2066שלום\u2069 \u200f\u200b",
        "mixed": "Salut שלום مرحبا hello 你好 Привет іdіоt 1d10t i d i o t",
        "spam": "WIN a FREE iPhone!!! Click http://bit.ly/xyz now, call 0612345678, limited offer!!!",
    }


def measure(full: bool, runs: int) -> tuple[list[float], dict[str, float]]:
    timings: list[float] = []
    slowest: dict[str, float] = {}
    for name, text in inputs().items():
        engine.assess(text, full=full)
        for _ in range(runs):
            start = time.perf_counter()
            engine.assess(text, full=full)
            elapsed = (time.perf_counter() - start) * 1000
            timings.append(elapsed)
            slowest[name] = max(slowest.get(name, 0.0), elapsed)
    return timings, slowest


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    if stage1.load() is None:
        print("stage 1 weights missing: this would measure the degraded (rules only) path", file=sys.stderr)
        return 1
    modes = [("synchronous (rules + stage 1)", False)]
    if stage2.available():
        modes.append(("worker (full=True, + stage 2)", True))
    for title, full in modes:
        timings, slowest = measure(full, options.runs)
        worst = max(slowest, key=lambda name: slowest[name])
        print(
            f"{title}: n={len(timings)} p50={statistics.median(timings):.2f} ms "
            f"p95={percentile(timings, 0.95):.2f} ms max={max(timings):.2f} ms (slowest input: {worst})"
        )
        print("  per input, max ms: " + ", ".join(f"{name} {value:.1f}" for name, value in slowest.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
