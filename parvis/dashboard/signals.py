"""Keeps `QueueIndex` in step with decisions: every decision updates its comment's categories, an automatic one
also its risk (a moderator's decision carries no scores, and must not make a comment look harmless)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from parvis.dashboard.models import QueueIndex
from parvis.moderation.models import Decision, Stage


def categories_key(categories: list[str]) -> str:
    return "," + ",".join(str(name) for name in categories) + "," if categories else ""


def risk_of(scores: dict[str, Any]) -> float:
    values = [float(value) for value in scores.values() if isinstance(value, int | float)]
    return max(values, default=0.0)


def index_decision(decision: Decision) -> None:
    """Record what ``decision`` changes in its comment's queue index.

    One INSERT ... ON CONFLICT UPDATE (SQLite and PostgreSQL both have it): this runs on every comment's write path.
    """
    automatic = decision.stage != Stage.MODERATOR
    row = QueueIndex(
        comment_id=decision.comment_id,
        risk=risk_of(decision.scores) if automatic else 0.0,
        categories=categories_key(decision.categories)[:500],
    )
    QueueIndex.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["comment"],
        update_fields=["risk", "categories"] if automatic else ["categories"],
    )


@receiver(post_save, sender=Decision, dispatch_uid="dashboard-queue-index")
def on_decision(sender: type[Decision], instance: Decision, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        index_decision(instance)
