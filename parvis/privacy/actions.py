"""Every change a data request makes: asking for the link, and erasing a person's data on a site.

``request_access`` answers the same way whatever the address (it does not even look for data: the link is
mailed to the address and only its owner learns what is there), bounded by rate limits per IP and per address.
``erase`` is the one place a person's data is erased, whichever door the request came through (the reader's
link, `parvis privacy_erase`, the admin action): it applies the site's erasure policy to their comments,
removes their identities, subscriptions, votes and emails, and writes the audit log — one entry per comment
and one for the whole request, naming ids and counts, never the address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from parvis.accounts.models import Commenter
from parvis.comments.models import Comment, Status, Vote
from parvis.comments.ranking import wilson_lower_bound
from parvis.comments.rendering import render
from parvis.core import ratelimit
from parvis.core.clients import ClientFingerprint
from parvis.core.exceptions import ProblemError
from parvis.core.models import Site
from parvis.core.page_language import TRANSLATED
from parvis.identity.models import EmailLink
from parvis.moderation.models import Appeal, AuditEntry, Decision, Example, Fingerprint
from parvis.notifications import outbox
from parvis.notifications.addresses import address_key, normalise_address
from parvis.notifications.models import OutboxMessage, OutboxStatus
from parvis.privacy.data import Person
from parvis.privacy.models import AccessRequest, Erasure, PrivacySettings
from parvis.threads.models import Thread

# What an erased author and an erased text become when the site keeps the comment's place.
DELETED_MARK = "[deleted]"
# The parts of a moderation reason that say nothing about the words: kept when the text goes.
REASON_KEEPS = ("rule", "category", "score", "stage", "source")


def erasure_policy(site: Site) -> str:
    found = PrivacySettings.objects.filter(site=site).values_list("erasure", flat=True).first()
    return found or Erasure.DELETE


def request_access(site: Site, email: str, language: str, client: ClientFingerprint) -> AccessRequest:
    """Mail a link proving ``email`` to that address. The caller answers the same whatever happens next."""
    address = normalise_address(email)
    key = address_key(address)
    ratelimit.enforce("PARVIS_RATELIMIT_PRIVACY_IP", client.ip_hash)
    ratelimit.enforce("PARVIS_RATELIMIT_PRIVACY_EMAIL", f"privacy:{site.pk}:{key}")
    wanted = language if language in TRANSLATED else site.default_language
    with transaction.atomic():
        request = AccessRequest.objects.create(
            site=site, email=address, address_key=key, language=wanted, created_at=timezone.now()
        )
        outbox.enqueue(
            f"privacy:{request.pk}", site=site, kind="privacy_link", recipient=address, language=wanted,
            payload={"request": request.pk},
        )  # fmt: skip
        AuditEntry.objects.create(site=site, actor_label="reader", action="privacy.requested",
                                  details={"request": request.pk})  # fmt: skip
    return request


@dataclass
class Erased:
    policy: str
    comments: list[int] = field(default_factory=list)
    subscriptions: int = 0
    votes: int = 0
    identities: int = 0
    emails: int = 0


def _actor_fields(actor: Any, label: str) -> dict[str, Any]:
    user = actor if getattr(actor, "pk", None) else None
    return {"actor": user, "actor_label": getattr(user, "username", "") or label}


def _strip_reasons(reasons: Any) -> list[dict[str, Any]]:
    if not isinstance(reasons, list):
        return []
    return [{name: item[name] for name in REASON_KEEPS if name in item} for item in reasons if isinstance(item, dict)]


def _erase_comment(comment: Comment, policy: str) -> None:
    was_published = comment.status == Status.APPROVED
    comment.commenter = None
    comment.author_website = ""
    comment.ip_hash = comment.network_hash = comment.user_agent_hash = ""
    comment.edit_token_hash = ""
    if policy == Erasure.ANONYMISE:
        comment.author_name = DELETED_MARK
    else:
        comment.anchor_exact = comment.anchor_prefix = comment.anchor_suffix = ""
        if policy == Erasure.REDACT:
            comment.author_name = DELETED_MARK
            comment.body_markdown = DELETED_MARK
            comment.body_html = render(DELETED_MARK)
        else:
            # Like an author's own deletion: the row stays, so replies by others keep their place under it.
            comment.author_name = ""
            comment.body_markdown = comment.body_html = ""
            comment.status = Status.DELETED
        # What the moderation kept of the words goes with them; the decisions themselves stay (what was decided).
        Example.objects.filter(comment=comment).delete()
        Appeal.objects.filter(comment=comment).delete()
        Fingerprint.objects.filter(comment=comment).delete()
        for decision in Decision.objects.filter(comment=comment).only("pk", "reasons"):
            decision.reasons = _strip_reasons(decision.reasons)
            decision.save(update_fields=["reasons"])
    comment.save()
    if was_published and comment.status != Status.APPROVED:
        Thread.objects.filter(pk=comment.thread_id).update(comment_count=F("comment_count") - 1)


def _withdraw_votes(votes: list[Vote]) -> None:
    """Delete the votes and recount the comments they were on (counts and ranks as if never cast)."""
    touched = {vote.comment_id for vote in votes}
    Vote.objects.filter(pk__in=[vote.pk for vote in votes]).delete()
    for comment in Comment.objects.select_for_update().filter(pk__in=touched):
        counts = Vote.objects.filter(comment=comment).aggregate(
            up=Count("pk", filter=Q(value=1)), down=Count("pk", filter=Q(value=-1))
        )
        comment.upvotes, comment.downvotes = counts["up"], counts["down"]
        comment.score = comment.upvotes - comment.downvotes
        comment.rank = wilson_lower_bound(comment.upvotes, comment.downvotes)
        comment.save(update_fields=["upvotes", "downvotes", "score", "rank"])


def erase(site: Site, email: str, *, actor: Any = None, label: str = "reader", via: str = "link") -> Erased:
    """Erase what ``email`` left on ``site``, as the site's policy says (see PrivacySettings)."""
    try:
        address = normalise_address(email)
    except ProblemError:
        # Staff may erase an address stored before today's checks existed: take it as it was typed.
        address = email.strip()
    return _erase(Person(site, address), actor=actor, label=label, via=via)


def erase_commenter(commenter: Commenter, *, actor: Any = None, label: str = "admin", via: str = "admin") -> Erased:
    """Erase the person behind ``commenter``: everyone with its address on the site, or this guest alone when
    they gave no address (the admin action)."""
    if commenter.email:
        return erase(commenter.site, commenter.email, actor=actor, label=label, via=via)
    return _erase(Person(commenter.site, "", commenter.pk), actor=actor, label=label, via=via)


def _erase(person: Person, *, actor: Any, label: str, via: str) -> Erased:
    site, address = person.site, person.email
    policy = erasure_policy(site)
    result = Erased(policy=policy)
    who = _actor_fields(actor, label)
    with transaction.atomic():
        votes = list(person.votes().select_for_update())
        comments = list(person.comments().select_for_update().order_by("pk"))
        for comment in comments:
            _erase_comment(comment, policy)
            AuditEntry.objects.create(
                site=site, action="comment.erased", thread_id=comment.thread_id, comment=comment,
                details={"policy": policy, "via": via}, **who,
            )  # fmt: skip
        result.comments = [comment.pk for comment in comments]
        _withdraw_votes(votes)
        result.votes = len(votes)
        for subscription in person.subscriptions().select_for_update():
            OutboxMessage.objects.filter(subscription=subscription, status=OutboxStatus.PENDING).update(
                status=OutboxStatus.DROPPED
            )
            AuditEntry.objects.create(
                site=site, action="subscription.erased", thread_id=subscription.thread_id,
                details={"subscription": subscription.pk, "kind": subscription.kind, "via": via}, **who,
            )  # fmt: skip
            subscription.delete()
            result.subscriptions += 1
        _, deleted = person.commenters().delete()
        result.identities = deleted.get("accounts.Commenter", 0)
        # The emails sent to the address (subscriptions, data links) go too; one being sent right now finishes.
        if address:
            _, deleted = (
                OutboxMessage.objects.filter(site=site, recipient__iexact=address)
                .exclude(status=OutboxStatus.SENDING).delete()
            )  # fmt: skip
            result.emails = deleted.get("notifications.OutboxMessage", 0)
            AccessRequest.objects.filter(site=site, address_key=person.address_key, erased_at__isnull=True).update(
                erased_at=timezone.now(), email=""
            )
            # Sign-in and confirmation links mailed to the address hold it too.
            EmailLink.objects.filter(site=site, email__iexact=address).delete()
        AuditEntry.objects.create(
            site=site, action="privacy.erased",
            details={
                "policy": policy, "via": via, "comments": result.comments, "subscriptions": result.subscriptions,
                "votes": result.votes, "identities": result.identities,
            },
            **who,
        )  # fmt: skip
    return result
