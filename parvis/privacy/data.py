"""What Parvis holds about one person on one site, found by the address they proved, and its JSON export.

A person is every commenter identity (name + email) that gave this address on the site, the comments written
under them, the subscriptions of the address, and the votes cast from the (hashed) addresses those comments
were sent from — votes carry no name or email, so that hash is the only link between a vote and a person, and
it lasts only as long as PARVIS_PRIVACY_HASH_DAYS keeps the hashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from parvis.accounts.models import Commenter
from parvis.comments.models import Comment, Vote
from parvis.core.models import Site
from parvis.notifications.addresses import address_key
from parvis.notifications.models import Subscription

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Person:
    """Someone on a site: an address, or (for staff, erasing a guest who gave none) one commenter identity."""

    site: Site
    email: str
    commenter_id: int | None = None

    @property
    def address_key(self) -> str:
        return address_key(self.email) if self.email else ""

    def commenters(self) -> QuerySet[Commenter]:
        if not self.email:
            return Commenter.objects.filter(site=self.site, pk=self.commenter_id or 0)
        return Commenter.objects.filter(site=self.site, email__iexact=self.email)

    def comments(self) -> QuerySet[Comment]:
        return Comment.objects.filter(thread__site=self.site, commenter__in=self.commenters())

    def subscriptions(self) -> QuerySet[Subscription]:
        if not self.email:
            return Subscription.objects.none()
        return Subscription.objects.filter(site=self.site, address_key=self.address_key)

    def voter_keys(self) -> list[str]:
        hashes = self.comments().exclude(ip_hash="").values_list("ip_hash", flat=True).distinct()
        return [f"ip:{value}" for value in hashes]

    def votes(self) -> QuerySet[Vote]:
        return Vote.objects.filter(comment__thread__site=self.site, voter_key__in=self.voter_keys())


@dataclass(frozen=True)
class Summary:
    comments: int
    subscriptions: int
    votes: int

    @property
    def empty(self) -> bool:
        return not (self.comments or self.subscriptions or self.votes)


def summary(person: Person) -> Summary:
    return Summary(person.comments().count(), person.subscriptions().count(), person.votes().count())


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(person: Person, now: datetime | None = None) -> dict[str, Any]:
    """Everything about ``person``, as the JSON document they download (stable keys, ``format`` versioned)."""
    comments = person.comments().select_related("thread").order_by("created_at", "pk")
    return {
        "format": FORMAT_VERSION,
        "generated_at": _when(now or timezone.now()),
        "site": {"slug": person.site.slug, "name": person.site.name},
        "email": person.email,
        "identities": [
            {"name": item.name, "website": item.website, "created_at": _when(item.created_at)}
            for item in person.commenters().order_by("created_at", "pk")
        ],
        "comments": [
            {
                "id": item.pk,
                "thread": {"key": item.thread.key, "url": item.thread.url, "title": item.thread.title},
                "parent": item.parent_id,
                "status": item.status,
                "author_name": item.author_name,
                "author_website": item.author_website,
                "text": item.body_markdown,
                "language": item.language,
                "created_at": _when(item.created_at),
                "edited_at": _when(item.edited_at),
                "quoted_passage": item.anchor_exact,
                "upvotes": item.upvotes,
                "downvotes": item.downvotes,
                "sent_from_hashed_address": bool(item.ip_hash),
            }
            for item in comments
        ],
        "subscriptions": [
            {
                "kind": item.kind,
                "thread": item.thread.key if item.thread else None,
                "frequency": item.frequency,
                "language": item.language,
                "created_at": _when(item.created_at),
                "confirmed_at": _when(item.confirmed_at),
            }
            for item in person.subscriptions().select_related("thread").order_by("created_at", "pk")
        ],
        "votes": [
            {"comment": item.comment_id, "value": item.value, "created_at": _when(item.created_at)}
            for item in person.votes().order_by("created_at", "pk")
        ],
    }
