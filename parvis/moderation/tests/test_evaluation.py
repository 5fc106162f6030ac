"""`parvis moderation eval`: the documented JSON shape, counts that skip unannotated labels, and a readable report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from parvis import cli
from parvis.moderation import evaluation

RECORDS = [
    {"id": "t1", "text": "You are a stupid idiot", "lang": "en", "labels": {"toxic": 1, "insult": 1, "spam": None}},
    {"id": "t2", "text": "Thanks for the article", "lang": "en", "labels": {"toxic": 0, "insult": 0, "spam": 0}},
    {"id": "t3", "text": "What a moron of a writer", "lang": "en", "labels": {"toxic": 1, "insult": None}},
    {"id": "t4", "text": "Merci pour cet article", "lang": "fr", "labels": {"toxic": 0, "insult": 0}},
    {"id": "t5", "text": "Espèce de connard", "lang": "fr", "labels": {"toxic": 1, "insult": 1}},
]
FIELDS = {"category", "lang", "n", "positives", "roc_auc", "pr_auc", "precision", "recall", "f1", "threshold"}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    file = tmp_path / "small.jsonl"
    file.write_text("\n".join(json.dumps(record, ensure_ascii=False) for record in RECORDS) + "\n", encoding="utf-8")
    return file


def _metrics(capsys: pytest.CaptureFixture[str], *arguments: str) -> dict[tuple[str, str], dict[str, Any]]:
    assert cli.main(["moderation", "eval", *arguments, "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert set(output) == {"metrics"}
    for row in output["metrics"]:
        assert set(row) == FIELDS
    return {(row["category"], row["lang"]): row for row in output["metrics"]}


def test_json_output_has_the_documented_shape_and_counts(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _metrics(capsys, "--data", str(data))
    assert rows[("toxic", "en")]["n"] == 3
    assert rows[("toxic", "en")]["positives"] == 2
    assert rows[("toxic", "fr")]["n"] == 2
    assert rows[("toxic", "all")]["n"] == 5
    # t3's insult and t1's spam are null: not annotated, so not counted as negatives.
    assert rows[("insult", "en")]["n"] == 2
    assert rows[("spam", "en")] == {**rows[("spam", "en")], "n": 1, "positives": 0, "roc_auc": None, "pr_auc": None}
    assert rows[("toxic", "en")]["roc_auc"] == 1.0
    assert 0 < rows[("toxic", "en")]["threshold"] < 1
    assert ("threat", "en") not in rows


def test_limit_reads_only_the_first_records(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _metrics(capsys, "--data", str(data), "--limit", "2")
    assert rows[("toxic", "en")]["n"] == 2
    assert ("toxic", "fr") not in rows


def test_human_report_shows_the_table_and_the_worst_mistakes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "mistakes.jsonl"
    records = [
        {"id": "fp", "text": "You are a stupid idiot", "lang": "en", "labels": {"toxic": 0}},
        {"id": "fn", "text": "Thanks for the article", "lang": "en", "labels": {"toxic": 1}},
    ]
    file.write_text("\n".join(json.dumps(record) for record in records), encoding="utf-8")
    assert cli.main(["moderation", "eval", "--data", str(file)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["category", "lang", "n", "pos"]
    assert "worst false positives: toxic" in out and "fp: You are a stupid idiot" in out
    assert "worst false negatives: toxic" in out and "fn: Thanks for the article" in out


def test_a_missing_or_malformed_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["moderation", "eval", "--data", str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "ok"}\nnot json\n', encoding="utf-8")
    assert cli.main(["moderation", "eval", "--data", str(bad)]) == 2
    assert "parvis:" in capsys.readouterr().err


def test_precision_recall_and_f1_follow_the_operating_threshold() -> None:
    scored = [
        evaluation.Scored("a", "en", "", {"toxic": 1}, {"toxic": 0.99}),
        evaluation.Scored("b", "en", "", {"toxic": 1}, {"toxic": 0.01}),
        evaluation.Scored("c", "en", "", {"toxic": 0}, {"toxic": 0.98}),
        evaluation.Scored("d", "en", "", {"toxic": 0}, {"toxic": 0.02}),
    ]
    (row,) = evaluation.report(scored).metrics
    assert (row.n, row.positives, row.precision, row.recall, row.f1) == (4, 2, 0.5, 0.5, 0.5)
    assert row.roc_auc == 0.5
