"""Placeholder until the shape signals land."""

from __future__ import annotations

from parvis.moderation.findings import Finding


def check(text: str) -> list[Finding]:
    return []
