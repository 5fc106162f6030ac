"""The one way comment text becomes model features, shared by the shipped model and each site's own model.

Features are hashed (no vocabulary to store or leak) character n-grams of the normalised matching key — robust to
misspellings and obfuscation and language-independent, which matters for Hebrew and Arabic where little training
data exists — plus word unigrams and bigrams of the same key.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import scipy.sparse
from sklearn.feature_extraction.text import HashingVectorizer

from parvis.moderation.normalise import normalise

N_FEATURES = 2**18
# Long comments are scored on their beginning and end: abuse and spam rarely hide only in the middle of 100 KB,
# and the cost of a decision must not grow with the text.
MAX_CHARS = 4000


def matching_text(text: str) -> str:
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS // 2] + " " + text[-MAX_CHARS // 2 :]
    return normalise(text).text


@cache
def _vectorisers() -> tuple[HashingVectorizer, HashingVectorizer]:
    characters = HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), n_features=N_FEATURES, alternate_sign=False, norm="l2"
    )
    words = HashingVectorizer(
        analyzer="word", ngram_range=(1, 2), n_features=N_FEATURES, alternate_sign=False, norm="l2",
        token_pattern=r"(?u)\b\w+\b",  # noqa: S106 - a regex, not a password
    )  # fmt: skip
    return characters, words


def vectorise(texts: Sequence[str], *, normalised: bool = False) -> scipy.sparse.csr_matrix:
    """One row per text: character and word n-gram counts side by side, each block L2-normalised."""
    keys = list(texts) if normalised else [matching_text(text) for text in texts]
    characters, words = _vectorisers()
    return scipy.sparse.hstack([characters.transform(keys), words.transform(keys)], format="csr")
