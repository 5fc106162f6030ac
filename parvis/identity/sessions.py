"""Reader sessions: bearer tokens the app iframe keeps in its own storage and sends as `Authorization: Bearer`.

No cookie is involved, so nothing here is blocked with third-party cookies, and nothing can be ridden by CSRF: a
page of another origin cannot read the iframe's storage. A token lives ``SESSION_DAYS``; the app refreshes it
(a new token, the old one dead at once) when it is past half its life, so an active reader stays signed in and a
stolen, unused token dies on its own.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from parvis.accounts.models import Commenter
from parvis.comments.tokens import token_hash
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.identity.models import ReaderSession

SESSION_DAYS = 30
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class Opened:
    token: str
    expires_at: datetime
    session: ReaderSession


def open_session(commenter: Commenter, provider: str) -> Opened:
    token = secrets.token_urlsafe(32)
    session = ReaderSession.objects.create(
        site_id=commenter.site_id,
        commenter=commenter,
        provider=provider,
        token_hash=token_hash(token),
        expires_at=timezone.now() + timedelta(days=SESSION_DAYS),
    )
    return Opened(token=token, expires_at=session.expires_at, session=session)


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None when there is none."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError(Code.SESSION_INVALID, "Send the session as `Authorization: Bearer <token>`.")
    return token.strip()


def find(site: Site, token: str) -> ReaderSession:
    """The live session of ``token`` on ``site``; a dead, revoked or foreign token is refused (401), so the app
    knows to forget it."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise ProblemError(Code.SESSION_INVALID)
    session = (
        ReaderSession.objects.select_related("commenter")
        .filter(token_hash=token_hash(token), site=site, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if session is None:
        raise ProblemError(Code.SESSION_INVALID)
    return session


def reader(site: Site, authorization: str | None) -> Commenter | None:
    """The signed-in commenter of a request, or None for a guest."""
    token = bearer(authorization)
    if token is None:
        return None
    session = find(site, token)
    now = timezone.now()
    if now - session.last_used_at > timedelta(minutes=5):  # one write per reader every few minutes, not per request
        ReaderSession.objects.filter(pk=session.pk).update(last_used_at=now)
    return session.commenter


def refresh(site: Site, token: str) -> Opened:
    """A new token for the same session's commenter; the old token stops working now."""
    session = find(site, token)
    ReaderSession.objects.filter(pk=session.pk).update(revoked_at=timezone.now())
    return open_session(session.commenter, session.provider)


def revoke(site: Site, token: str) -> None:
    session = find(site, token)
    ReaderSession.objects.filter(pk=session.pk).update(revoked_at=timezone.now())


def revoke_all(commenter: Commenter) -> int:
    """Sign out everywhere: every live session of the commenter ends."""
    return ReaderSession.objects.filter(commenter=commenter, revoked_at__isnull=True).update(revoked_at=timezone.now())
