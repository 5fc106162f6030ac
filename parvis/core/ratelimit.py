"""Fixed-window rate limits, counted in the database or in Redis when PARVIS_REDIS_URL is set.

The database counter works across all server processes of one machine (a per-process memory counter
would let each worker allow the full quota); Redis is for several machines.
"""

from __future__ import annotations

import math
import time
from functools import lru_cache
from typing import Protocol, cast

from django.db import IntegrityError, transaction
from django.db.models import F

from parvis import conf
from parvis.core.exceptions import Code, ProblemError


class Counter(Protocol):
    def hit(self, key: str, window_seconds: int, now: float) -> int:
        """Count one event for ``key`` in the current window and return the window's total."""

    def peek(self, key: str, window_seconds: int, now: float) -> int:
        """The current window's total for ``key``, counting nothing (a read: no write lock on SQLite)."""


def _bucket(key: str, window: int) -> str:
    return f"{key}:{window}"[:200]


class DatabaseCounter:
    def peek(self, key: str, window_seconds: int, now: float) -> int:
        from parvis.core.models import RateCounter

        bucket = _bucket(key, int(now // window_seconds))
        return RateCounter.objects.filter(bucket=bucket).values_list("count", flat=True).first() or 0

    def hit(self, key: str, window_seconds: int, now: float) -> int:
        from parvis.core.models import RateCounter

        window = int(now // window_seconds)
        bucket = _bucket(key, window)
        with transaction.atomic():
            updated = RateCounter.objects.filter(bucket=bucket).update(count=F("count") + 1)
            if not updated:
                try:
                    with transaction.atomic():
                        RateCounter.objects.create(bucket=bucket, count=1, expires_at=(window + 1) * window_seconds)
                except IntegrityError:
                    RateCounter.objects.filter(bucket=bucket).update(count=F("count") + 1)
            count = RateCounter.objects.filter(bucket=bucket).values_list("count", flat=True).first() or 1
        # Sweep old windows now and then, so the table stays the size of the current traffic.
        if count == 1 and int(now) % 16 == 0:
            RateCounter.objects.filter(expires_at__lt=now).delete()
        return count


class RedisCounter:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)

    def peek(self, key: str, window_seconds: int, now: float) -> int:
        count = cast(bytes | None, self.client.get(f"parvis:rl:{key}:{int(now // window_seconds)}"))
        return int(count or 0)

    def hit(self, key: str, window_seconds: int, now: float) -> int:
        bucket = f"parvis:rl:{key}:{int(now // window_seconds)}"
        pipe = self.client.pipeline()
        pipe.incr(bucket)
        pipe.expire(bucket, window_seconds + 1)
        count, _ = pipe.execute()
        return int(count)


@lru_cache(maxsize=2)
def _counter(redis_url: str) -> Counter:
    return RedisCounter(redis_url) if redis_url else DatabaseCounter()


def enforce(setting: str, subject: str, now: float | None = None) -> None:
    """Count one event of kind ``setting`` for ``subject``; raise RATE_LIMITED past the configured rate.

    Inside a transaction the count is part of it (posting a comment counts it in the comment's own transaction:
    on SQLite one write lock and one commit per post instead of three), and undone with it."""
    rate = conf.rate(setting)
    moment = time.time() if now is None else now
    if _counter(conf.redis_url()).hit(f"{setting}:{subject}", rate.seconds, moment) > rate.count:
        raise _limited(rate, moment)


def refuse_if_spent(setting: str, subject: str, now: float | None = None) -> None:
    """Raise RATE_LIMITED if ``subject`` has already used up the rate, counting nothing: refuses a flood before
    costly work, whose own transaction then counts the event with ``enforce``."""
    rate = conf.rate(setting)
    moment = time.time() if now is None else now
    if _counter(conf.redis_url()).peek(f"{setting}:{subject}", rate.seconds, moment) >= rate.count:
        raise _limited(rate, moment)


def _limited(rate: conf.Rate, moment: float) -> ProblemError:
    retry_after = max(1, math.ceil(rate.seconds - (moment % rate.seconds)))
    return ProblemError(
        Code.RATE_LIMITED,
        f"Limit of {rate.count} per {rate.seconds} s reached; retry in {retry_after} s.",
        headers={"Retry-After": str(retry_after)},
    )
