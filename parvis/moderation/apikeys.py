"""API keys for the Perspective-compatible endpoint: issued once, stored only as a hash, revoked by prefix.

A key is 32 random bytes, so a plain SHA-256 is enough to store it: nobody can guess their way back to it,
and unlike a key derived from SECRET_KEY it survives a rotation of that secret. The short prefix is kept in
clear so an operator can tell keys apart in `list` and name the one to `revoke` without ever seeing it again.
Creating and revoking a key are written to the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from parvis.core.models import Site
from parvis.moderation.models import ApiKey, AuditEntry

# Marks a Parvis key in logs and for secret scanners; the prefix shown to operators follows it.
MARKER = "pvk_"
PREFIX_LENGTH = 8
MAX_KEY_LENGTH = 200
# last_used_at is a hint for operators ("is this key still in use?"), not an access log: writing it at most
# once a minute keeps a busy client from costing a database write per request.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class Issued:
    """A new key: the stored row, and the secret itself, which is shown once and never stored."""

    record: ApiKey
    secret: str


class KeyNotFound(LookupError):
    """No key, or more than one, has this prefix."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(site: Site, label: str, *, actor_label: str = "system") -> Issued:
    """Issue a new key for ``site``; the returned secret is the only copy there will ever be."""
    label = label.strip()[:100]
    with transaction.atomic():
        while True:
            body = secrets.token_urlsafe(32)
            prefix = body[:PREFIX_LENGTH]
            # Prefixes name keys on the command line, so they must be unique among all keys, and not start with
            # "-", which `revoke` would read as an option (one key in 64 did).
            if not prefix.startswith("-") and not ApiKey.objects.filter(prefix=prefix).exists():
                break
        secret = MARKER + body
        record = ApiKey.objects.create(site=site, label=label, prefix=prefix, key_hash=digest(secret))
        AuditEntry.objects.create(
            site=site, actor_label=actor_label, action="apikey.created", details={"prefix": prefix, "label": label}
        )
    return Issued(record=record, secret=secret)


def verify(secret: str) -> ApiKey | None:
    """The live key ``secret`` stands for, or None (unknown, revoked, or not shaped like a key)."""
    if not secret.startswith(MARKER) or len(secret) > MAX_KEY_LENGTH:
        return None
    record = ApiKey.objects.select_related("site").filter(key_hash=digest(secret), revoked=False).first()
    if record is None:
        return None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
    return record


def keys(site: Site) -> list[ApiKey]:
    return list(ApiKey.objects.filter(site=site).order_by("created_at", "pk"))


def revoke(prefix: str, *, actor_label: str = "system") -> ApiKey:
    """Revoke the key with this prefix (a marker in front is tolerated); revoking twice is harmless."""
    prefix = prefix.removeprefix(MARKER)[:PREFIX_LENGTH]
    with transaction.atomic():
        found = list(ApiKey.objects.select_for_update().filter(prefix=prefix)[:2]) if prefix else []
        if len(found) != 1:
            raise KeyNotFound(prefix)
        record = found[0]
        if not record.revoked:
            record.revoked = True
            record.save(update_fields=["revoked"])
            AuditEntry.objects.create(
                site=record.site,
                actor_label=actor_label,
                action="apikey.revoked",
                details={"prefix": record.prefix, "label": record.label},
            )
    return record
