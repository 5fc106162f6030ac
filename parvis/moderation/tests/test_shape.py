"""How a comment looks — shouting, stretching, zalgo, repetition, emoji floods, hidden controls — is a weak signal."""

from __future__ import annotations

import pytest

from parvis.moderation.rules import shape


def rules(text: str) -> dict[str, float]:
    return {finding.rule: finding.score for finding in shape.check(text)}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("THIS ARTICLE IS A DISGRACE AND YOU KNOW IT", "shape.shouting"),
        ("noooooooon, c'est pas possible", "shape.stretched"),
        ("z\u0336\u0337\u0338\u0339a\u0336\u0337\u0338\u0339l\u0336\u0337\u0338\u0339go", "shape.zalgo"),
        ("buy now " * 10, "shape.repeated"),
        ("🙂" * 12, "shape.emoji_flood"),
        ("abc\u202edef", "shape.bidi"),
        ("\x00\x01\x02\x03 binary", "shape.binary"),
    ],
)
def test_each_shape_is_found_with_a_low_score_and_a_reason(text, rule):
    found = {finding.rule: finding for finding in shape.check(text)}
    assert rule in found
    assert 0 < found[rule].score <= 0.5
    assert found[rule].reason


@pytest.mark.parametrize(
    "text",
    [
        "Un commentaire tout à fait normal, merci pour l'article.",
        "NATO and the EU met in Brussels on Monday.",  # a few acronyms are not shouting
        "שָׁלוֹם עֲלֵיכֶם",  # niqqud is not zalgo
        "مَرْحَبًا بِكُمْ",  # nor are harakat
        "👍",
        "2026-05-01 1000000",
        "",
    ],
)
def test_ordinary_text_has_no_shape_findings(text):
    assert rules(text) == {}


def test_spans_point_at_the_stretched_run():
    text = "c'est nuuuuuul"
    (finding,) = shape.check(text)
    start, end = finding.spans[0]
    assert text[start:end] == "uuuuuu"


@pytest.mark.parametrize(
    "text",
    [
        "ab" * 50_000,
        "a" * 100_000,
        "x" * 100_000 + "\u0336" * 10_000,
        "🙂" * 30_000,
        "\u202e" * 50_000,
        "(a+)+" * 20_000,
    ],
)
def test_hostile_input_completes(text):
    shape.check(text)
