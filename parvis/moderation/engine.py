"""The text-only part of moderation: what a comment says, scored per policy category, with reasons.

This module knows nothing of sites, threads or the database, so the same function serves the write path, the
Perspective-compatible endpoint and `parvis moderation eval`. The site's policy turns these scores into an action
(`parvis.moderation.policy`); signals about the poster (velocity, duplicates, honeypot) are added by
`parvis.moderation.pipeline`.

Scores combine as a noisy-or: a category's score is 1 − (1 − model) × Π(1 − finding), so each independent piece
of evidence can only raise it, and one strong lexicon hit is enough even when the model has never seen the word.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from parvis.core import language as languages
from parvis.moderation.categories import HATE_KINDS, Category
from parvis.moderation.classifier import stage1, stage2
from parvis.moderation.findings import Finding
from parvis.moderation.normalise import Normalised, normalise
from parvis.moderation.probability import logit, sigmoid
from parvis.moderation.rules import custom, defamation, lexicon, links, lists, personal_data, shape

logger = logging.getLogger(__name__)

# A comment of a word or two gives an n-gram model little to go on, and in the training data short texts are mostly
# insults: the model's score there says more about the data than about "Moi" or "Bravo". Below this many words
# the model scores are pulled towards a news site's base rate of abuse; explicit abuse in a few words is the
# lexicons' job, and they are not pulled.
SHORT_WORDS = 6
BASE_RATE = 0.1

# The text the rules read: beyond this, its beginning and its end (see features.MAX_CHARS for the models). A site
# accepts 5,000 characters by default, which are read whole; a longer text costs no more than this, so 100 KB of
# junk is decided within the write path's budget.
MAX_RULE_CHARS = 6_000


@dataclass(frozen=True)
class CustomCategory:
    """A newsroom's own category ("against Jewish morals"), defined by phrases and example comments."""

    slug: str
    label: str
    phrases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assessment:
    language: str
    scores: dict[str, float]
    findings: tuple[Finding, ...]
    # Which stages contributed: "rules", "stage1", "stage2", "site" (the site model adjusts the blend of the others).
    stages: tuple[str, ...]
    # True when the shipped model could not be loaded or a rule failed: the comment must wait for a person.
    degraded: bool = False
    model_scores: dict[str, dict[str, float]] = field(default_factory=dict)
    # The scores before the site's own model adjusted them: what that model learns to correct.
    engine_scores: dict[str, float] = field(default_factory=dict)
    # The matching key of the (clipped) text the rules read.
    key: Normalised = field(default_factory=lambda: Normalised("", ()))


class SiteModel:
    """A site's own model, learnt from its moderators' decisions (`parvis.moderation.learning`): it corrects
    the shipped models' scores for what this newsroom accepts and refuses."""

    version: int = 0

    def adjust(self, key: str, scores: dict[str, float]) -> dict[str, float]:  # pragma: no cover - interface
        raise NotImplementedError


def _clip(text: str) -> str:
    if len(text) <= MAX_RULE_CHARS:
        return text
    return text[: MAX_RULE_CHARS // 2] + "\n" + text[-MAX_RULE_CHARS // 2 :]


def rule_findings(
    text: str,
    key: Normalised,
    language: str,
    custom_categories: Sequence[CustomCategory],
    site_lists: lists.CompiledLists | None = None,
) -> tuple[list[Finding], bool]:
    """Every rule's findings, and whether one of them failed (then the comment must not be published unchecked).

    With ``site_lists``, the site's allowed words and domains are taken out of the lexicon and link findings and its
    block entries add theirs."""
    allowed = site_lists.allowed_domains if site_lists is not None else frozenset()
    checks: list[Callable[[], list[Finding]]] = [
        lambda: lexicon.check(text, key, language),
        lambda: defamation.check(text, key, language),
        lambda: personal_data.check(text),
        lambda: links.check(text, allowed),
        lambda: shape.check(text),
    ]
    if custom_categories:
        checks.append(lambda: custom.check(text, key, custom_categories))
    if site_lists is not None:
        checks.append(lambda: lists.check(text, key, site_lists))
    findings: list[Finding] = []
    failed = False
    for check in checks:
        try:
            findings += check()
        except Exception:  # a broken rule must cost a review, never the comment
            logger.exception("moderation rule failed; the comment will be held for review")
            failed = True
    if site_lists is not None:
        findings = lists.exempt(findings, text, key, site_lists)
    return findings, failed


def _weigh_evidence(model: dict[str, float], words: int) -> dict[str, float]:
    if words >= SHORT_WORDS:
        return model
    weight = words / SHORT_WORDS
    base = logit(BASE_RATE)
    return {category: round(sigmoid(base + (logit(score) - base) * weight), 4) for category, score in model.items()}


def combine(model: dict[str, float], findings: Iterable[Finding], categories: Iterable[str]) -> dict[str, float]:
    remaining = {category: 1.0 - model.get(category, 0.0) for category in categories}
    for finding in findings:
        if finding.category in remaining:
            remaining[finding.category] *= 1.0 - max(0.0, min(1.0, finding.score))
    scores = {category: round(1.0 - rest, 4) for category, rest in remaining.items()}
    scores[Category.HATE] = max(scores.get(Category.HATE, 0.0), *(scores.get(kind, 0.0) for kind in HATE_KINDS))
    return scores


def assess(
    text: str,
    *,
    language: str | None = None,
    custom_categories: Sequence[CustomCategory] = (),
    site_model: SiteModel | None = None,
    full: bool = False,
    site_lists: lists.CompiledLists | None = None,
) -> Assessment:
    """Score ``text``. ``full`` adds the sentence-encoder stage (slower; the worker runs it) when installed;
    ``site_lists`` applies a site's block and allow lists (`rules.lists`)."""
    text = _clip(text)
    key = normalise(text)
    lang = language or languages.detect(text) or ""
    findings, rule_failed = rule_findings(text, key, lang, custom_categories, site_lists)
    stages = ["rules"]
    model_scores: dict[str, dict[str, float]] = {}
    linear = stage1.load()
    if linear is not None:
        model_scores["stage1"] = linear.scores([key.text])[0]
        stages.append("stage1")
    if full and stage2.available():
        model_scores["stage2"] = stage2.scores([text])[0]
        stages.append("stage2")
    model = _weigh_evidence(stage2.blend(model_scores), len(key.text.split()))
    categories = [*(category.value for category in Category), *(category.slug for category in custom_categories)]
    # A block entry decides by its own action (the pipeline applies it), not through a category's threshold.
    scores = combine(model, [finding for finding in findings if lists.blocking(finding) is None], categories)
    engine_scores = scores
    if site_model is not None:
        scores = site_model.adjust(key.text, scores)
        scores[Category.HATE] = max(scores[Category.HATE], *(scores[kind] for kind in HATE_KINDS))
        stages.append("site")
    return Assessment(
        language=lang,
        scores=scores,
        findings=tuple(findings),
        stages=tuple(stages),
        degraded=linear is None or rule_failed,
        model_scores=model_scores,
        engine_scores=engine_scores,
        key=key,
    )
