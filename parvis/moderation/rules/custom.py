"""A newsroom's own categories ("against Jewish morals"), defined by phrases and by example comments.

Phrases are matched like lexicon entries: normalised (so disguised spellings count), on word boundaries with the
Hebrew and Arabic prefixes, and read in context (a negated or quoted phrase counts less). Examples are matched by
similarity: the comment and each example become the same hashed n-gram vectors the models read
(`parvis.moderation.features.vectorise`), and the closest example's cosine sets the score — so a category defined
by five sample comments catches their paraphrases without a word list. Both are built once per set of categories
and cached, since the categories of a site change rarely and comments arrive often.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import ahocorasick
import numpy as np

from parvis.moderation.features import vectorise
from parvis.moderation.findings import Finding
from parvis.moderation.normalise import Normalised, normalise
from parvis.moderation.rules import context, lexicon

if TYPE_CHECKING:
    from parvis.moderation.engine import CustomCategory

PHRASE_WEIGHT = 0.8
# Below this cosine an example is unrelated; at SURE_SIMILARITY the comment is a near copy of it.
MIN_SIMILARITY = 0.35
SURE_SIMILARITY = 0.75
MAX_SIMILARITY_SCORE = 0.85
MAX_SPANS = 20


@lru_cache(maxsize=32)
def _phrases(categories: tuple[CustomCategory, ...]) -> ahocorasick.Automaton:
    entries = []
    for category in categories:
        for phrase in category.phrases:
            key = normalise(phrase).text
            if key:
                entries.append(
                    lexicon.Entry(
                        text=phrase,
                        key=key,
                        categories=(category.slug,),
                        weight=PHRASE_WEIGHT,
                        language="custom",
                        script=lexicon.script(key),
                    )
                )
    return lexicon.build(entries)


@lru_cache(maxsize=32)
def _examples(categories: tuple[CustomCategory, ...]) -> tuple[tuple[str, np.ndarray, tuple[str, ...]], ...]:
    """Per category with examples: its slug, the examples' unit-length vectors (one row each), the examples."""
    prepared = []
    for category in categories:
        examples = tuple(example for example in category.examples if example.strip())
        if not examples:
            continue
        matrix = vectorise(examples).toarray()
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        prepared.append((category.slug, matrix / np.maximum(norms, 1e-12), examples))
    return tuple(prepared)


def _similarity_findings(text: str, categories: tuple[CustomCategory, ...]) -> list[Finding]:
    prepared = _examples(categories)
    if not prepared:
        return []
    vector = vectorise([text]).toarray()[0]
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        return []
    vector = vector / norm
    findings = []
    for slug, matrix, examples in prepared:
        similarities = matrix @ vector
        best = int(np.argmax(similarities))
        similarity = float(similarities[best])
        if similarity < MIN_SIMILARITY:
            continue
        share = min(1.0, (similarity - MIN_SIMILARITY) / (SURE_SIMILARITY - MIN_SIMILARITY))
        score = round(0.3 + share * (MAX_SIMILARITY_SCORE - 0.3), 4)
        sample = examples[best] if len(examples[best]) <= 80 else examples[best][:77] + "…"
        findings.append(
            Finding(
                "custom.example",
                slug,
                score,
                f"Close to an example of this category ({similarity:.0%} similar): '{sample}'.",
                ((0, len(text)),),
            )
        )
    return findings


def check(text: str, key: Normalised, categories: Sequence[CustomCategory]) -> list[Finding]:
    """Findings for each custom category whose phrases appear in ``text`` or whose examples it resembles."""
    if not categories or not text.strip():
        return []
    frozen = tuple(categories)
    labels = {category.slug: category.label for category in frozen}
    by_slug: dict[str, list[lexicon.Hit]] = {}
    for hit in lexicon.scan(_phrases(frozen), key, text):
        by_slug.setdefault(hit.entry.categories[0], []).append(hit)
    findings = []
    for slug, found in by_slug.items():
        judged = context.judge(key.text, [(hit.start, hit.end) for hit in found[:1]])
        spans = tuple(key.span(hit.start, hit.end) for hit in found[:MAX_SPANS])
        written = ", ".join(sorted({f"'{text[start:end]}'" for start, end in spans}))
        findings.append(
            Finding(
                "custom.phrase",
                slug,
                round(PHRASE_WEIGHT * judged.factor, 4),
                f"{labels[slug]}: {written}" + (judged.explanation or "."),
                spans,
            )
        )
    return findings + _similarity_findings(text, frozen)
