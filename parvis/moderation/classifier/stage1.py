"""The synchronous stage: a calibrated linear model per category over the hashed n-grams of `features`.

It runs on every post, so it has to be cheap (one sparse-dense product, well under a millisecond for a normal
comment) and loaded once per process. The weights ship in the package as float16 in a compressed .npz; the Platt
calibration fitted at training time is folded into the coefficients, so `scores` returns probability-like
numbers directly. A missing or corrupt file makes `load()` return None (logged): the engine then runs on rules
alone and holds comments for review, and `parvis check` reports the problem (`parvis.moderation.checks`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import regex
from sklearn.base import clone
from sklearn.feature_extraction.text import HashingVectorizer

from parvis.moderation import features
from parvis.moderation.classifier import store
from parvis.moderation.probability import sigmoids

if TYPE_CHECKING:
    from numpy.typing import NDArray

logger = logging.getLogger(__name__)

# The units `explain` gives weights to: what the character analyser sees as one word (runs without whitespace).
_UNIT = regex.compile(r"\S+")


def clip_key(key: str) -> str:
    """The part of a matching key the model reads: its beginning and end, as `features.matching_text` does, with
    any lone surrogate (JSON lets a client send one) replaced, since the feature hasher needs valid UTF-8."""
    if len(key) > features.MAX_CHARS:
        key = key[: features.MAX_CHARS // 2] + " " + key[-features.MAX_CHARS // 2 :]
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        key = key.encode("utf-8", "replace").decode("utf-8")
    return key


@dataclass(frozen=True)
class LinearModel:
    """Calibrated logistic coefficients: ``weights`` is (2 × N_FEATURES, categories), characters then words."""

    categories: tuple[str, ...]
    weights: NDArray[np.float32]
    bias: NDArray[np.float32]

    def logits(self, keys: list[str]) -> NDArray[np.float64]:
        matrix = features.vectorise([clip_key(key) for key in keys], normalised=True)
        # Gather the rows of the features present instead of a sparse × dense product: scipy's walks all of
        # the 2^19 rows of the weights (about 1 ms), this touches only the few hundred that occur.
        contributions = self.weights[matrix.indices] * matrix.data[:, None]
        logits = np.zeros((len(keys), len(self.categories)), dtype=np.float64)
        rows = np.repeat(np.arange(len(keys)), np.diff(matrix.indptr))
        np.add.at(logits, rows, contributions)
        return logits + self.bias

    def scores(self, keys: list[str]) -> list[dict[str, float]]:
        """Per normalised key, a probability-like score per category."""
        if not keys:
            return []
        probabilities = sigmoids(self.logits(keys))
        return [
            {category: round(float(p), 4) for category, p in zip(self.categories, row, strict=True)}
            for row in probabilities
        ]

    def explain(self, key: str, category: str) -> list[tuple[int, int, float]]:
        """The words of ``key`` that pushed ``category`` up: (start, end, logit contribution), strongest first.

        Each n-gram belongs to one whitespace-separated word (the character analyser never crosses spaces), so a
        word's contribution is the sum of its n-grams' weights scaled by the whole key's norms, exactly as in
        `logits`. Word bigrams across two words are context, not a span, and are left out.
        """
        if category not in self.categories:
            return []
        key = clip_key(key)
        units = [(match.start(), match.end(), match.group()) for match in _UNIT.finditer(key)]
        if not units:
            return []
        column = self.weights[:, self.categories.index(category)]
        characters, words = _counting_vectorisers()
        total_characters = characters.transform([key])
        total_words = words.transform([key])
        character_norm = float(np.sqrt(total_characters.multiply(total_characters).sum())) or 1.0
        word_norm = float(np.sqrt(total_words.multiply(total_words).sum())) or 1.0
        texts = [text for _, _, text in units]
        contributions = (characters.transform(texts) @ column[: features.N_FEATURES]) / character_norm + (
            words.transform(texts) @ column[features.N_FEATURES :]
        ) / word_norm
        found = [
            (start, end, round(float(weight), 4))
            for (start, end, _), weight in zip(units, contributions, strict=True)
            if weight > 0
        ]
        return sorted(found, key=lambda item: -item[2])


@cache
def _counting_vectorisers() -> tuple[HashingVectorizer, HashingVectorizer]:
    """The feature hashers without normalisation, so per-word counts can be scaled by the whole key's norm."""
    characters, words = features._vectorisers()
    return clone(characters).set_params(norm=None), clone(words).set_params(norm=None)


def from_arrays(arrays: dict[str, NDArray[np.generic]]) -> LinearModel:
    """A model from the arrays of stage1.npz (as written by `parvis moderation train`)."""
    categories = tuple(str(category) for category in arrays["categories"])
    weights = np.asarray(arrays["weights"], dtype=np.float32)
    bias = np.asarray(arrays["bias"], dtype=np.float32)
    if weights.shape != (2 * features.N_FEATURES, len(categories)) or bias.shape != (len(categories),):
        raise store.WeightsError(f"{store.STAGE1} has shape {weights.shape}, not the one `features` produces")
    return LinearModel(categories=categories, weights=weights, bias=bias)


_lock = threading.Lock()
_loaded: list[LinearModel | None] = []


def load() -> LinearModel | None:
    """The shipped model, loaded once per process; None (and an error logged once) when missing or corrupt."""
    if _loaded:
        return _loaded[0]
    with _lock:
        if not _loaded:
            try:
                model: LinearModel | None = from_arrays(store.load_npz(store.STAGE1))
            except store.WeightsError as error:
                logger.error("moderation stage 1 unavailable, running on rules alone: %s", error)
                model = None
            _loaded.append(model)
    return _loaded[0]


def reset() -> None:
    """Forget the loaded model (after retraining, or in tests that replace the weights)."""
    with _lock:
        _loaded.clear()
