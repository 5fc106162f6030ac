"""How a comment looks rather than what it says: shouting, stretched letters, zalgo, repeated runs, emoji floods,
hidden direction controls.

None of these is abuse by itself — a reader may shout for joy — so the scores are low: they tip a borderline
comment towards review, and they name what a moderator should look at. Every check is one linear pass over the
text (no backtracking regular expression), so a 100 KB comment built to be slow costs no more than its length.
"""

from __future__ import annotations

import numpy as np
import regex

from parvis.moderation.findings import Finding

# Shouting: at least this many cased letters, and this share of them capitals.
MIN_SHOUT_LETTERS = 20
SHOUT_SHARE = 0.7
# A character written this many times in a row ("nooooooo", "!!!!!!!!").
STRETCH = 5
ZALGO_MARKS = 4
# A unit of 2 to 20 characters repeated this many times in a row ("buy now buy now buy now ...").
REPEAT_TIMES = 5
MAX_UNIT = 20
MIN_REPEAT_CHARS = 40
EMOJI_FLOOD = 10
# Each pattern is a single character class or one class repeated: linear, nothing to backtrack into.
_UPPER = regex.compile(r"\p{Lu}")
_LOWER = regex.compile(r"\p{Ll}")
_LETTER = regex.compile(r"\p{L}")
_STRETCHED = regex.compile(rf"([\p{{L}}!?.])\1{{{STRETCH - 1},}}")
# Combining marks on one base character beyond what any script needs (Hebrew niqqud with cantillation uses 3).
_STACKED_MARKS = regex.compile(rf"\p{{Mn}}{{{ZALGO_MARKS},}}")
_EMOJI = regex.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF]")
# Characters that reorder text for display, used to hide words from filters and readers.
_BIDI = regex.compile(r"[\u202a-\u202e\u2066-\u2069]")
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The part of a long text the repeat scan reads (its cost is MAX_UNIT passes).
SCAN_CHARS = 20_000


def _count(pattern: regex.Pattern[str], text: str) -> int:
    """How many characters of ``text`` match a one-character ``pattern`` (counted in C, not per match object)."""
    return len(text) - len(pattern.sub("", text))


def _shouting(text: str) -> Finding | None:
    upper, lower = _count(_UPPER, text), _count(_LOWER, text)
    if upper + lower >= MIN_SHOUT_LETTERS and upper / (upper + lower) >= SHOUT_SHARE:
        return Finding("shape.shouting", "toxic", 0.2, "The comment is written mostly in capitals (shouting).")
    return None


def _stretched(text: str) -> Finding | None:
    spans = [(match.start(), match.end()) for match in _STRETCHED.finditer(text)]
    if not spans:
        return None
    score = 0.1 if len(spans) < 3 else 0.25
    return Finding("shape.stretched", "toxic", score, f"Stretched characters ({len(spans)} runs).", tuple(spans[:20]))


def _zalgo(text: str) -> Finding | None:
    stacks = [(max(0, match.start() - 1), match.end()) for match in _STACKED_MARKS.finditer(text)]
    if len(stacks) < 2:
        return None
    return Finding(
        "shape.zalgo", "spam", 0.4, f"Stacked combining marks (zalgo) on {len(stacks)} characters.", tuple(stacks[:20])
    )


def _longest_period_run(codes: np.ndarray, period: int) -> tuple[int, int]:
    """(start, length) of the longest stretch where each character equals the one ``period`` before it."""
    same = np.concatenate(([False], codes[period:] == codes[:-period], [False]))
    edges = np.flatnonzero(np.diff(same.astype(np.int8)))
    if len(edges) < 2:
        return 0, 0
    starts, ends = edges[0::2], edges[1::2]
    longest = int(np.argmax(ends - starts))
    return int(starts[longest]), int(ends[longest] - starts[longest]) + period


def _repeated(text: str) -> Finding | None:
    """The longest stretch where the text repeats itself with a period of 2..MAX_UNIT characters.

    Vectorised (one array comparison per period) so 20 periods over 20,000 characters cost about a millisecond.
    """
    sample = text[:SCAN_CHARS]
    if len(sample) < MIN_REPEAT_CHARS:
        return None
    codes = np.frombuffer(sample.encode("utf-32-le"), dtype=np.uint32)
    best: tuple[int, int] | None = None
    for period in range(2, MAX_UNIT + 1):
        start, length = _longest_period_run(codes, period)
        if length >= max(MIN_REPEAT_CHARS, period * REPEAT_TIMES) and (best is None or length > best[1]):
            best = (start, length)
    if best is None:
        return None
    start, length = best
    # Runs of one character are "stretched", and runs of spaces are layout, not a repeated unit.
    if len(set(sample[start : start + length].strip())) < 2:
        return None
    score = 0.2 if length < 200 else 0.5
    return Finding(
        "shape.repeated", "spam", score, f"The same text repeats over {length} characters.", ((start, start + length),)
    )


def _emoji(text: str) -> Finding | None:
    count = _count(_EMOJI, text)
    if count < EMOJI_FLOOD:
        return None
    letters = _count(_LETTER, text)
    score = 0.35 if count > letters else 0.15
    return Finding("shape.emoji_flood", "spam", score, f"The comment holds {count} emoji.")


def _bidi(text: str) -> Finding | None:
    spans = [(match.start(), match.end()) for match in _BIDI.finditer(text)]
    if not spans:
        return None
    return Finding(
        "shape.bidi", "spam", 0.3, "The comment hides direction controls that reorder its text.", tuple(spans[:20])
    )


def _controls(text: str) -> Finding | None:
    count = _count(_CONTROL, text)
    if count < 3:
        return None
    return Finding("shape.binary", "spam", 0.4, f"The comment holds {count} control characters (binary data?).")


def check(text: str) -> list[Finding]:
    """Shape findings for ``text``; linear in its length, never raises."""
    if not text:
        return []
    checks = (_shouting, _stretched, _zalgo, _repeated, _emoji, _bidi, _controls)
    return [finding for finding in (check(text) for check in checks) if finding is not None]
