"""Personal data in a comment: email addresses and phone numbers (the reader's own, or someone else's).

Numbers are read whatever digits they are written in (Arabic-Indic ٠١٢, Persian ۰۱۲), with the separators
people use (spaces, dots, dashes, parentheses). A run of digits counts as a phone number when it has the
length of one (9 to 15 digits) and starts like one (+, 00 or 0), so years, prices and counts do not.
"""

from __future__ import annotations

import unicodedata

import regex

from parvis.moderation.findings import Finding

_EMAIL = regex.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.\p{L}{2,24}(?![\w-])")
_PHONE = regex.compile(r"(?<![\p{N}\w])(?:\+|[0٠۰])\p{N}(?:[ .\-()\u00a0]{0,2}\p{N}){7,16}(?![\p{N}])")
MIN_DIGITS, MAX_DIGITS = 9, 15


def _digits(text: str) -> str:
    return "".join(
        str(unicodedata.digit(character)) for character in text if unicodedata.digit(character, None) is not None
    )


def check(text: str) -> list[Finding]:
    findings = [
        Finding("personal_data.email", "personal_data", 0.9, "The comment contains an email address.",
                ((match.start(), match.end()),))
        for match in _EMAIL.finditer(text)
    ]  # fmt: skip
    for match in _PHONE.finditer(text):
        if MIN_DIGITS <= len(_digits(match.group())) <= MAX_DIGITS:
            findings.append(
                Finding("personal_data.phone", "personal_data", 0.9, "The comment contains a phone number.",
                        ((match.start(), match.end()),))
            )  # fmt: skip
    return findings
