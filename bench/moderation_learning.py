"""Learning curve of a site's own model: moderators decide Hebrew comments one by one, and after 50, 200, 500 and
1,000 decisions we measure how well the site model (engine + what it learnt) ranks comments it has not seen.

Data: ../shared/data/moderation/eval-only/hebrew_offensive.jsonl (CC BY-NC-SA: used only to measure and to
simulate moderators, never to shape shipped weights). The last 500 records of a fixed shuffle are the test set;
the moderators decide from the start of the rest, in order. The shipped engine alone is the 0-decision point.

    .venv/bin/python bench/moderation_learning.py [--data FILE] [--png bench/moderation_learning.png]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "moderation" / "eval-only" / "hebrew_offensive.jsonl"
CHECKPOINTS = (50, 200, 500, 1000)
TEST_SIZE = 500
CATEGORY = "toxic"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--png", type=Path, default=ROOT / "bench" / "moderation_learning.png")
    parser.add_argument("--seed", type=int, default=20261125)
    options = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings.dev")
    import django

    django.setup()
    from sklearn.metrics import roc_auc_score

    from parvis.moderation import engine
    from parvis.moderation.learning import LearntModel
    from parvis.moderation.normalise import normalise

    records = [json.loads(line) for line in options.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [record for record in records if record["labels"].get(CATEGORY) is not None]
    random.Random(options.seed).shuffle(records)
    test, stream = records[-TEST_SIZE:], records[:-TEST_SIZE]

    started = time.perf_counter()
    scored = []
    for record in [*stream[: max(CHECKPOINTS)], *test]:
        assessment = engine.assess(record["text"], language="he", full=True)
        scored.append((normalise(record["text"]).text, assessment.engine_scores, int(record["labels"][CATEGORY])))
    decisions, held_out = scored[: max(CHECKPOINTS)], scored[max(CHECKPOINTS) :]
    print(f"scored {len(scored)} comments with the shipped engine in {time.perf_counter() - started:.0f} s")

    def auc(model: LearntModel | None) -> float:
        labels = [label for _, _, label in held_out]
        scores = [(model.adjust(key, base) if model else base)[CATEGORY] for key, base, _ in held_out]
        return float(roc_auc_score(labels, scores))

    curve = [(0, auc(None))]
    model = LearntModel({})
    seen = 0
    for checkpoint in CHECKPOINTS:
        # Online: each step trains only on the decisions made since the previous version.
        model.train([(key, base, {CATEGORY: label}) for key, base, label in decisions[seen:checkpoint]])
        seen = checkpoint
        curve.append((checkpoint, auc(model)))
    positives = sum(label for _, _, label in held_out)
    print(f"test set: {len(held_out)} comments, {positives} offensive")
    print("| moderator decisions | ROC-AUC (toxic, Hebrew) |\n|---:|---:|")
    for count, value in curve:
        print(f"| {count} | {value:.3f} |")

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(6, 3.6), dpi=120)
    axes.plot([count for count, _ in curve], [value for _, value in curve], marker="o", color="#b3261e")
    for count, value in curve:
        axes.annotate(f"{value:.3f}", (count, value), textcoords="offset points", xytext=(0, 7), ha="center")
    axes.set_xscale("symlog", linthresh=50)
    axes.set_xticks([count for count, _ in curve], [str(count) for count, _ in curve])
    axes.set_xlabel("moderator decisions on this site")
    axes.set_ylabel("ROC-AUC, offensive (held-out)")
    axes.set_title("Site model learning from moderators — Hebrew tweets")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(options.png)
    print(f"plot: {options.png.relative_to(ROOT) if options.png.is_relative_to(ROOT) else options.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
