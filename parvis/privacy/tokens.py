"""The signed, expiring link that proves a reader owns an address: the only key to their data.

It is signed with the server secret under a purpose of its own (a subscription link cannot open it, nor the
reverse), names the site, the request row and the keyed hash of the address, and expires after
PARVIS_PRIVACY_LINK_HOURS. Every way it can fail has its own stable code: altered (``link_invalid``), too
old (``link_expired``, counted from the request), opened on another site's pages (``link_other_site``), already
used to erase (``link_used``).
"""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.utils import timezone

from parvis import conf
from parvis.core.exceptions import Code, ProblemError
from parvis.core.models import Site
from parvis.privacy.models import AccessRequest

_SALT = "parvis.privacy.access"
MAX_TOKEN = 500


def make(request: AccessRequest) -> str:
    return signing.dumps([request.site_id, request.pk, request.address_key], salt=_SALT, compress=False)


def expired(request: AccessRequest, now: datetime | None = None) -> bool:
    """The link's lifetime counts from the request, not from the signature: an email the outbox had to retry
    for a while does not carry a longer-lived link, and the retention task can delete rows the moment no link
    can name them any more."""
    age = (now or timezone.now()) - request.created_at
    return age.total_seconds() > conf.privacy_link_seconds()


def read(site: Site, token: str, now: datetime | None = None) -> AccessRequest:
    """The request ``token`` proves, on ``site``; ProblemError with the reason otherwise."""
    if not token or len(token) > MAX_TOKEN:
        raise ProblemError(Code.LINK_INVALID)
    try:
        site_id, request_id, key = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise ProblemError(Code.LINK_INVALID) from error
    if not isinstance(site_id, int) or not isinstance(request_id, int) or not isinstance(key, str):
        raise ProblemError(Code.LINK_INVALID)
    if site_id != site.pk:
        raise ProblemError(Code.LINK_OTHER_SITE)
    found = AccessRequest.objects.filter(pk=request_id, site=site, address_key=key).first()
    if found is None:
        # Signed by us but its row is gone: the retention task removed it after the link's lifetime.
        raise ProblemError(Code.LINK_EXPIRED)
    if found.erased_at is not None:
        raise ProblemError(Code.LINK_USED)
    if expired(found, now):
        raise ProblemError(Code.LINK_EXPIRED)
    return found
