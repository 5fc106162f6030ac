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
from dataclasses import dataclass
from functools import lru_cache

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
# Every character str.isspace() calls whitespace, as a translate table to a plain space.
_SPACES = {code: " " for code in (*range(0x09, 0x0E), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
                                  0x2028, 0x2029, 0x202F, 0x205F, 0x3000)}  # fmt: skip
# A letter (or a space) repeated: squeezed to one.
_RUN = regex.compile(r"(\p{L}| )\1+")
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


@lru_cache(maxsize=16384)
def _fold(character: str) -> str:
    """Compatibility form (𝐢 → i, ｆ → f, ﬁ → fi), lower case, without accents, vowel points or harakat, with
    typographic apostrophes, Hebrew final forms and Arabic letter variants unified. Per character and cached:
    a comment uses few distinct characters, so this is a dictionary lookup for nearly all of them."""
    if character == _TATWEEL or unicodedata.category(character) == "Cf":
        return ""
    decomposed = unicodedata.normalize("NFKD", character).casefold()
    folded = "".join(piece for piece in decomposed if not unicodedata.combining(piece))
    return folded.translate(_APOSTROPHES).translate(_HEBREW_FINALS).translate(_ARABIC_VARIANTS)


def _by_word(key: str, change: dict[int, str], *, needs: regex.Pattern[str]) -> str:
    """Apply ``change`` (a one-character-for-one str.translate table) to the words that match ``needs``."""
    if key.translate(change) == key:
        return key  # nothing to change anywhere: skip the word-by-word pass
    parts: list[str] = []
    last = 0
    for word in _WORD.finditer(key):
        if needs.search(word.group()):
            parts += [key[last : word.start()], word.group().translate(change)]
            last = word.end()
    parts.append(key[last:])
    return "".join(parts)


def _without(key: str, origins: list[int], drop: set[int]) -> tuple[str, list[int]]:
    if not drop:
        return key, origins
    kept = [index for index in range(len(key)) if index not in drop]
    return "".join(key[index] for index in kept), [origins[index] for index in kept]


def _join_spaced(key: str, origins: list[int]) -> tuple[str, list[int]]:
    drop: set[int] = set()
    for match in _SPACED.finditer(key):
        if not _LETTER.search(match.group()):
            continue
        drop.update(index for index in range(match.start(), match.end()) if not key[index].isalnum())
    return _without(key, origins, drop)


def _squeeze(key: str, origins: list[int]) -> tuple[str, list[int]]:
    """Runs of the same letter become one ("idiooooot" → "idiot"); any whitespace becomes one space."""
    key = key.translate(_SPACES)
    drop: set[int] = set()
    for match in _RUN.finditer(key):
        drop.update(range(match.start() + 1, match.end()))
    return _without(key, origins, drop)


def normalise(text: str) -> Normalised:
    """The matching key of ``text``; never raises, linear in the length of the text."""
    pieces: list[str] = []
    origins: list[int] = []
    for index, character in enumerate(text):
        folded = _fold(character)
        if folded:
            pieces.append(folded)
            origins.extend([index] * len(folded))
    key = "".join(pieces)
    key = _by_word(key, _HOMOGLYPHS, needs=_LATIN)
    key, origins = _join_spaced(key, origins)
    key = _by_word(key, _LEET, needs=_LETTER)
    key, origins = _squeeze(key, origins)
    start, end = 0, len(key)
    while start < end and key[start] == " ":
        start += 1
    while end > start and key[end - 1] == " ":
        end -= 1
    return Normalised(key[start:end], tuple(origins[start:end]))
