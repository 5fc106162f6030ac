"""Whether a ban stops a comment: checked on every post, before any text is scored."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from parvis.accounts.models import Ban, BanKind
from parvis.core.clients import ClientFingerprint
from parvis.core.models import Site


def active_ban(
    site: Site, client: ClientFingerprint, *, email: str = "", commenter_id: int | None = None
) -> Ban | None:
    """The ban in force against this sender, a visible one first (it answers the author); None if none."""
    wanted = Q(kind=BanKind.IP, value=client.ip_hash) | Q(kind=BanKind.NETWORK, value=client.network_hash)
    if email:
        wanted |= Q(kind=BanKind.EMAIL, value=email.lower())
    if commenter_id is not None:
        wanted |= Q(kind=BanKind.COMMENTER, value=str(commenter_id))
    now = timezone.now()
    return (
        Ban.objects.filter(wanted, site=site, lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .order_by("shadow", "-created_at")
        .first()
    )
