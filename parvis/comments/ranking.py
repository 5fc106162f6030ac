"""How "best" orders comments: the Wilson score lower bound of the share of up-votes.

A comment with 1 up-vote and none down is not better than one with 40 up and 2 down; the lower bound
of the 95% confidence interval says how good a comment is *at least*, given the votes so far.
"""

from __future__ import annotations

import math

_Z = 1.959963984540054  # 95% two-sided


def wilson_lower_bound(upvotes: int, downvotes: int) -> float:
    total = upvotes + downvotes
    if total == 0:
        return 0.0
    share = upvotes / total
    z2 = _Z * _Z
    centre = share + z2 / (2 * total)
    margin = _Z * math.sqrt((share * (1 - share) + z2 / (4 * total)) / total)
    return (centre - margin) / (1 + z2 / total)
