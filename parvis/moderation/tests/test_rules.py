"""Rules a newsroom can read: each says what it found, why it matters, and where in the comment."""

from __future__ import annotations

import pytest

from parvis.moderation.rules import links, personal_data


def rules(findings) -> list[str]:
    return [finding.rule for finding in findings]


@pytest.mark.parametrize(
    "text",
    [
        "Appelez-moi au 06 12 34 56 78",
        "appelle le 06.12.34.56.78 ce soir",
        "call +1 (415) 555-0132 now",
        "צלצלו 054-123-4567",
        "رقمي ٠٥٠١٢٣٤٥٦٧",  # Arabic-Indic digits
        "0033 6 12 34 56 78",
    ],
)
def test_phone_numbers_are_found_in_any_script(text):
    found = personal_data.check(text)
    assert rules(found) == ["personal_data.phone"]
    start, end = found[0].spans[0]
    assert text[start].isdigit() or text[start] == "+"
    assert text[end - 1].isdigit()


@pytest.mark.parametrize(
    "text",
    ["En 2026, 1 500 000 euros ont été votés.", "le 12/03/2025 à 18h30", "Article 49.3", "42 % des 312 projets"],
)
def test_years_prices_and_counts_are_not_phone_numbers(text):
    assert personal_data.check(text) == []


def test_an_email_address_is_found_and_located():
    text = "Écrivez à jean.dupont@example.fr pour les détails."
    (finding,) = personal_data.check(text)
    assert finding.rule == "personal_data.email"
    start, end = finding.spans[0]
    assert text[start:end] == "jean.dupont@example.fr"


def test_one_ordinary_link_is_noted_but_not_treated_as_spam():
    (finding,) = links.check("La source : https://www.insee.fr/fr/statistiques, page 4.")
    assert (finding.rule, finding.category) == ("links.present", "links")
    assert finding.score < 0.5


def test_a_shortened_link_is_suspicious_because_its_target_is_hidden():
    found = links.check("Gagnez un iPhone : bit.ly/3xYz")
    assert "links.shortener" in rules(found)
    assert next(f for f in found if f.rule == "links.shortener").category == "spam"


def test_link_stuffing_is_spam_and_every_link_is_located():
    text = "promo casino.xyz pills.top http://cheap.example.com/x"
    (finding,) = [f for f in links.check(text) if f.rule == "links.many"]
    assert finding.category == "spam" and finding.score >= 0.8
    assert [text[start:end] for start, end in finding.spans] == [
        "casino.xyz",
        "pills.top",
        "http://cheap.example.com/x",
    ]


@pytest.mark.parametrize("text", ["Il est 10h.Merci", "fin de phrase.Et puis", "Bonjour à tous", ""])
def test_sentences_without_links_have_none(text):
    assert links.check(text) == []


def test_rules_survive_long_and_hostile_text():
    hostile = "0" + " 0" * 20_000 + "@" * 10_000 + "http://" * 5_000
    personal_data.check(hostile)
    links.check(hostile)
