"""Placeholder until the lexicons land."""

from __future__ import annotations

from parvis.moderation.findings import Finding
from parvis.moderation.normalise import Normalised


def check(text: str, key: Normalised, language: str) -> list[Finding]:
    return []
