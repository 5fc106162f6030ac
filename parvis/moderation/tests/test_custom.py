"""A newsroom's own category, defined by phrases and examples, catches those phrases disguised and paraphrases."""

from __future__ import annotations

from parvis.moderation.engine import CustomCategory
from parvis.moderation.normalise import normalise
from parvis.moderation.rules import custom

MORALS = CustomCategory(
    slug="against_jewish_morals",
    label="Against Jewish morals",
    phrases=("chillul shabbat", "חילול שבת", "lashon hara", "לשון הרע"),
    examples=(
        "Who cares about kashrut, let's all eat pork at the synagogue party",
        "שבת זה שטויות, בואו נעשה מנגל ביום כיפור",
        "Le shabbat c'est ringard, ouvrez tous les magasins le samedi",
    ),
)
OTHER = CustomCategory(slug="sport", label="Sport results", phrases=("penalty",))


def check(text: str, categories=(MORALS,)):
    return custom.check(text, normalise(text), categories)


def test_a_phrase_is_found_through_niqqud_and_its_span_points_at_it():
    text = "החילול שַׁבָּת הזה מבייש"
    (finding,) = check(text)
    assert finding.category == "against_jewish_morals" and finding.rule == "custom.phrase"
    assert finding.score >= 0.5
    start, end = finding.spans[0]
    assert text[start:end] == "החילול שַׁבָּת"
    assert finding.reason.startswith("Against Jewish morals")


def test_a_phrase_in_latin_letters_with_leet_is_found():
    assert [f.rule for f in check("total ch1llul shabbat yesterday")] == ["custom.phrase"]


def test_a_negated_phrase_is_lowered():
    (finding,) = check("I am not for chillul shabbat")
    assert finding.score < 0.5 and "negated" in finding.reason


def test_a_paraphrase_of_an_example_is_found_by_similarity():
    (finding,) = check("let's eat pork at the synagogue party, who cares about kashrut")
    assert finding.rule == "custom.example" and finding.score >= 0.5
    assert "similar" in finding.reason


def test_examples_in_hebrew_and_french_are_matched_too():
    assert check("בואו נעשה מנגל ביום כיפור")
    assert check("ouvrez tous les magasins le samedi, le shabbat c'est ringard")


def test_unrelated_comments_are_not_in_the_category():
    assert check("Great reporting on the tram line, thanks for the maps.") == []
    assert check("") == []


def test_each_category_reports_under_its_own_slug():
    found = check("penalty! and chillul shabbat", (MORALS, OTHER))
    assert {f.category for f in found} == {"against_jewish_morals", "sport"}


def test_a_category_without_phrases_or_examples_finds_nothing():
    assert check("anything", (CustomCategory(slug="empty", label="Empty"),)) == []


def test_hostile_input_completes():
    check("chillul shabbat " * 5000)
    check("\x00" * 50_000)
