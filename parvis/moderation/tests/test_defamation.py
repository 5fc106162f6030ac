"""Someone named, accused of a crime or of dishonesty, is a defamation risk; a sourced report is much less of one."""

from __future__ import annotations

import pytest

from parvis.moderation.normalise import normalise
from parvis.moderation.rules import defamation


def check(text: str, language: str = ""):
    return defamation.check(text, normalise(text), language)


def top(text: str) -> float:
    return max((f.score for f in check(text)), default=0.0)


@pytest.mark.parametrize(
    ("text", "who", "what"),
    [
        ("Jean Dupont est un voleur.", "Jean Dupont", "voleur"),
        ("Dupont est un escr0c !", "Dupont", "escr0c"),  # leet in the accusation
        ("Le maire est corrompu.", "maire", "corrompu"),
        ("I think Trump is a liar.", "Trump", "liar"),
        ("The minister embezzled the funds.", "minister", "embezzled"),
        ("@mairie_lyon vole l'argent des contribuables", "@mairie_lyon", "vole l'argent"),
        ("Acme Corp defrauded its clients.", "Acme Corp", "defrauded"),
        ("השר הוא גנב ושקרן.", "השר", "גנב"),
        ("ראש העירייה מושחת.", "ראש העירייה", "מושחת"),
        ("الوزير فاسد وحرامي.", "وزير", "فاسد"),
        ("النائب مرتشي.", "النائب", "مرتشي"),
    ],
)
def test_a_named_person_accused_of_a_crime_is_a_defamation_risk(text, who, what):
    found = check(text)
    assert found and max(f.score for f in found) >= 0.5
    finding = max(found, key=lambda f: f.score)
    assert finding.category == "defamation"
    quoted = [text[start:end] for start, end in finding.spans]
    assert any(who in piece for piece in quoted) and any(what in piece for piece in quoted)
    assert "named" in finding.reason


@pytest.mark.parametrize(
    "text",
    [
        "You are a liar.",  # an insult, not a third party
        "Tu es un menteur.",
        "Politicians are corrupt.",
        "Les politiques sont tous corrompus.",
        "Thieves stole my bike.",
        "Bonjour, quel beau quartier.",
        "The mayor opened the new library.",
        "",
    ],
)
def test_no_named_target_or_no_accusation_is_no_defamation(text):
    assert top(text) < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Selon le jugement, le maire a été condamné pour fraude fiscale.",
        "According to the court ruling, Acme Corp defrauded its clients.",
        "לפי כתב האישום, השר לקח שוחד.",
        "حسب المحكمة، الوزير متهم بالاختلاس.",
        "Jean Dupont n'est pas un voleur.",
    ],
)
def test_sourced_or_negated_accusations_are_lowered(text):
    assert 0 < top(text) < 0.5 or not check(text)


def test_the_reason_says_a_source_lowered_it():
    (finding,) = check("Selon le jugement, le maire a été condamné pour fraude fiscale.")
    assert "source" in finding.reason


def test_hostile_input_completes():
    check("Jean Dupont est un voleur. " * 800)
    check("A" * 100_000)
    check("Aa " * 30_000 + "voleur")
