"""The labelled records of ../shared/data/moderation, and the held-out split every number we publish is measured on.

The split hashes the text (not the record id): the sources repeat tweets under several ids, and a duplicate on
both sides of the split would flatter every metric.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from parvis.moderation.categories import Category

Record = dict[str, Any]

# Percent of records kept out of training, and the part of the rest used to calibrate (never to fit) the models.
HELD_OUT_PERCENT = 15
CALIBRATION_PERCENT = 15


def read(path: Path) -> Iterator[Record]:
    """The records of a .jsonl file, skipping blank lines."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _bucket(text: str, salt: str) -> int:
    canonical = " ".join(text.casefold().split())
    return int.from_bytes(hashlib.sha256((salt + canonical).encode()).digest()[:8], "big") % 100


def part(record: Record) -> str:
    """ "held_out", "calibration" or "fit": fixed by the text alone, so the split is the same on every machine."""
    if _bucket(record["text"], "held-out:") < HELD_OUT_PERCENT:
        return "held_out"
    if _bucket(record["text"], "calibration:") < CALIBRATION_PERCENT:
        return "calibration"
    return "fit"


# Identity groups of the MLMA annotation that count as race, ethnicity, origin or religion (but not Jews: that
# is antisemitism, which has its own category).
_RACIAL_GROUPS = {
    "african_descent",
    "arabs",
    "asians",
    "hispanics",
    "immigrants",
    "indian/hindu",
    "refugees",
    "muslims",
}


def label(record: Record, category: str) -> int | None:
    """The record's 0/1 label for ``category``, or None when the data says nothing about it.

    `antisemitism` and `racism` are not annotated as such; they are derived where the annotation allows it:
    ISCA's `hate` is "antisemitic" by construction, MLMA's `hate` comes with the targeted group. Any record that
    is not hateful at all is a negative for both; hate against an unknown target is unknown, not negative.
    """
    labels = record["labels"]
    if category in labels:
        value = labels[category]
        return None if value is None else int(value)
    hate = labels.get(Category.HATE)
    if hate is None:
        return None
    if hate == 0:
        return 0
    meta = record.get("meta") or {}
    if category == Category.ANTISEMITISM:
        if record["source"] == "isca_as":
            return 1
        if record["source"] == "mlma":
            return int(meta.get("group") == "jews")
        return None
    if category == Category.RACISM:
        if record["source"] != "mlma" or meta.get("group") == "jews":
            return None
        group, target = meta.get("group"), meta.get("target")
        return int(group in _RACIAL_GROUPS or (target == "origin" and group in {"other", "individual"}))
    return None
