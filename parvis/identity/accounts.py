"""The one door every sign-in provider ends at: a verified subject becomes a commenter and a session.

Identities are matched by (provider, subject) only, never by email: a publisher token or an OpenID account that
claims another person's address gets its own commenter, not theirs, so changing one's email cannot take over
anyone's profile or comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from parvis.accounts.models import Commenter
from parvis.core.models import Site
from parvis.identity.models import Identity
from parvis.identity.sessions import Opened, open_session
from parvis.threads.versions import raise_for_commenter

ROLE_MAX = 40
ROLES_MAX = 20


@dataclass(frozen=True)
class Claims:
    """What a provider vouches for. Empty fields leave what Parvis already holds."""

    name: str = ""
    email: str = ""
    avatar_url: str = ""
    roles: tuple[str, ...] = field(default_factory=tuple)


def clean_roles(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = raw.split()
    if not isinstance(raw, list | tuple):
        return ()
    return tuple(sorted({role.strip().lower()[:ROLE_MAX] for role in raw if isinstance(role, str) and role.strip()}))[
        :ROLES_MAX
    ]


def from_token(name: str, email: str, picture: str, roles: object) -> Claims:
    """Claims from what a provider's token says (its texts already cleaned): an address only if it looks like one,
    lower-cased; an avatar only over https; roles as ``clean_roles`` keeps them."""
    email = email.lower()
    return Claims(
        name=name,
        email=email if "@" in email else "",
        avatar_url=picture if picture.startswith("https://") else "",
        roles=clean_roles(roles),
    )


def sign_in(site: Site, provider: str, subject: str, claims: Claims) -> tuple[Commenter, Opened]:
    """The commenter of ``subject`` at ``provider`` (created on first sign-in, updated from the claims on every
    one) and a new session for them."""
    with transaction.atomic():
        identity = (
            Identity.objects.select_related("commenter")
            .select_for_update()
            .filter(site=site, provider=provider, subject=subject)
            .first()
        )
        if identity is None:
            commenter = Commenter.objects.create(
                site=site,
                name=claims.name or _fallback_name(claims),
                email=claims.email,
                avatar_url=claims.avatar_url,
                roles=list(claims.roles),
                verified=True,
            )
            Identity.objects.create(site=site, commenter=commenter, provider=provider, subject=subject)
        else:
            commenter = identity.commenter
            _update(commenter, claims, provider)
            Identity.objects.filter(pk=identity.pk).update(last_seen_at=timezone.now())
        return commenter, open_session(commenter, provider)


def _fallback_name(claims: Claims) -> str:
    return claims.email.partition("@")[0][:64] if claims.email else ""


def _update(commenter: Commenter, claims: Claims, provider: str) -> None:
    changed: dict[str, object] = {"verified": True}
    # The publisher and its identity provider own the name they send; an email link sends none, so the name the
    # reader chose stays.
    if claims.name:
        changed["name"] = claims.name
    if claims.email:
        changed["email"] = claims.email
    if claims.avatar_url:
        changed["avatar_url"] = claims.avatar_url
    if provider != "email":
        changed["roles"] = list(claims.roles)
    visible = any(getattr(commenter, key) != value for key, value in changed.items() if key in ("name", "verified"))
    for key, value in changed.items():
        setattr(commenter, key, value)
    commenter.save(update_fields=list(changed))
    if visible:
        raise_for_commenter(commenter)
