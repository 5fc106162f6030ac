from __future__ import annotations

import pytest

from parvis.core.exceptions import Code, ProblemError
from parvis.core.text import clean_body, clean_line


def test_bidi_overrides_cannot_reverse_a_name():
    # "‮txt.exe" would display as "exe.txt" — the override is removed.
    assert clean_line("Alice\u202eresoJ", "name") == "AliceresoJ"


def test_zero_width_characters_cannot_make_two_names_look_alike():
    assert clean_line("Ad\u200bmin\u2060", "name") == "Admin"
    assert clean_line("  Jean   Dupont \t", "name") == "Jean Dupont"


def test_bodies_keep_the_joiners_that_persian_and_emoji_need():
    persian = "می\u200cخواهم"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_body(f"{persian} {family}") == f"{persian} {family}"


def test_bodies_lose_bidi_overrides_and_invisible_spaces():
    assert clean_body("voir \u202ehttps://evil\u202c et\u200b plus") == "voir https://evil et plus"


def test_bodies_are_normalised_to_nfc_with_unix_line_ends():
    assert clean_body("e\u0301te\u0301\r\nligne\r\n\r\n\r\n\r\nfin  ") == "été\nligne\n\nfin"


@pytest.mark.parametrize("character", ["\x00", "\x08", "\x7f", "\x9b", "\ud800", "\uffff"])
def test_characters_no_text_contains_are_refused(character):
    with pytest.raises(ProblemError) as error:
        clean_body(f"a{character}b")
    assert error.value.code == Code.INVALID_CHARACTERS
