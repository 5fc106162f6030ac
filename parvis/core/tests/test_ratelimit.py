"""Rate limits hold across server processes: counted in the database, or in Redis when configured."""

from __future__ import annotations

import uuid

import pytest
import redis
from django.test import override_settings

from parvis.core import ratelimit
from parvis.core.exceptions import Code, ProblemError

pytestmark = pytest.mark.django_db
NOW = 1_800_000_000.0  # a fixed clock: the window boundaries are known


def hits_until_refused(subject: str, now: float) -> int:
    for count in range(1, 10):
        try:
            ratelimit.enforce("PARVIS_RATELIMIT_COMMENT_IP", subject, now=now)
        except ProblemError as error:
            assert error.code == Code.RATE_LIMITED
            return count
    return 0


@override_settings(PARVIS_RATELIMIT_COMMENT_IP="3/60", PARVIS_REDIS_URL="")
def test_database_counter_refuses_the_fourth_event_in_a_window():
    assert hits_until_refused("reader-a", NOW) == 4
    assert hits_until_refused("reader-b", NOW) == 4  # another reader has their own quota
    assert hits_until_refused("reader-a", NOW + 60) == 4  # the next window starts afresh


@override_settings(PARVIS_RATELIMIT_COMMENT_IP="3/60", PARVIS_REDIS_URL="redis://127.0.0.1:6379/15")
def test_redis_counter_refuses_the_fourth_event_in_a_window():
    client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    client.ping()  # the real server must be there: this test is about Redis
    subject = f"reader-{uuid.uuid4()}"
    assert hits_until_refused(subject, NOW) == 4
    keys = client.keys(f"parvis:rl:PARVIS_RATELIMIT_COMMENT_IP:{subject}:*")
    assert len(keys) == 1 and 0 < client.ttl(keys[0]) <= 61


@override_settings(PARVIS_RATELIMIT_COMMENT_IP="1/60")
def test_retry_after_says_when_the_window_ends():
    ratelimit.enforce("PARVIS_RATELIMIT_COMMENT_IP", "reader-c", now=NOW + 15)
    with pytest.raises(ProblemError) as error:
        ratelimit.enforce("PARVIS_RATELIMIT_COMMENT_IP", "reader-c", now=NOW + 15)
    assert error.value.headers["Retry-After"] == str(60 - int((NOW + 15) % 60))


@pytest.mark.parametrize("redis_url", ["", "redis://127.0.0.1:6379/15"])
def test_a_spent_quota_is_refused_before_any_work_without_counting_the_look(redis_url: str) -> None:
    subject = f"reader-{uuid.uuid4()}"
    with override_settings(PARVIS_RATELIMIT_COMMENT_IP="2/60", PARVIS_REDIS_URL=redis_url):
        for _ in range(5):
            ratelimit.refuse_if_spent("PARVIS_RATELIMIT_COMMENT_IP", subject, now=NOW)  # looking counts nothing
        ratelimit.enforce("PARVIS_RATELIMIT_COMMENT_IP", subject, now=NOW)
        ratelimit.enforce("PARVIS_RATELIMIT_COMMENT_IP", subject, now=NOW)
        with pytest.raises(ProblemError) as error:
            ratelimit.refuse_if_spent("PARVIS_RATELIMIT_COMMENT_IP", subject, now=NOW)
        assert error.value.code == Code.RATE_LIMITED and error.value.headers["Retry-After"]


@override_settings(PARVIS_RATELIMIT_COMMENT_IP="2/60", PARVIS_REDIS_URL="")
def test_an_event_counted_in_a_transaction_that_fails_is_not_counted() -> None:
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        ratelimit.enforce("PARVIS_RATELIMIT_COMMENT_IP", "reader-d", now=NOW)
        raise RuntimeError("the comment's transaction failed")
    assert hits_until_refused("reader-d", NOW) == 3
