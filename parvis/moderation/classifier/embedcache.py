"""A disk cache of sentence embeddings for training, under var/ (never shipped, never committed).

Embedding the 59,000 training texts takes about ten minutes on one core; the cache, keyed by a hash of each text
and of the encoder's preprocessing, makes a rerun of `parvis moderation train` take only the fitting time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from parvis.moderation.classifier import stage2

if TYPE_CHECKING:
    from numpy.typing import NDArray

logger = logging.getLogger(__name__)

BATCH = 64
SAVE_EVERY = 4096


def _key(text: str) -> str:
    """What the encoder actually reads, hashed: a change of its preprocessing invalidates only the texts it
    changes."""
    return hashlib.sha256(stage2.prepare(text).encode("utf-8", "replace")).hexdigest()[:24]


def _load(file: Path) -> dict[str, NDArray[np.float16]]:
    if not file.is_file():
        return {}
    with np.load(file, allow_pickle=False) as data:
        return dict(zip((str(key) for key in data["keys"]), data["vectors"], strict=True))


def _save(file: Path, cache: dict[str, NDArray[np.float16]]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_suffix(".tmp.npz")
    np.savez(temporary, keys=np.array(list(cache)), vectors=np.stack(list(cache.values())).astype(np.float16))
    temporary.replace(file)


def embeddings(texts: Sequence[str], file: Path) -> NDArray[np.float32]:
    """The embedding of each text, computing (and saving, every few thousand) only those not yet cached."""
    cache = _load(file)
    keys = [_key(text) for text in texts]
    pending = {key: text for key, text in zip(keys, texts, strict=True) if key not in cache}
    missing = sorted(pending.items(), key=lambda item: len(item[1]))
    if missing:
        logger.warning("embedding %d texts (cached: %d)", len(missing), len(cache))
    since_save = 0
    for start in range(0, len(missing), BATCH):
        batch = missing[start : start + BATCH]
        vectors = stage2.encode([text for _, text in batch])
        for (key, _), vector in zip(batch, vectors, strict=True):
            cache[key] = vector.astype(np.float16)
        since_save += len(batch)
        if since_save >= SAVE_EVERY:
            _save(file, cache)
            since_save = 0
            logger.warning("embedded %d / %d", start + len(batch), len(missing))
    if since_save:
        _save(file, cache)
    if not keys:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([cache[key] for key in keys]).astype(np.float32)
