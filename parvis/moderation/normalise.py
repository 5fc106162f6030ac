"""Text as the moderation signals see it: what people write to slip past filters, undone.

Abusers write "1d10t", "i d i o t", "𝐢𝐝𝐢𝐨𝐭", "іdіоt" (Cyrillic letters), "idiooooot", insert zero-width or bidi
characters, and in Hebrew and Arabic add vowel points, tatweel or letter variants. `normalise` maps all of these
to one matching key, and keeps for every character of the key the position it came from in the original text,
so a rule that matches the key can still point at (and highlight) the words the reader actually wrote.

The key is for matching only, never for display: it lower-cases, drops accents and squeezes repeated letters,
so lexicon entries must go through the same function (`normalise(entry).text`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import regex

# Latin look-alikes from Cyrillic and Greek, applied only inside words that also contain Latin letters
# (a Russian word stays Russian; "іdіоt" with Cyrillic і and о becomes "idiot").
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ӏ": "l",
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
        "χ": "x", "ı": "i",
    }
)  # fmt: skip
# Digits and symbols used as letters, applied only inside words that also contain letters ("2026" stays).
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s",
                       "€": "e", "!": "i", "|": "i"})  # fmt: skip
# Typographic apostrophes and the Hebrew geresh and gershayim → ASCII, so "I’ll", "l’argent" and "ז׳יד" meet the
# lexicon entries written with ' and ".
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "׳": "'", "״": '"'})
_HEBREW_FINALS = str.maketrans({"ך": "כ", "ם": "מ", "ן": "נ", "ף": "פ", "ץ": "צ"})
# Alef with hamza or madda, alef wasla → alef; alef maqsura → yaa; taa marbuta → haa; hamza on waw/yaa;
# Persian kaf and yaa → Arabic.
_ARABIC_VARIANTS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ی": "ي", "ک": "ك"}
)
_TATWEEL = "\u0640"
# A word, with the symbols that stand for letters; "!" and "|" count only between other word characters, so
# the exclamation mark that ends a sentence stays punctuation.
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}@$€]+(?:[!|]+[\p{L}\p{M}\p{N}@$€]+)*")
_LATIN = regex.compile(r"\p{Latin}")
_LETTER = regex.compile(r"\p{L}")
# Three or more single letters (or digits standing for letters) separated by small gaps: "i d i o t",
# "i.d.i.o.t", "1 d 1 0 t". Joined only when at least one of them is a letter, so "1 2 3" stays apart.
_SPACED = regex.compile(r"(?<![\p{L}\p{N}])[\p{L}\p{N}](?:[ .\-_*·•]{1,3}[\p{L}\p{N}]){2,}(?![\p{L}\p{N}])")


@dataclass(frozen=True)
class Normalised:
    """The matching key, and for each of its characters the index of the original character it came from."""

    text: str
    origins: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's [start, end) behind the key's [start, end)."""
        if start >= end or not self.origins:
            return (0, 0)
        return (self.origins[start], self.origins[end - 1] + 1)


Chars = list[tuple[str, int]]


def _per_character(chars: Chars, change: Callable[[str], str]) -> Chars:
    """Replace each character by ``change(character)`` (zero, one or several characters, same origin)."""
    return [(piece, origin) for character, origin in chars for piece in change(character)]


def _fold(character: str) -> str:
    """Compatibility form (𝐢 → i, ｆ → f, ﬁ → fi), lower case, without accents, vowel points or harakat."""
    if character == _TATWEEL or unicodedata.category(character) == "Cf":
        return ""
    decomposed = unicodedata.normalize("NFKD", character).casefold()
    return "".join(piece for piece in decomposed if not unicodedata.combining(piece))


def _by_word(chars: Chars, change: dict[int, str], *, needs: regex.Pattern[str]) -> Chars:
    """Apply ``change`` (a str.translate table) to the words that match ``needs``."""
    text = "".join(character for character, _ in chars)
    result = list(chars)
    for word in _WORD.finditer(text):
        if needs.search(word.group()):
            for index in range(word.start(), word.end()):
                character, origin = result[index]
                result[index] = (character.translate(change), origin)
    return result


def _join_spaced(chars: Chars) -> Chars:
    text = "".join(character for character, _ in chars)
    drop: set[int] = set()
    for match in _SPACED.finditer(text):
        if not _LETTER.search(match.group()):
            continue
        drop.update(index for index in range(match.start(), match.end()) if not text[index].isalnum())
    return [pair for index, pair in enumerate(chars) if index not in drop]


def _squeeze(chars: Chars) -> Chars:
    """Runs of the same letter become one ("idiooooot" → "idiot"); runs of spaces become one space."""
    result: Chars = []
    for character, origin in chars:
        if character.isspace():
            character = " "
        if result and result[-1][0] == character and (character.isalpha() or character == " "):
            continue
        result.append((character, origin))
    return result


def normalise(text: str) -> Normalised:
    """The matching key of ``text``; never raises, linear in the length of the text."""
    chars: Chars = [(character, index) for index, character in enumerate(text)]
    chars = _per_character(chars, _fold)
    chars = _by_word(chars, _HOMOGLYPHS, needs=_LATIN)
    chars = _join_spaced(chars)
    chars = _by_word(chars, _LEET, needs=_LETTER)
    chars = [
        (character.translate(_APOSTROPHES).translate(_HEBREW_FINALS).translate(_ARABIC_VARIANTS), origin)
        for character, origin in chars
    ]
    chars = _squeeze(chars)
    while chars and chars[0][0] == " ":
        chars.pop(0)
    while chars and chars[-1][0] == " ":
        chars.pop()
    return Normalised("".join(character for character, _ in chars), tuple(origin for _, origin in chars))
