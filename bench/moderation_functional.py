"""How the full moderation pipeline treats each kind of functional test (negation, counter-speech, quoted hate,
reclaimed terms, tropes, coded language ...): the share of records flagged for each category, per language.

    .venv/bin/python bench/moderation_functional.py [--data parvis/moderation/tests/data/functional_handmade.jsonl]

The target of issue 4: no more than 20 % of counter-speech or negated statements flagged as hate. "Flagged" means
a score at or above the operating threshold that `parvis moderation eval` uses (`evaluation.operating_threshold`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings.test")

import django  # noqa: E402

django.setup()

from parvis.moderation import evaluation  # noqa: E402

DEFAULT = ROOT / "parvis" / "moderation" / "tests" / "data" / "functional_handmade.jsonl"
# Kinds of record that must not be flagged as hate.
BENIGN = ("negation", "counter_speech", "quoted_hate", "reclaimed", "identity_neutral")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--category", default="hate")
    options = parser.parse_args()
    records = evaluation.read(options.data)
    scored = evaluation.score(records)
    threshold = evaluation.operating_threshold(options.category)
    # (functionality, language) -> [flagged, total]
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for record, item in zip(records, scored, strict=True):
        kind = (record.get("meta") or {}).get("functionality", "?")
        for key in ((kind, item.lang), (kind, "all")):
            counts[key][0] += item.scores.get(options.category, 0.0) >= threshold
            counts[key][1] += 1
    languages = [*sorted({language for _, language in counts} - {"all"}), "all"]
    print(f"share flagged {options.category} (score ≥ {threshold:.2f}) by kind of record")
    print(f"{'kind':<18}" + "".join(f"{language:>10}" for language in languages))
    for kind in sorted({kind for kind, _ in counts}):
        cells = []
        for language in languages:
            flagged, total = counts.get((kind, language), [0, 0])
            cells.append(f"{flagged:>3}/{total:<3}" if total else "-")
        print(f"{kind:<18}" + "".join(f"{cell:>10}" for cell in cells))
    benign = [counts[(kind, "all")] for kind in ("negation", "counter_speech") if (kind, "all") in counts]
    flagged, total = sum(pair[0] for pair in benign), sum(pair[1] for pair in benign)
    if total:
        print(f"\nnegation + counter-speech flagged as {options.category}: {flagged}/{total} = {flagged / total:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
