"""Each site's own model, learnt from its moderators' decisions.

The site model corrects the shipped engine rather than replacing it: per category it is a logistic regression
whose inputs are the engine's own score (as a logit) and the comment's hashed n-grams, starting from "trust the
engine" (weight 1 on its logit, 0 elsewhere). With no decisions it changes nothing; each approval or rejection
moves it — towards the newsroom's own line, its readers' slang, and the languages the shipped model knows least.

Training is online (AdaGrad over the examples since the last version, starting from that version's weights), so
an update costs what the new decisions cost. A new version is promoted only when it does at least as well as the
one in force on held-out decisions (every fifth example, never trained on); versions are kept, and
`parvis moderation rollback` puts an earlier one back.
"""

from __future__ import annotations

import json
import logging
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from sklearn.metrics import roc_auc_score

from parvis.core.models import Site
from parvis.moderation import engine
from parvis.moderation.features import vectorise
from parvis.moderation.models import AuditEntry, Example, SiteModel, SiteModelState
from parvis.moderation.probability import logit, sigmoid

logger = logging.getLogger(__name__)

HELD_OUT_EVERY = 5
RECENT_HELD_OUT = 300
EPOCHS = 3
LEARNING_RATE = 0.5
L2 = 1e-5
_EPSILON = 1e-6


@dataclass
class CategoryWeights:
    """Sparse weights over the hashed features, plus the weight of the engine's logit and a bias."""

    base: float = 1.0
    bias: float = 0.0
    weights: dict[int, float] = field(default_factory=dict)
    # AdaGrad's accumulated squared gradients, so training can resume where the previous version stopped.
    squares: dict[int, float] = field(default_factory=dict)
    base_square: float = 0.0
    bias_square: float = 0.0

    def logit(self, indices: Sequence[int], values: Sequence[float], base_logit: float) -> float:
        weights = self.weights
        total = self.bias + self.base * base_logit
        for index, value in zip(indices, values, strict=True):
            total += weights.get(index, 0.0) * value
        return total

    def step(self, indices: Sequence[int], values: Sequence[float], base_logit: float, label: int) -> None:
        error = sigmoid(self.logit(indices, values, base_logit)) - label
        for index, value in zip(indices, values, strict=True):
            old = self.weights.get(index, 0.0)
            gradient = error * value + L2 * old
            square = self.squares.get(index, 0.0) + gradient * gradient
            self.squares[index] = square
            self.weights[index] = old - LEARNING_RATE * gradient / (math.sqrt(square) + _EPSILON)
        gradient = error * base_logit
        self.base_square += gradient * gradient
        self.base -= LEARNING_RATE * gradient / (math.sqrt(self.base_square) + _EPSILON)
        self.bias_square += error * error
        self.bias -= LEARNING_RATE * error / (math.sqrt(self.bias_square) + _EPSILON)


class LearntModel(engine.SiteModel):
    """A site model version, ready to score."""

    def __init__(self, categories: dict[str, CategoryWeights], version: int = 0) -> None:
        self.categories = categories
        self.version = version

    def adjust(self, key: str, scores: dict[str, float]) -> dict[str, float]:
        if not self.categories:
            return scores
        row = vectorise([key], normalised=True)
        indices, values = row.indices.tolist(), row.data.tolist()
        adjusted = dict(scores)
        for category, weights in self.categories.items():
            adjusted[category] = round(sigmoid(weights.logit(indices, values, logit(scores.get(category, 0.0)))), 4)
        return adjusted

    def train(self, examples: Sequence[tuple[str, dict[str, float], dict[str, int]]]) -> None:
        """Learn from (key, engine scores, labels) examples, a few passes in a fixed order."""
        if not examples:
            return
        matrix = vectorise([key for key, _, _ in examples], normalised=True)
        rows = [(matrix[index].indices.tolist(), matrix[index].data.tolist()) for index in range(len(examples))]
        for _ in range(EPOCHS):
            for (indices, values), (_, base, labels) in zip(rows, examples, strict=True):
                for category, label in labels.items():
                    weights = self.categories.setdefault(category, CategoryWeights())
                    weights.step(indices, values, logit(base.get(category, 0.0)), int(label))

    def dumps(self) -> bytes:
        data = {
            category: {
                "base": weights.base, "bias": weights.bias, "base_square": weights.base_square,
                "bias_square": weights.bias_square,
                "weights": [[index, round(value, 6)] for index, value in weights.weights.items()],
                "squares": [[index, round(value, 6)] for index, value in weights.squares.items()],
            }
            for category, weights in self.categories.items()
        }  # fmt: skip
        return zlib.compress(json.dumps(data).encode(), 6)

    @classmethod
    def loads(cls, blob: bytes, version: int = 0) -> LearntModel:
        data: dict[str, Any] = json.loads(zlib.decompress(blob))
        categories = {
            category: CategoryWeights(
                base=raw["base"], bias=raw["bias"], base_square=raw["base_square"], bias_square=raw["bias_square"],
                weights={int(index): value for index, value in raw["weights"]},
                squares={int(index): value for index, value in raw["squares"]},
            )
            for category, raw in data.items()
        }  # fmt: skip
        return cls(categories, version)


_cache: dict[int, tuple[int, LearntModel]] = {}


def active_site_model(site: Site) -> LearntModel | None:
    """The site's promoted model, loaded once per process and version."""
    row = SiteModel.objects.filter(site=site, state=SiteModelState.ACTIVE).values("pk", "version").first()
    if row is None:
        return None
    cached = _cache.get(site.pk)
    if cached and cached[0] == row["pk"]:
        return cached[1]
    blob = SiteModel.objects.values_list("weights", flat=True).get(pk=row["pk"])
    try:
        model = LearntModel.loads(bytes(blob), row["version"])
    except (ValueError, KeyError, zlib.error):
        logger.exception("site model %s of %s is unreadable; the shipped engine decides alone", row["version"], site)
        return None
    _cache[site.pk] = (row["pk"], model)
    return model


def _is_held_out(example_id: int) -> bool:
    return example_id % HELD_OUT_EVERY == 0


def _as_training(example: Example) -> tuple[str, dict[str, float], dict[str, int]]:
    return example.key, dict(example.base), {category: int(value) for category, value in example.labels.items()}


def _mean_auc(model: LearntModel | None, held_out: Sequence[Example]) -> dict[str, float]:
    """ROC-AUC per category with both outcomes among the held-out decisions (engine alone when model is None)."""
    by_category: dict[str, tuple[list[int], list[float]]] = {}
    for example in held_out:
        scores = dict(example.base)
        if model is not None:
            scores = model.adjust(example.key, scores)
        for category, label in example.labels.items():
            labels, predictions = by_category.setdefault(category, ([], []))
            labels.append(int(label))
            predictions.append(scores.get(category, 0.0))
    return {
        category: round(float(roc_auc_score(labels, predictions)), 4)
        for category, (labels, predictions) in by_category.items()
        if 0 < sum(labels) < len(labels)
    }


def _compare(candidate: dict[str, float], current: dict[str, float]) -> bool:
    shared = set(candidate) & set(current)
    if not shared:
        return False
    return float(np.mean([candidate[c] for c in shared])) >= float(np.mean([current[c] for c in shared])) - 1e-9


def learn(site: Site) -> SiteModel | None:
    """Train a new version from the decisions since the last one; promote it if it does at least as well."""
    with transaction.atomic():
        latest = SiteModel.objects.select_for_update().filter(site=site).order_by("-version").first()
        since = latest.created_at if latest else None
        examples = Example.objects.filter(site=site).order_by("pk")
        new = [example for example in (examples.filter(created_at__gt=since) if since else examples)]
        training = [example for example in new if not _is_held_out(example.pk)]
        if not training:
            return None
        active = SiteModel.objects.filter(site=site, state=SiteModelState.ACTIVE).first()
        # Resume from the newest version (promoted or not): it has seen every earlier training decision.
        model = LearntModel.loads(bytes(latest.weights)) if latest else LearntModel({})
        model.train([_as_training(example) for example in training])
        held_out = [example for example in examples.order_by("-pk")[: RECENT_HELD_OUT * HELD_OUT_EVERY]
                    if _is_held_out(example.pk)]  # fmt: skip
        current_model = LearntModel.loads(bytes(active.weights)) if active else None
        candidate_auc, current_auc = _mean_auc(model, held_out), _mean_auc(current_model, held_out)
        promote = _compare(candidate_auc, current_auc)
        version = (latest.version if latest else 0) + 1
        row = SiteModel.objects.create(
            site=site,
            version=version,
            state=SiteModelState.ACTIVE if promote else SiteModelState.REFUSED,
            weights=model.dumps(),
            examples=examples.count(),
            metrics={"held_out": len(held_out), "auc": candidate_auc, "previous_auc": current_auc},
            promoted_at=timezone.now() if promote else None,
        )
        if promote:
            SiteModel.objects.filter(site=site, state=SiteModelState.ACTIVE).exclude(pk=row.pk).update(
                state=SiteModelState.RETIRED
            )
        AuditEntry.objects.create(
            site=site,
            action="site_model.promoted" if promote else "site_model.refused",
            details={"version": version, **row.metrics},
        )
    return row


def rollback(site: Site, version: int | None = None, *, actor: Any = None) -> SiteModel | None:
    """Put an earlier version back in force (the previous promoted one by default); None means the engine alone."""
    with transaction.atomic():
        active = SiteModel.objects.select_for_update().filter(site=site, state=SiteModelState.ACTIVE).first()
        earlier = SiteModel.objects.filter(site=site).exclude(state=SiteModelState.REFUSED)
        if version is not None:
            target = SiteModel.objects.filter(site=site, version=version).first()
            if target is None:
                raise ValueError(f"{site} has no model version {version}")
        else:
            target = earlier.filter(version__lt=active.version if active else 0).order_by("-version").first()
        SiteModel.objects.filter(site=site, state=SiteModelState.ACTIVE).update(state=SiteModelState.RETIRED)
        if target is not None:
            target.state, target.promoted_at = SiteModelState.ACTIVE, timezone.now()
            target.save(update_fields=["state", "promoted_at"])
        AuditEntry.objects.create(
            site=site,
            actor=actor,
            actor_label=getattr(actor, "username", "") or "system",
            action="site_model.rollback",
            details={"from": active.version if active else None, "to": target.version if target else None},
        )
    return target
