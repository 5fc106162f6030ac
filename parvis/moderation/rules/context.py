"""Whether the words a rule found are meant, or mentioned: negated, quoted, reported, denounced or reclaimed.

Readers who fight hate quote it ("Saying 'Jews are vermin' is disgusting"), deny it ("No Muslim deserves to die"),
report it ("he shouted 'go back to your country' and I called the police") or name it for what it is ("calling
Muslims a cancer is racism"). A word list alone flags all of these, and silencing counter-speech is the worst
error a newsroom's moderation can make. So each hit is read in its sentence, on the matching key, and its score is
multiplied by a factor below one for each excuse found, with the excuse spelled out in the reason.

The cues are written by hand for fr, en, he and ar in ``parvis/moderation/lexicons/cues.tsv`` (cue, kind). Cues
inside the hit itself do not count: "not a single Zionist left alive" is not a negation of itself, and "the
Holocaust is a myth" is not counter-speech because "myth" is also a word of debunking.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import ahocorasick
import regex

from parvis.moderation.normalise import normalise

CUES = Path(__file__).resolve().parent.parent / "lexicons" / "cues.tsv"
# How much each excuse leaves of a hit's score; several excuses multiply.
FACTORS = {"negation": 0.2, "denounce": 0.2, "quote": 0.45, "report": 0.6, "reclaim": 0.2}
EXPLANATIONS = {
    "negation": "negated",
    "denounce": "the sentence denounces it (counter-speech)",
    "quote": "quoted",
    "report": "reported speech",
    "reclaim": "in-group, reclaimed use",
}
# How many words before a hit a negation may stand ("It is not true that Jews control the banks").
NEGATION_REACH = 7
# A negation just before a denunciation cancels it: "it's not racism to say so".
DENIAL_REACH = 3
MAX_QUOTE = 300
# The same reaches in characters, to look only at nearby cues in a long sentence.
NEGATION_CHARS = 120
DENIAL_CHARS = 40

_SENTENCE = regex.compile(r"[^.!?;\n؟]+")
_CLAUSE_BREAK = regex.compile(r"[,،:]|\s(?:but|mais|אבל|لكن|بل)\s")
_WORD = regex.compile(r"[\p{L}\p{N}']+")
# Quoted passages, on the key (which keeps quotation marks). A quotation mark touching a letter on its outer side
# does not open or close a quote, so French elision (l'argent), English contractions (don't) and Hebrew acronyms
# written with gershayim (צה"ל) are not quotes.
_QUOTED = regex.compile(
    "|".join(
        rf"(?<![\p{{L}}\p{{N}}]){opening}[^{closing}\n]{{1,{MAX_QUOTE}}}[{closing}](?![\p{{L}}\p{{N}}])"
        for opening, closing in (('"', '"'), ("«", "»"), ("“", "”"), ("„", "“”"), ("״", "״"))
    )
    + rf"|(?<![\p{{L}}\p{{N}}])'[^'\n]{{1,{MAX_QUOTE}}}'(?![\p{{L}}\p{{N}}])"
)


@dataclass(frozen=True)
class Judgement:
    factor: float
    excuses: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        """What to append to a finding's reason ("" when nothing excuses the hit)."""
        if not self.excuses:
            return ""
        return " — lowered: " + ", ".join(EXPLANATIONS[excuse] for excuse in self.excuses) + "."


@cache
def words(kind: str) -> frozenset[str]:
    """The keys of the cues of one kind: the lexicon's pair rule reads "link" and "block" words here."""
    _, kinds = _cues()
    return frozenset(key for key, found in kinds.items() if kind in found)


@cache
def _cues() -> tuple[ahocorasick.Automaton, dict[str, frozenset[str]]]:
    by_key: dict[str, set[str]] = defaultdict(set)
    for line in CUES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cue, kind = line.split("\t")[:2]
        key = normalise(cue.strip()).text
        if key:
            by_key[key].add(kind.strip())
    machine = ahocorasick.Automaton()
    for key, kinds in by_key.items():
        machine.add_word(key, (key, frozenset(kinds)))
    machine.make_automaton()
    return machine, {key: frozenset(kinds) for key, kinds in by_key.items()}


@lru_cache(maxsize=512)
def _cue_hits(sentence: str, offset: int) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each cue on word boundaries in ``sentence`` (positions in the whole key)."""
    machine, _ = _cues()
    found = []
    for last, (cue, kinds) in machine.iter(sentence):
        start, end = last - len(cue) + 1, last + 1
        # Hebrew and Arabic cues may carry a one-letter prefix (ו, ש, ו, ف ...): "שלא", "ولا".
        before = sentence[start - 1] if start > 0 else " "
        before_two = sentence[start - 2] if start > 1 else " "
        after = sentence[end] if end < len(sentence) else " "
        attached = before in "ושכ" + "وف" and not before_two.isalnum()
        if (before.isalnum() and not attached) or (after.isalnum() and cue[-1].isalnum()):
            continue
        found += [(offset + start, offset + end, kind) for kind in kinds]
    return found


def _sentence_of(key: str, position: int) -> tuple[int, int]:
    for match in _SENTENCE.finditer(key, max(0, position - 2000), min(len(key), position + 2000)):
        if match.start() <= position < match.end():
            return match.start(), match.end()
    return position, position


def _words_between(key: str, start: int, end: int) -> int:
    return len(_WORD.findall(key, start, end)) if start < end else 0


def judge(
    key: str, spans: Sequence[tuple[int, int]], *, reclaimable: bool = False, only: frozenset[str] | None = None
) -> Judgement:
    """The factor (≤ 1) a hit at ``spans`` of the matching ``key`` keeps, and the excuses that lowered it.

    ``only`` restricts the excuses considered (defamation is not excused by the word "condemned", say).
    """
    if not spans:
        return Judgement(1.0)
    first, last = min(start for start, _ in spans), max(end for _, end in spans)
    begin, finish = _sentence_of(key, first)
    finish = max(finish, min(last, begin + 4000))
    sentence = key[begin:finish]
    cues = _cue_hits(sentence, begin)
    inside = [(start, end) for start, end in spans]

    def outside(start: int, end: int) -> bool:
        """A cue counts unless it lies within the hit itself ("not a single ... left" negates nothing)."""
        return not any(span_start <= start and end <= span_end for span_start, span_end in inside)

    clause_start = begin
    for match in _CLAUSE_BREAK.finditer(key, begin, first):
        clause_start = match.end()
    clause_end = finish
    clause_break = _CLAUSE_BREAK.search(key, last, finish)
    if clause_break:
        clause_end = clause_break.start()

    excuses: list[str] = []
    negations = sorted((start, end) for start, end, kind in cues if kind == "negation" and outside(start, end))
    negation_ends = [end for _, end in negations]
    near = negations[bisect.bisect_left(negation_ends, first - NEGATION_CHARS) :]
    if any(
        clause_start <= start and end <= last and (end > first or _words_between(key, end, first) < NEGATION_REACH)
        for start, end in near
    ):
        excuses.append("negation")
    denounced = False
    for start, end, kind in cues:
        if kind != "denounce" or not outside(start, end):
            continue
        before = negations[
            bisect.bisect_left(negation_ends, start - DENIAL_CHARS) : bisect.bisect_right(negation_ends, start)
        ]
        if not any(_words_between(key, neg_end, start) < DENIAL_REACH for _, neg_end in before):
            denounced = True
            break
    if denounced:
        excuses.append("denounce")
    if any(match.start() <= first and last <= match.end() for match in _QUOTED.finditer(key, begin, finish)):
        excuses.append("quote")
    if any(kind == "report" and end <= first and outside(start, end) for start, end, kind in cues):
        excuses.append("report")
    if reclaimable and any(kind == "reclaim" and begin <= start < clause_end for start, _, kind in cues):
        excuses.append("reclaim")
    if only is not None:
        excuses = [excuse for excuse in excuses if excuse in only]
    factor = 1.0
    for excuse in excuses:
        factor *= FACTORS[excuse]
    return Judgement(round(factor, 4), tuple(excuses))
