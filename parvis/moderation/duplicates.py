"""Near-duplicate detection across all of a site's threads: the same text pasted under many articles is a
campaign (spam or a raid), even when each copy is slightly edited.

MinHash over word trigrams of the matching key, cut into LSH bands: two texts whose word-trigram sets overlap by
about 60 % or more share at least one band with high probability, and a band is one indexed integer in
`Fingerprint`, so finding earlier copies is one query whatever the number of comments.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import numpy as np
from django.utils import timezone

from parvis.comments.models import Comment
from parvis.core.models import Site
from parvis.moderation.models import Fingerprint

BANDS, ROWS = 16, 4
# Short texts ("Merci !", "Bravo") are the same everywhere for innocent reasons.
MIN_WORDS = 8
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20261125)
_A = _rng.integers(1, _PRIME, BANDS * ROWS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, BANDS * ROWS, dtype=np.uint64)


def _shingles(key: str) -> list[int]:
    words = key.split()
    if len(words) < MIN_WORDS:
        return []
    grams = {" ".join(words[index : index + 3]) for index in range(len(words) - 2)}
    return [int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=7).digest(), "big") for gram in grams]


def bands(key: str) -> list[int]:
    """The LSH band values of a matching key (empty for texts too short to compare)."""
    shingles = _shingles(key)
    if not shingles:
        return []
    values = np.array(shingles, dtype=np.uint64)[:, None]
    # (a·x + b) mod p per hash function; uint64 wraps, which keeps the permutation family good enough for LSH.
    signature = ((values * _A + _B) % np.uint64(_PRIME)).min(axis=0).reshape(BANDS, ROWS)
    result = []
    for index, rows in enumerate(signature):
        digest = hashlib.blake2b(rows.tobytes() + bytes([index]), digest_size=8).digest()
        result.append(int.from_bytes(digest, "big", signed=True))
    return result


def earlier_copies(site: Site, band_values: list[int], *, exclude_thread: int | None = None) -> int:
    """How many comments of the last day, on other threads, are near-duplicates of this text."""
    if not band_values:
        return 0
    since = timezone.now() - timedelta(days=1)
    copies = Fingerprint.objects.filter(site=site, band__in=band_values, created_at__gte=since)
    if exclude_thread is not None:
        copies = copies.exclude(comment__thread_id=exclude_thread)
    return copies.values("comment_id").distinct().count()


def remember(comment: Comment, band_values: list[int]) -> None:
    if not band_values:
        return
    Fingerprint.objects.filter(comment=comment).delete()
    Fingerprint.objects.bulk_create(
        Fingerprint(site_id=comment.thread.site_id, comment=comment, band=band, created_at=comment.created_at)
        for band in band_values
    )
