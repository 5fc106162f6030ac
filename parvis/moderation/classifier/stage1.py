"""Placeholder until the shipped linear model lands."""

from __future__ import annotations


class LinearModel:
    def scores(self, keys: list[str]) -> list[dict[str, float]]:
        raise NotImplementedError


def load() -> LinearModel | None:
    return None
