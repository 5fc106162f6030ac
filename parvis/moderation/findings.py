"""What a moderation rule reports: a category, how sure it is, why (for moderators and for the author), and
where in the comment's original text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    score: float
    reason: str
    spans: tuple[tuple[int, int], ...] = ()
