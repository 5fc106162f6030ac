"""`parvis moderation eval`: how well the deployed text pipeline scores a labelled .jsonl file.

It runs `engine.assess(..., full=True)` on each record exactly as the worker would for a fresh default site (rules,
stage 1, stage 2 when installed, no site model, no custom categories), so the numbers describe what a newsroom
gets, not a model in isolation. A label that is null means "not annotated" and is skipped, never counted as 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sklearn.metrics import average_precision_score, roc_auc_score

from parvis.moderation import engine
from parvis.moderation.categories import Category

# Where the default policy names no threshold: the models are calibrated so that 0.5 means "as likely as not" on
# class-balanced data.
DEFAULT_THRESHOLD = 0.5
WORST = 5


def operating_threshold(category: str) -> float:
    """The score at or above which ``category`` counts as flagged: where the default policy of a fresh site stops
    publishing straight away (its review band or its action, whichever comes first)."""
    try:
        from parvis.moderation.policy import default_policy
    except ImportError:  # the policy module is newer than this evaluation; keep working without it
        return DEFAULT_THRESHOLD
    rule = default_policy().rule(category)
    return rule.operating_threshold if rule is not None else DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Scored:
    id: str
    lang: str
    text: str
    labels: dict[str, int]
    scores: dict[str, float]


@dataclass(frozen=True)
class Row:
    category: str
    lang: str
    n: int
    positives: int
    roc_auc: float | None
    pr_auc: float | None
    precision: float | None
    recall: float | None
    f1: float | None
    threshold: float


@dataclass
class Report:
    metrics: list[Row]
    false_positives: dict[str, list[Scored]] = field(default_factory=dict)
    false_negatives: dict[str, list[Scored]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"metrics": [asdict(row) for row in self.metrics]}


def read(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """Records of a .jsonl file (at most ``limit``); a line that is not a JSON object with text is an error."""
    records = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise ValueError(f"{path}:{number}: not a record with a text")
            records.append(record)
            if limit is not None and len(records) >= limit:
                break
    return records


def score(records: Iterable[dict[str, Any]]) -> list[Scored]:
    """Assess every record with the full pipeline."""
    known = {category.value for category in Category}
    scored = []
    for index, record in enumerate(records):
        labels = {
            category: int(value)
            for category, value in (record.get("labels") or {}).items()
            if category in known and value is not None
        }
        language = record.get("lang") or None
        assessment = engine.assess(record["text"], language=language, full=True)
        scored.append(
            Scored(
                id=str(record.get("id", index)),
                lang=language or assessment.language or "",
                text=record["text"],
                labels=labels,
                scores=assessment.scores,
            )
        )
    return scored


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _row(category: str, lang: str, items: Sequence[Scored]) -> Row:
    truth = [item.labels[category] for item in items]
    predicted = [item.scores.get(category, 0.0) for item in items]
    threshold = operating_threshold(category)
    positives = sum(truth)
    flagged = [score >= threshold for score in predicted]
    true_positives = sum(1 for label, flag in zip(truth, flagged, strict=True) if label and flag)
    precision = _ratio(true_positives, sum(flagged))
    recall = _ratio(true_positives, positives)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision and recall else None
    if precision is not None and recall is not None and not (precision and recall):
        f1 = 0.0
    both = 0 < positives < len(truth)
    return Row(
        category=category,
        lang=lang,
        n=len(truth),
        positives=positives,
        roc_auc=round(float(roc_auc_score(truth, predicted)), 4) if both else None,
        pr_auc=round(float(average_precision_score(truth, predicted)), 4) if both else None,
        precision=precision,
        recall=recall,
        f1=f1,
        threshold=threshold,
    )


def report(scored: Sequence[Scored]) -> Report:
    """Metrics per category and language (and over all languages, as lang "all"), and the worst mistakes."""
    categories = [category.value for category in Category if any(category.value in item.labels for item in scored)]
    languages = sorted({item.lang for item in scored})
    result = Report(metrics=[])
    for category in categories:
        labelled = [item for item in scored if category in item.labels]
        for lang in languages:
            items = [item for item in labelled if item.lang == lang]
            if items:
                result.metrics.append(_row(category, lang, items))
        if len(languages) > 1:
            result.metrics.append(_row(category, "all", labelled))
        threshold = operating_threshold(category)
        negatives = [
            item for item in labelled if not item.labels[category] and item.scores.get(category, 0) >= threshold
        ]
        positives = [item for item in labelled if item.labels[category] and item.scores.get(category, 0) < threshold]
        result.false_positives[category] = sorted(negatives, key=lambda item: -item.scores.get(category, 0))[:WORST]
        result.false_negatives[category] = sorted(positives, key=lambda item: item.scores.get(category, 0))[:WORST]
    return result


def _number(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def _excerpt(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    flat = "".join(character if character.isprintable() else "?" for character in flat)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def render(result: Report) -> str:
    """The human-readable report: a table, then the worst false positives and negatives per category."""
    lines = [
        f"{'category':<13} {'lang':<4} {'n':>6} {'pos':>6} {'roc_auc':>7} {'pr_auc':>7} "
        f"{'prec':>6} {'recall':>6} {'f1':>6} {'thr':>5}"
    ]
    for row in result.metrics:
        lines.append(
            f"{row.category:<13} {row.lang:<4} {row.n:>6} {row.positives:>6} {_number(row.roc_auc):>7} "
            f"{_number(row.pr_auc):>7} {_number(row.precision):>6} {_number(row.recall):>6} {_number(row.f1):>6} "
            f"{row.threshold:>5.2f}"
        )
    for title, mistakes in (("false positives", result.false_positives), ("false negatives", result.false_negatives)):
        for category, items in mistakes.items():
            if not items:
                continue
            lines.append(f"\nworst {title}: {category}")
            for item in items:
                lines.append(f"  {item.scores.get(category, 0):.3f}  [{item.lang}] {item.id}: {_excerpt(item.text)}")
    return "\n".join(lines)


def main(data: Path, *, as_json: bool = False, limit: int | None = None) -> int:
    """Evaluate ``data`` and print the report (or its JSON form); the exit status of `parvis moderation eval`."""
    result = report(score(read(data, limit)))
    print(json.dumps(result.as_json(), ensure_ascii=False) if as_json else render(result))
    return 0
