"""Signing in and proving an address by email: a link is mailed, clicking it (on any device) confirms it.

Two secrets per link. The app that asked holds ``request``, returned once by ``request_sign_in``, and polls with
it; the email carries ``link_token``. Only their SHA-256 hashes are stored. The link token is not random but an
HMAC of the request's hash under the server secret: the outbox can rebuild it when it sends the email
(``link_token``) without the clear token ever being written to the database, and a copy of the database alone
cannot open a link.

A link is confirmed by a POST from its page (mail scanners open every GET). A sign-in link then gives the polling
app one session, once. A confirmation link (``Purpose.CONFIRM_COMMENT``) proves a guest's address: their
commenter becomes verified, gets the email identity, and the comment held for the proof is released
(``parvis.comments.actions.post.release_confirmed``).

The answers never say whether an address is known: a sign-in link is mailed to whatever address is given, and
only its owner learns what it opens.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from parvis import conf
from parvis.accounts.models import Commenter
from parvis.comments.models import Comment, Status
from parvis.comments.tokens import token_hash
from parvis.core import ratelimit
from parvis.core.clients import ClientFingerprint
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.core.page_language import TRANSLATED
from parvis.identity import accounts
from parvis.identity.models import EmailLink, Identity, Provider, sign_in_settings
from parvis.identity.sessions import Opened
from parvis.notifications import outbox
from parvis.notifications.addresses import address_key, normalise_address
from parvis.threads.versions import raise_for_commenter, touch

_SALT = "parvis.identity.email_links"
MAX_SECRET = 200
# A confirmed sign-in link can still be collected for this long after the click, even past its expiry: the app
# polls every few seconds, but a click in the link's last second must not be lost.
COLLECT_GRACE = timedelta(minutes=10)
# Links (and the addresses they hold) are deleted this long after they stopped working, as new ones are made.
KEPT_AFTER_EXPIRY = timedelta(days=1)
# The name of a reader who signs in by email before ever commenting; they can change it (PATCH auth/me).
NEUTRAL_NAME = "Reader"


def link_token(link: EmailLink) -> str:
    """The token the email carries, rebuilt from the stored request hash with the server secret."""
    return salted_hmac(_SALT, link.request_secret_hash, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class Requested:
    link: EmailLink
    # The polling app's secret: returned once, stored only hashed.
    request: str

    @property
    def expires_at(self) -> datetime:
        return self.link.expires_at


def _language(site: Site, wanted: str) -> str:
    if wanted in TRANSLATED:
        return wanted
    return site.default_language if site.default_language in TRANSLATED else "en"


def _create(site: Site, purpose: str, email: str, language: str, comment: Comment | None = None) -> Requested:
    """Store a link and write its email to the outbox (in the caller's transaction)."""
    request = secrets.token_urlsafe(32)
    now = timezone.now()
    EmailLink.objects.filter(expires_at__lt=now - KEPT_AFTER_EXPIRY).delete()
    link = EmailLink(
        site=site, purpose=purpose, email=email, language=_language(site, language),
        request_secret_hash=token_hash(request), comment=comment,
        expires_at=now + timedelta(seconds=conf.email_link_seconds()),
    )  # fmt: skip
    link.link_token_hash = token_hash(link_token(link))
    link.save()
    outbox.enqueue(
        f"email_link:{link.pk}", site=site, kind="email_link", recipient=email, language=link.language,
        payload={"link": link.pk},
    )  # fmt: skip
    return Requested(link=link, request=request)


def request_sign_in(site: Site, email: str, language: str, client: ClientFingerprint) -> Requested:
    """Mail a sign-in link to ``email``. The answer is the same whether the address was seen before or not."""
    if not sign_in_settings(site).email_sign_in:
        raise ProblemError(Code.SIGN_IN_UNAVAILABLE, "Signing in by email is not offered on this site.")
    address = normalise_address(email)
    ratelimit.enforce("PARVIS_RATELIMIT_EMAIL_LINK_IP", client.ip_hash)
    ratelimit.enforce("PARVIS_RATELIMIT_EMAIL_LINK_ADDRESS", f"email_link:{site.pk}:{address_key(address)}")
    with transaction.atomic():
        return _create(site, EmailLink.Purpose.SIGN_IN, address, language)


def request_confirmation(comment: Comment, email: str, language: str) -> Requested:
    """Mail a link proving a guest's address, about ``comment`` (held for it, or posted with ``verify_email``).
    Called in the comment's own transaction: the email exists exactly when the comment does."""
    return _create(comment.thread.site, EmailLink.Purpose.CONFIRM_COMMENT, email, language, comment=comment)


def _by_token(site: Site, token: str) -> EmailLink:
    if not token or len(token) > MAX_SECRET:
        raise ProblemError(Code.LINK_INVALID)
    link = EmailLink.objects.select_related("site").filter(link_token_hash=token_hash(token)).first()
    if link is None:
        raise ProblemError(Code.LINK_INVALID)
    if link.site_id != site.pk:
        raise ProblemError(Code.LINK_OTHER_SITE)
    return link


def opened(site: Site, token: str, now: datetime | None = None) -> EmailLink:
    """The link ``token`` names on ``site``, still to be confirmed or already confirmed (a second click); refused
    with link_invalid, link_other_site or link_expired otherwise. Confirms nothing (the GET of the page)."""
    link = _by_token(site, token)
    if link.confirmed_at is None and (now or timezone.now()) >= link.expires_at:
        raise ProblemError(Code.LINK_EXPIRED)
    return link


def confirm(site: Site, token: str) -> EmailLink:
    """The click on the link page's button: the address is proven. Confirming twice changes nothing."""
    link = opened(site, token)
    if link.confirmed_at is not None:
        return link
    with transaction.atomic():
        now = timezone.now()
        won = EmailLink.objects.filter(pk=link.pk, confirmed_at__isnull=True).update(confirmed_at=now)
        link.confirmed_at = now
        if won and link.purpose == EmailLink.Purpose.CONFIRM_COMMENT:
            _prove_guest(link)
    return link


def _prove_guest(link: EmailLink) -> None:
    comment = Comment.objects.select_related("commenter").filter(pk=link.comment_id).first()
    if comment is None or comment.commenter is None:
        return
    # The comment moves with the others when the address already had a commenter of its own.
    claim(link.site, link.email, comment.commenter)


def claim(site: Site, email: str, guest: Commenter | None = None) -> Commenter:
    """After the address was proven: the commenter of its email identity (``guest`` becomes it when there is
    none yet), verified, with the earlier unverified comments signed with that address grouped under it, and
    those held for the proof released (one whose own link expired too).

    Grouping happens only here, after the proof: a typed email alone never joins anyone's comments."""
    from parvis.comments.actions.post import release_confirmed  # comments build on identity, not the reverse

    subject = email.lower()
    identity = Identity.objects.select_related("commenter").filter(
        site=site, provider=Provider.EMAIL, subject=subject
    ).first()  # fmt: skip
    if identity is not None:
        owner = identity.commenter
    elif guest is not None:
        owner = guest
        Identity.objects.create(site=site, commenter=owner, provider=Provider.EMAIL, subject=subject)
    else:
        owner = Commenter.objects.create(site=site, name=NEUTRAL_NAME, email=email, verified=True)
        Identity.objects.create(site=site, commenter=owner, provider=Provider.EMAIL, subject=subject)
    if not owner.verified:
        owner.verified = True
        owner.save(update_fields=["verified"])
        raise_for_commenter(owner)
    others = Commenter.objects.filter(site=site, email__iexact=email, verified=False).exclude(pk=owner.pk)
    moved = Comment.objects.filter(commenter__in=others)
    threads = set(moved.values_list("thread_id", flat=True))
    if threads:
        moved.update(commenter=owner)
        touch(threads)
    for pk in Comment.objects.filter(commenter=owner, status=Status.PENDING).values_list("pk", flat=True):
        release_confirmed(pk)
    return owner


def _first_name(site: Site, email: str) -> str:
    """The name a reader signing in by email for the first time starts with: the one they last commented under
    as a guest with that address (proven now), else a neutral one — never the part of the address before the @,
    which would show the private address to everyone. Empty once they have an identity: their name stays."""
    if Identity.objects.filter(site=site, provider=Provider.EMAIL, subject=email.lower()).exists():
        return ""
    guest = (
        Commenter.objects.filter(site=site, email__iexact=email, verified=False)
        .order_by("-created_at", "-pk").values_list("name", flat=True).first()
    )  # fmt: skip
    return guest or NEUTRAL_NAME


@dataclass(frozen=True)
class Polled:
    """What the polling app is told: still waiting, or its session (once)."""

    opened: Opened | None


def poll(site: Site, request: str, now: datetime | None = None) -> Polled:
    """The app's question "was my link clicked?". The session comes once; after that the link is used."""
    if not request or len(request) > MAX_SECRET:
        raise ProblemError(Code.LINK_INVALID)
    link = EmailLink.objects.filter(request_secret_hash=token_hash(request)).first()
    if link is None:  # a sign-in link, or a comment's confirmation link: proving the address signs its author in
        raise ProblemError(Code.LINK_INVALID)
    if link.site_id != site.pk:
        raise ProblemError(Code.LINK_OTHER_SITE)
    moment = now or timezone.now()
    if link.collected_at is not None:
        raise ProblemError(Code.LINK_USED, "This sign-in link was already used. Ask for a new one.")
    if link.confirmed_at is None:
        if moment >= link.expires_at:
            raise ProblemError(Code.LINK_EXPIRED)
        return Polled(opened=None)
    if moment >= max(link.expires_at, link.confirmed_at + COLLECT_GRACE):
        raise ProblemError(Code.LINK_EXPIRED)
    with transaction.atomic():
        if not EmailLink.objects.filter(pk=link.pk, collected_at__isnull=True).update(collected_at=moment):
            raise ProblemError(Code.LINK_USED, "This sign-in link was already used. Ask for a new one.")
        claims = accounts.Claims(name=_first_name(site, link.email), email=link.email)
        commenter, session = accounts.sign_in(site, Provider.EMAIL, link.email.lower(), claims)
        claim(site, link.email, commenter)
    return Polled(opened=session)
