"""Signed links in emails: confirm a subscription, remove one, manage an address's subscriptions.

Each token is signed with the server secret and a purpose of its own (a confirmation token cannot be used to
unsubscribe, nor the reverse), and carries the keyed hash of the address it was made for: a token for one
subscription or address cannot act on another. Confirmation links expire; removal links do not, because an
email read months later must still let its reader leave in one click.

An unsubscribe token names one subscription, or none: the daily digest's link, which gathers several daily
subscriptions, removes every daily subscription of its address on its site (and leaves the instant ones).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

from parvis import conf

_CONFIRM = "parvis.notifications.confirm"
_UNSUBSCRIBE = "parvis.notifications.unsubscribe"
_MANAGE = "parvis.notifications.manage"


class TokenError(Exception):
    """The token is malformed, forged, made for something else, or expired."""


@dataclass(frozen=True)
class Claim:
    site_id: int
    address_key: str
    subscription_id: int | None = None


def _make(salt: str, claim: Claim) -> str:
    return signing.dumps([claim.site_id, claim.address_key, claim.subscription_id], salt=salt, compress=False)


def _read(salt: str, token: str, max_age: int | None = None) -> Claim:
    if not token or len(token) > 500:
        raise TokenError("no token")
    try:
        site_id, key, subscription_id = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise TokenError("expired") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise TokenError("invalid") from error
    if not isinstance(site_id, int) or not isinstance(key, str) or not isinstance(subscription_id, int | None):
        raise TokenError("invalid")
    return Claim(site_id, key, subscription_id)


def confirm_token(site_id: int, address_key: str, subscription_id: int) -> str:
    return _make(_CONFIRM, Claim(site_id, address_key, subscription_id))


def read_confirm(token: str) -> Claim:
    return _read(_CONFIRM, token, max_age=conf.email_confirm_days() * 86400)


def unsubscribe_token(site_id: int, address_key: str, subscription_id: int) -> str:
    return _make(_UNSUBSCRIBE, Claim(site_id, address_key, subscription_id))


def digest_unsubscribe_token(site_id: int, address_key: str) -> str:
    """Leave the daily digest: every daily subscription of the address on the site."""
    return _make(_UNSUBSCRIBE, Claim(site_id, address_key, None))


def read_unsubscribe(token: str) -> Claim:
    return _read(_UNSUBSCRIBE, token)


def manage_token(site_id: int, address_key: str) -> str:
    return _make(_MANAGE, Claim(site_id, address_key))


def read_manage(token: str) -> Claim:
    return _read(_MANAGE, token)
