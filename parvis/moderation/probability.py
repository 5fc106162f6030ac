"""Probabilities ↔ log-odds, one definition for the whole engine.

Scores are blended, shrunk and learned on in log-odds, where evidence adds up. Probabilities are clipped to
[CLIP, 1 − CLIP] before the logit so a model's 0 or 1 stays finite, and the sigmoid never overflows: training,
the live blend and the per-site learner must agree to the last digit, so they share these.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

CLIP = 1e-4


def logit(probability: float) -> float:
    clipped = min(max(probability, CLIP), 1.0 - CLIP)
    return math.log(clipped / (1.0 - clipped))


def sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exponential = math.exp(value)
    return exponential / (1.0 + exponential)


def logits(probabilities: NDArray[Any]) -> NDArray[np.float64]:
    clipped = np.clip(probabilities, CLIP, 1.0 - CLIP)
    return np.asarray(np.log(clipped / (1.0 - clipped)), dtype=np.float64)


def sigmoids(values: NDArray[Any]) -> NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(values, -30, 30))), dtype=np.float64)
