"""Placeholder until the sentence-encoder stage lands."""

from __future__ import annotations


def available() -> bool:
    return False


def scores(texts: list[str]) -> list[dict[str, float]]:
    raise NotImplementedError


def blend(model_scores: dict[str, dict[str, float]]) -> dict[str, float]:
    """One score per category from the stages that ran (placeholder: the highest)."""
    blended: dict[str, float] = {}
    for scores in model_scores.values():
        for category, score in scores.items():
            blended[category] = max(blended.get(category, 0.0), score)
    return blended
