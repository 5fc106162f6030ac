"""Placeholder until custom categories land."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from parvis.moderation.findings import Finding
from parvis.moderation.normalise import Normalised

if TYPE_CHECKING:
    from parvis.moderation.engine import CustomCategory


def check(text: str, key: Normalised, categories: Sequence[CustomCategory]) -> list[Finding]:
    return []
