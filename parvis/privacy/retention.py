"""How long the traces of a sending are kept: the keyed hashes of IP addresses, networks and user agents.

Parvis never stores an address in clear, but a keyed hash still links one reader's comments and votes together,
so it is kept only while it serves what it is for — rate limits, duplicate and campaign detection, bans made
from a recent comment — and blanked after PARVIS_PRIVACY_HASH_DAYS. Votes and reports keep a unique key per row
(one vote per person and comment), so theirs becomes ``expired:<id>``: unique, and linked to nobody. A ban a
moderator made keeps its hash: that was a decision about a person, and it ends with the ban. Data requests
whose link can no longer work are deleted with the address they held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from parvis import conf
from parvis.comments.models import Comment, Flag, Vote
from parvis.privacy.models import AccessRequest

EXPIRED_PREFIX = "expired:"


@dataclass(frozen=True)
class Expired:
    comments: int
    votes: int
    flags: int
    requests: int


def _expired_key() -> Concat:
    return Concat(Value(EXPIRED_PREFIX), Cast("pk", output_field=CharField()))


def expire(now: datetime | None = None) -> Expired:
    """Blank every hash older than PARVIS_PRIVACY_HASH_DAYS at ``now``; delete data requests past their link."""
    moment = now or timezone.now()
    before = moment - timedelta(days=conf.privacy_hash_days())
    traced = Q(ip_hash__gt="") | Q(network_hash__gt="") | Q(user_agent_hash__gt="")
    comments = Comment.objects.filter(traced, created_at__lt=before).update(
        ip_hash="", network_hash="", user_agent_hash=""
    )
    votes = (
        Vote.objects.filter(created_at__lt=before).exclude(voter_key__startswith=EXPIRED_PREFIX)
        .update(voter_key=_expired_key())
    )  # fmt: skip
    flags = (
        Flag.objects.filter(created_at__lt=before).exclude(reporter_key__startswith=EXPIRED_PREFIX)
        .update(reporter_key=_expired_key())
    )  # fmt: skip
    link_ended = moment - timedelta(seconds=conf.privacy_link_seconds())
    requests, _ = AccessRequest.objects.filter(created_at__lt=link_ended).delete()
    return Expired(comments=comments, votes=votes, flags=flags, requests=requests)
