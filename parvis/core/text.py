"""Cleaning of text readers type, before it is stored.

Two different jobs: *refusing* what can only be an attack or a broken client (NUL, control characters,
lone surrogates), with a clear error, and *neutralising* invisible characters that could spoof what other
readers see (bidi overrides that reverse a name or a link, zero-width characters that make two names
look alike) while keeping what real writing needs (ZWJ/ZWNJ in Persian and emoji, LRM/RLM marks).
"""

from __future__ import annotations

import unicodedata

import regex

from parvis.core.exceptions import Code, ProblemError

# C0 controls except tab/newline/carriage return, DEL, C1 controls, surrogates, and the two
# non-characters that are never text.
_FORBIDDEN = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Explicit embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): in a comment they
# only ever serve to make text display differently from what it is. dir="auto" handles direction.
_BIDI_CONTROLS = regex.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Invisible characters with no role in running text (ZWSP, word joiner, invisible operators, BOM,
# Mongolian vowel separator); ZWNJ/ZWJ (200C/200D) stay in bodies because scripts and emoji need them.
_INVISIBLE_IN_BODY = regex.compile(r"[\u200b\u2060-\u2064\ufeff\u180e]")
_FORMAT_CHARACTERS = regex.compile(r"\p{Cf}")
_WHITESPACE_RUN = regex.compile(r"\s+")
_TRAILING_SPACE = regex.compile(r"[ \t]+$", regex.MULTILINE)
_BLANK_LINES = regex.compile(r"\n{3,}")


def refuse_forbidden(value: str, field: str) -> None:
    """Raise INVALID_CHARACTERS if ``value`` holds characters no human text contains."""
    match = _FORBIDDEN.search(value)
    if match:
        position = match.start()
        raise ProblemError(
            Code.INVALID_CHARACTERS,
            f"{field} contains the character U+{ord(match.group()):04X} at position {position}, which is not allowed.",
            field=field,
        )


def clean_body(value: str) -> str:
    """A comment body as stored: NFC, LF line ends, spoofing controls removed, trimmed."""
    refuse_forbidden(value, "body")
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = _BIDI_CONTROLS.sub("", text)
    text = _INVISIBLE_IN_BODY.sub("", text)
    text = _TRAILING_SPACE.sub("", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def clean_line(value: str, field: str) -> str:
    """A one-line value shown to other readers (a name, a title): no format characters, one space runs."""
    refuse_forbidden(value, field)
    text = unicodedata.normalize("NFC", value)
    text = _FORMAT_CHARACTERS.sub("", text)
    return _WHITESPACE_RUN.sub(" ", text).strip()


def clean_fragment(value: str, field: str) -> str:
    """A piece of quoted text whose edges matter (the context of an inline comment's quote): cleaned like
    a line, but leading and trailing spaces are kept."""
    refuse_forbidden(value, field)
    text = unicodedata.normalize("NFC", value)
    text = _FORMAT_CHARACTERS.sub("", text)
    return _WHITESPACE_RUN.sub(" ", text)
