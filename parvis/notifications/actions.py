"""Every change to subscriptions: subscribe (which writes the one confirmation email), subscribe a signed-in
commenter by account, confirm, remove, and expire what nobody confirmed.

Each action checks its right to act (a valid signed token, or the rate limits for a new request), writes, and
leaves an audit entry naming the subscription, never the address.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from parvis import conf
from parvis.accounts.models import Commenter
from parvis.core import ratelimit
from parvis.core.clients import ClientFingerprint
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.core.page_language import TRANSLATED
from parvis.core.text import clean_line
from parvis.moderation.models import AuditEntry
from parvis.notifications import outbox, tokens
from parvis.notifications.addresses import address_key, normalise_address
from parvis.notifications.models import Frequency, Kind, OutboxMessage, OutboxStatus, Subscription
from parvis.threads.keys import MAX_URL_LENGTH, canonical_url, thread_key
from parvis.threads.models import Thread

TITLE_MAX = 300


@dataclass(frozen=True)
class Request:
    """What the subscribe form sent."""

    email: str
    kind: str
    frequency: str = Frequency.INSTANT
    language: str = ""
    thread_key: str | None = None
    thread_url: str | None = None
    thread_title: str = ""


def _audit(subscription: Subscription, action: str, actor: str, **details: object) -> None:
    AuditEntry.objects.create(
        site_id=subscription.site_id,
        actor_label=actor,
        action=f"subscription.{action}",
        thread_id=subscription.thread_id,
        details={"subscription": subscription.pk, "kind": subscription.kind, **details},
    )


def _thread(site: Site, request: Request) -> Thread:
    key = thread_key(request.thread_key, request.thread_url)
    url = ""
    if request.thread_url:
        canonical = canonical_url(request.thread_url) if len(request.thread_url) <= MAX_URL_LENGTH else None
        if canonical is None or not site.url_allowed(canonical):
            raise ProblemError(Code.URL_NOT_ALLOWED, field="thread.url")
        url = canonical
    title = clean_line(request.thread_title or "", "thread.title")[:TITLE_MAX]
    thread, _ = Thread.objects.get_or_create(site=site, key=key, defaults={"url": url, "title": title})
    return thread


def _checked(site: Site, request: Request) -> tuple[str, str]:
    """The request's address (normalised) and language, once its kind and frequency are known values."""
    email = normalise_address(request.email)
    if request.kind not in Kind.values:
        raise ProblemError(Code.VALIDATION_FAILED, "kind must be thread or replies.", field="kind")
    if request.frequency not in Frequency.values:
        raise ProblemError(Code.VALIDATION_FAILED, "frequency must be instant or daily.", field="frequency")
    return email, request.language if request.language in TRANSLATED else site.default_language


def subscribe_account(commenter: Commenter, request: Request) -> Subscription:
    """Subscribe a signed-in commenter by their account: the address is the account's, already proven
    (``verified``), so the subscription is confirmed at once and no confirmation email is sent. ``request.email``
    is ignored. A commenter without a verified address must subscribe as a guest (double opt-in)."""
    if not commenter.verified or not commenter.email:
        raise ProblemError(Code.EMAIL_REQUIRED, "This account has no verified email address.", field="email")
    site = commenter.site
    email, language = _checked(site, replace(request, email=commenter.email))
    key = address_key(email)
    with transaction.atomic():
        thread = _thread(site, request) if request.kind == Kind.THREAD else None
        subscription, created = Subscription.objects.select_for_update().get_or_create(
            site=site, kind=request.kind, thread=thread, address_key=key,
            defaults={"email": email, "frequency": request.frequency, "language": language},
        )  # fmt: skip
        now = timezone.now()
        subscription.frequency, subscription.language = request.frequency, language
        if not subscription.confirmed:
            subscription.confirmed_at = subscription.digested_until = now
            # A guest request for the same address may have left a confirmation waiting: it has nothing to ask.
            OutboxMessage.objects.filter(subscription=subscription, kind="confirm", status=OutboxStatus.PENDING).update(
                status=OutboxStatus.DROPPED
            )
        subscription.save(update_fields=["frequency", "language", "confirmed_at", "digested_until"])
        _audit(subscription, "created" if created else "changed", f"commenter #{commenter.pk}",
               frequency=request.frequency)  # fmt: skip
    return subscription


def subscribe(site: Site, request: Request, client: ClientFingerprint) -> Subscription:
    """Ask for a subscription. Whether the address was known or not, the answer is the same (no address can be
    probed); a new or still unconfirmed subscription gets one confirmation email, a confirmed one nothing."""
    email, language = _checked(site, request)
    key = address_key(email)
    ratelimit.enforce("PARVIS_RATELIMIT_SUBSCRIBE_IP", client.ip_hash)
    ratelimit.enforce("PARVIS_RATELIMIT_SUBSCRIBE_EMAIL", f"{site.pk}:{key}")
    with transaction.atomic():
        thread = _thread(site, request) if request.kind == Kind.THREAD else None
        subscription, created = Subscription.objects.select_for_update().get_or_create(
            site=site, kind=request.kind, thread=thread, address_key=key,
            defaults={"email": email, "frequency": request.frequency, "language": language},
        )  # fmt: skip
        if subscription.confirmed:
            return subscription
        if not created:
            subscription.frequency, subscription.language = request.frequency, language
            subscription.save(update_fields=["frequency", "language"])
        sent_before = OutboxMessage.objects.filter(subscription=subscription, kind="confirm").count()
        outbox.enqueue(
            f"confirm:{subscription.pk}:{sent_before}", site=site, kind="confirm", recipient=email,
            language=language, subscription=subscription,
        )  # fmt: skip
        _audit(subscription, "requested" if created else "rerequested", "reader", frequency=request.frequency)
    return subscription


def _matching(claim: tokens.Claim) -> Subscription | None:
    if claim.subscription_id is None:
        return None
    return (
        Subscription.objects.select_related("site", "thread")
        .filter(pk=claim.subscription_id, site_id=claim.site_id, address_key=claim.address_key)
        .first()
    )


def confirm(token: str) -> Subscription:
    """Double opt-in, second step. Raises TokenError for a forged, expired or foreign token, or a removed
    subscription; confirming twice is harmless."""
    claim = tokens.read_confirm(token)
    with transaction.atomic():
        subscription = _matching(claim)
        if subscription is None:
            raise tokens.TokenError("no such subscription")
        if not subscription.confirmed:
            now = timezone.now()
            subscription.confirmed_at = subscription.digested_until = now
            subscription.save(update_fields=["confirmed_at", "digested_until"])
            _audit(subscription, "confirmed", "reader")
    return subscription


def unsubscribe(token: str) -> Site:
    """One-click removal (RFC 8058). Removing an already removed subscription succeeds: the click is the same.
    A digest's token (no subscription named) removes every daily subscription of its address on the site."""
    claim = tokens.read_unsubscribe(token)
    site = Site.objects.filter(pk=claim.site_id).first()
    if site is None:
        raise tokens.TokenError("no such site")
    with transaction.atomic():
        if claim.subscription_id is None:
            leaving = list(
                Subscription.objects.select_for_update().filter(
                    site=site, address_key=claim.address_key, frequency=Frequency.DAILY
                )
            )
        else:
            leaving = [found] if (found := _matching(claim)) is not None else []
        for subscription in leaving:
            _remove(subscription, "unsubscribed")
    return site


def _remove(subscription: Subscription, how: str, actor: str = "reader") -> None:
    OutboxMessage.objects.filter(subscription=subscription, status=OutboxStatus.PENDING).update(
        status=OutboxStatus.DROPPED
    )
    _audit(subscription, how, actor)
    subscription.delete()


def expire_unconfirmed(now: datetime | None = None) -> int:
    """Delete the subscriptions nobody confirmed in time (run by the worker's minute tick); return how many.

    A subscription goes when it is older than PARVIS_EMAIL_CONFIRM_DAYS and so is its last confirmation email:
    every link that could confirm it has expired, so it can only ever hold an address that never agreed. One
    asked for again recently, or whose confirmation still waits in the outbox (an SMTP outage), stays.
    """
    cutoff = (now or timezone.now()) - timedelta(days=conf.email_confirm_days())
    live_confirmation = OutboxMessage.objects.filter(subscription=OuterRef("pk"), kind="confirm").filter(
        Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]) | Q(created_at__gte=cutoff) | Q(sent_at__gte=cutoff)
    )
    stale = Subscription.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).exclude(
        Exists(live_confirmation)
    )
    removed = 0
    for subscription_id in list(stale.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            subscription = stale.select_for_update().filter(pk=subscription_id).first()
            if subscription is not None:
                _remove(subscription, "expired", "system")
                removed += 1
    return removed


@dataclass(frozen=True)
class Managed:
    site: Site
    address_key: str
    subscriptions: list[Subscription]


def managed(token: str) -> Managed:
    """Every subscription of the address the manage link was made for."""
    claim = tokens.read_manage(token)
    site = Site.objects.filter(pk=claim.site_id).first()
    if site is None:
        raise tokens.TokenError("no such site")
    found = (
        Subscription.objects.filter(site=site, address_key=claim.address_key)
        .select_related("thread")
        .order_by("kind", "created_at")
    )
    return Managed(site=site, address_key=claim.address_key, subscriptions=list(found))


def remove(token: str, subscription_id: int) -> Managed:
    """Remove one subscription from the manage page; one belonging to another address is not found."""
    current = managed(token)
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update()
            .filter(pk=subscription_id, site=current.site, address_key=current.address_key)
            .first()
        )
        if subscription is not None:
            _remove(subscription, "removed")
    return managed(token)
