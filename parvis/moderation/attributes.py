"""Perspective's attributes computed from Parvis's own categories, for the Perspective-compatible endpoint.

Newsroom tools (Coral Talk, Comentario and others) threshold Perspective attributes; Parvis answers with the same
names and the same meaning, derived from `parvis.moderation.engine.assess`:

============================  =====================================================================================
TOXICITY                      max(toxic, insult, hate, threat). Perspective defines toxicity as anything likely to
                              make people leave a discussion, which includes insults, hate and threats; tools that
                              threshold TOXICITY alone (the common case) must catch those too.
SEVERE_TOXICITY               max(hate, threat, (toxic − 0.5) / 0.5 when toxic > 0.5): hate and threats count in full,
                              plain rudeness only in its upper half, so mild swearing scores low, as in Perspective.
IDENTITY_ATTACK               hate (already at least antisemitism and racism).
INSULT                        insult.
PROFANITY                     max(toxic, the strongest lexicon finding whose rule names profanity).
THREAT                        threat.
============================  =====================================================================================

Span scores (``spanAnnotations``) score each sentence on its own with the same function; offsets are in
characters (Unicode code points) of the text as sent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from parvis.moderation.categories import Category
from parvis.moderation.engine import Assessment, assess

TOXICITY = "TOXICITY"
SEVERE_TOXICITY = "SEVERE_TOXICITY"
IDENTITY_ATTACK = "IDENTITY_ATTACK"
INSULT = "INSULT"
PROFANITY = "PROFANITY"
THREAT = "THREAT"
ATTRIBUTES = (TOXICITY, SEVERE_TOXICITY, IDENTITY_ATTACK, INSULT, PROFANITY, THREAT)

# Spans beyond this many sentences are scored as one last span: the cost of a request stays bounded.
MAX_SPANS = 40
# A sentence ends at terminal punctuation (Latin, Arabic, CJK) followed by space, or at a line break.
_SENTENCE_END = re.compile(r"[.!?…؟。！？]+[\"'»”’)\]]*(?=\s)|\n")


@dataclass(frozen=True)
class Span:
    begin: int
    end: int
    scores: dict[str, float]


@dataclass(frozen=True)
class Analysis:
    language: str
    scores: dict[str, float]
    spans: list[Span] = field(default_factory=list)


def _severe(scores: dict[str, float]) -> float:
    toxic = scores.get(Category.TOXIC, 0.0)
    rude = max(0.0, (toxic - 0.5) / 0.5)
    return max(scores.get(Category.HATE, 0.0), scores.get(Category.THREAT, 0.0), rude)


def _profanity(assessment: Assessment) -> float:
    found = [f.score for f in assessment.findings if f.rule.startswith("lexicon") and "profan" in f.rule.lower()]
    return max([assessment.scores.get(Category.TOXIC, 0.0), *found])


def attribute_scores(assessment: Assessment) -> dict[str, float]:
    """Every supported Perspective attribute for one assessment, each in 0..1 (see the module's table)."""
    scores = assessment.scores
    toxic, insult = scores.get(Category.TOXIC, 0.0), scores.get(Category.INSULT, 0.0)
    hate, threat = scores.get(Category.HATE, 0.0), scores.get(Category.THREAT, 0.0)
    values = {
        TOXICITY: max(toxic, insult, hate, threat),
        SEVERE_TOXICITY: _severe(scores),
        IDENTITY_ATTACK: hate,
        INSULT: insult,
        PROFANITY: _profanity(assessment),
        THREAT: threat,
    }
    return {name: round(min(1.0, max(0.0, value)), 4) for name, value in values.items()}


def sentences(text: str) -> list[tuple[int, int]]:
    """(begin, end) of each sentence of ``text``, surrounding whitespace left out; at most MAX_SPANS."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for begin, end in spans:
        piece = text[begin:end]
        stripped = piece.strip()
        if stripped:
            offset = begin + (len(piece) - len(piece.lstrip()))
            trimmed.append((offset, offset + len(stripped)))
    if len(trimmed) > MAX_SPANS:
        trimmed = [*trimmed[: MAX_SPANS - 1], (trimmed[MAX_SPANS - 1][0], trimmed[-1][1])]
    return trimmed


def analyze(text: str, attributes: Sequence[str], *, language: str, spans: bool = False) -> Analysis:
    """Scores for ``attributes`` of ``text`` read as ``language``; per sentence too when ``spans``."""
    whole = attribute_scores(assess(text, language=language, full=True))
    scored = {name: whole[name] for name in attributes}
    result: list[Span] = []
    if spans:
        for begin, end in sentences(text):
            part = attribute_scores(assess(text[begin:end], language=language, full=True))
            result.append(Span(begin, end, {name: part[name] for name in attributes}))
    return Analysis(language=language, scores=scored, spans=result)
