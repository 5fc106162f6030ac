"""Language of a comment, detected on the server from its text.

lingua is restricted to the configured languages (PARVIS_LANGUAGES): fewer candidates is both faster
and more accurate on short comments. Short or ambiguous text gets "" rather than a guess.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

from parvis import conf

MIN_LETTERS = 3
MIN_CONFIDENCE = 0.5


@lru_cache(maxsize=2)
def _detector(codes: tuple[str, ...]) -> LanguageDetector:
    # Low-accuracy mode uses trigram models only: about 10x less memory per server process, and on
    # comment-length text it still separates the configured languages.
    languages = [IsoCode639_1.from_str(code) for code in codes]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*languages).with_low_accuracy_mode().build()


def detect(text: str) -> str:
    """ISO 639-1 code of ``text``'s language, or "" when unsure."""
    if sum(character.isalpha() for character in text[:400]) < MIN_LETTERS:
        return ""
    detector = _detector(tuple(conf.languages()))
    # The detector needs valid UTF-8: a lone surrogate (JSON can carry one) becomes a replacement character.
    sample = text[:2000].encode("utf-8", "replace").decode("utf-8")
    values = detector.compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_CONFIDENCE:
        return ""
    return values[0].language.iso_code_639_1.name.lower()
