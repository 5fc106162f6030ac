"""The lexicons find what a newsroom's policy names in fr/en/he/ar, however it is disguised, and point at it."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from parvis.moderation.categories import Category
from parvis.moderation.engine import combine
from parvis.moderation.normalise import normalise
from parvis.moderation.rules import lexicon

FUNCTIONAL = Path(__file__).parent / "data" / "functional_handmade.jsonl"
CATEGORIES = [category.value for category in Category]


def scores(text: str, language: str = "") -> dict[str, float]:
    return combine({}, lexicon.check(text, normalise(text), language), CATEGORIES)


def findings(text: str, language: str = ""):
    return lexicon.check(text, normalise(text), language)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("T'es vraiment un connard", "insult"),
        ("Tu es un c0nn@rd !", "insult"),  # leet
        ("espèce de C R E T I N", "insult"),  # spaced capitals
        ("You're an 1d10t", "insult"),
        ("what a moооооron", "insult"),  # Cyrillic о, stretched
        ("אתה מְטוּמְטָם", "insult"),  # niqqud
        ("יא בן זונה", "insult"),
        ("يا كـــلـــب", "insult"),  # tatweel
        ("أنت غَبِيٌّ", "insult"),  # harakat
        ("ya ben zona", "insult"),  # Latin-script Hebrew
        ("kos omak ya 7mar", "insult"),  # Arabizi
        ("Je vais te tuer", "threat"),
        ("I’ll kill you tomorrow", "threat"),  # typographic apostrophe
        ("אני ארצח אותך", "threat"),
        ("سأقتلك", "threat"),
        ("Make money from home, ask me how", "spam"),
        ("Gagnez de l'argent facilement", "spam"),
        ("abonnez-vous à ma chaîne", "spam"),
        ("اشترك في قناتي", "spam"),
        ("הירשמו לערוץ שלי", "spam"),
    ],
)
def test_list_entries_are_found_whatever_their_disguise(text, category):
    assert scores(text)[category] >= 0.5


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Get these k1kes out", "antisemitism"),
        ("Encore un y0upin", "antisemitism"),
        ("ces bougnoules", "racism"),
        ("הערבושים האלה", "racism"),  # Hebrew prefix ה and plural
        ("Jews are rats.", "antisemitism"),
        ("Those j3ws are vermin", "antisemitism"),
        ("Les juifs c'est tous des rats", "antisemitism"),
        ("Les Arabes, ce sont des cafards.", "racism"),
        ("Honestly, blacks are just animals", "racism"),
        ("היהודים הם עכברושים", "antisemitism"),
        ("הֶעָרָבִים הֵם חַיּוֹת", "racism"),
        ("الـيـهـود خـنـازيـر", "antisemitism"),
        ("مَوْتٌ لِلْعَرَب", "racism"),  # death to + ل prefix
        ("מוות לערבים", "racism"),
        ("Death to Arabs!", "racism"),
        ("The Jews control the media and the banks.", "antisemitism"),
        ("The Rothschilds own the banks.", "antisemitism"),
        ("Rothschild puppets everywhere", "antisemitism"),
        ("ZOG runs this country", "antisemitism"),
        ("(((they))) did it", "antisemitism"),
        ("the khazars again", "antisemitism"),
        ("the holohoax", "antisemitism"),
        ("La Shoah, c'est un mensonge", "antisemitism"),
        ("השואה לא הייתה", "antisemitism"),
        ("المحرقة كذبة", "antisemitism"),
        ("اليهود قردة وخنازير", "antisemitism"),
        ("Gays should be exterminated", "hate"),
        ("Women are inferior", "hate"),
    ],
)
def test_slurs_dehumanisation_tropes_and_coded_antisemitism_are_hate_of_their_kind(text, kind):
    result = scores(text)
    assert result[kind] >= 0.5
    assert result["hate"] >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Jews",
        "Muslims and Jews in our town organised a food drive.",
        "Jewish families celebrated Hanukkah downtown.",
        "Black people deserve equal pay.",
        "Muslim patients with cancer need better care.",  # a group and a disease word, not linked
        "The Holocaust was the murder of 6 million Jews.",
        "Les juifs de France célèbrent Pessah.",
        "יהודים וערבים גרים יחד בחיפה.",
        "يهود ومسلمون يعيشون معا في المدينة.",
        "Il est en retard.",  # "retard" is an English insult only
        "Niger and Nigeria signed the treaty.",
        "She lives in Massachusetts, as a teacher.",  # "as" is not a key for "ass"
    ],
)
def test_a_group_named_without_a_derogatory_predicate_is_not_hate(text):
    result = scores(text, "fr" if "retard" in text else "")
    assert result["hate"] < 0.3
    assert result["insult"] < 0.3


def test_a_hit_points_at_what_the_reader_wrote():
    text = "Franchement, t'es un c.0.n.n.a.r.d celui-là"
    (finding, *_) = [f for f in findings(text) if f.category == "insult"]
    start, end = finding.spans[0]
    assert text[start:end] == "c.0.n.n.a.r.d"
    assert "Insult" in finding.reason and "c.0.n.n.a.r.d" in finding.reason


def test_a_pair_finding_names_both_the_group_and_the_predicate():
    text = "Honestly, the Jews are parasites."
    (finding,) = [f for f in findings(text) if f.category == "antisemitism"]
    assert [text[start:end] for start, end in finding.spans] == ["Jews", "parasites"]
    assert finding.rule == "lexicon.pair.dehum"


def test_profanity_is_only_mildly_toxic():
    result = scores("oh shit, I forgot my umbrella")
    assert 0 < result["toxic"] < 0.5
    assert result["insult"] == 0


def test_a_longer_entry_wins_over_the_words_inside_it():
    rules = [f.reason for f in findings("son of a bitch")]
    assert all("son of a bitch" in reason for reason in rules)


def test_every_lexicon_line_parses_and_no_key_is_a_common_word():
    common = {"as", "a", "an", "the", "on", "is", "de", "la", "le", "un", "et", "ou", "in", "it", "con", "pas"}
    found = lexicon.entries()
    assert len(found) > 1000
    for language in lexicon.LANGUAGES:
        for number, line in enumerate((lexicon.LEXICONS / f"{language}.tsv").read_text().splitlines(), 1):
            if line.strip() and not line.startswith("#"):
                assert len(line.split("\t")) == 5, f"{language}.tsv:{number}"
    assert not [entry.text for entry in found if entry.key in common]
    categories = {category for entry in found for category in entry.categories}
    assert categories <= lexicon.STANDALONE | {f"target_{kind}" for kind in lexicon.TARGETS} | {
        f"pred_{kind}" for kind in lexicon.PREDICATES
    }


def test_every_language_has_insults_threats_spam_and_hate():
    by_language = defaultdict(set)
    for entry in lexicon.entries():
        by_language[entry.language].update(entry.categories)
    for language in ("fr", "en", "he", "ar"):
        assert {"insult", "threat", "spam", "antisemitism", "racism", "hate", "pred_dehum"} <= by_language[language]


def _functional():
    return [json.loads(line) for line in FUNCTIONAL.read_text(encoding="utf-8").splitlines()]


def test_the_functional_set_has_forty_records_per_language():
    records = _functional()
    per_language = defaultdict(int)
    for record in records:
        per_language[record["lang"]] += 1
        assert record["source"] == "handmade" and record["split"] == "test"
        assert set(record["labels"]) == {"spam", "toxic", "hate", "insult", "threat", "defamation"}
    assert all(count >= 40 for count in per_language.values()) and set(per_language) == {"fr", "en", "he", "ar"}


@pytest.mark.parametrize("language", ["fr", "en", "he", "ar"])
def test_counter_speech_and_negation_are_rarely_flagged_and_hate_usually_is(language):
    records = [record for record in _functional() if record["lang"] == language]
    benign = [r for r in records if r["meta"]["functionality"] in {"negation", "counter_speech", "quoted_hate"}]
    hateful = [r for r in records if r["meta"]["functionality"] in {"slur", "trope", "dehumanisation", "coded"}]
    flagged = [r["text"] for r in benign if scores(r["text"], language)["hate"] >= 0.5]
    caught = [r for r in hateful if scores(r["text"], language)["hate"] >= 0.5]
    assert len(flagged) <= 0.2 * len(benign), flagged
    assert len(caught) >= 0.8 * len(hateful)


def test_neutral_mentions_of_groups_in_the_functional_set_are_not_hate():
    for record in _functional():
        if record["meta"]["functionality"] in {"identity_neutral", "clean", "reclaimed"}:
            assert scores(record["text"], record["lang"])["hate"] < 0.5, record["text"]


@pytest.mark.parametrize(
    "text",
    [
        "Jews are vermin and Muslims are parasites, death to them all " * 330,
        "idiot כושי غبي " * 1500,
        "not " * 5000 + "jews vermin",
        "(" * 20_000,
        "\"'" * 10_000,
        "a" * 100_000,
        "i\u0336\u0337\u0338d\u0336\u0337i\u0336o\u0336t\u0336" * 2000,
        "\x00\x01\xff" * 3000,
        "",
        "🙂",
    ],
)
def test_long_and_hostile_input_completes(text):
    lexicon.check(text, normalise(text), "en")
