"""Banning someone from commenting on a site, and lifting the ban: the one place bans are made and ended.

Each action checks that the actor may moderate the site, writes the ban, and records an audit entry with the ban
before and after, whichever door it came through (the dashboard's ban page, the queue's `b` key, a script).
What is banned is described by a `BanTarget`, built either from a comment (its commenter, email, or the hashes of
the address and network it was sent from: the moderator never sees a clear address) or from what a moderator
typed — an address or a network is then hashed exactly as `parvis.core.clients.fingerprint` hashes the sender of
a comment, or the ban would never match.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.accounts.models import Ban, BanKind, Commenter
from parvis.comments.models import Comment
from parvis.core.clients import keyed_hash, network_of
from parvis.core.models import Site
from parvis.dashboard.models import DECIDING_ROLES
from parvis.dashboard.permissions import role_on
from parvis.moderation.models import AuditEntry

# A ban with an end date longer than this is almost certainly a typo (year 2206); "for good" says it plainly.
MAX_DURATION = timedelta(days=3 * 366)
REASON_MAX = 300
# Networks are hashed by these prefixes (`core.clients.network_of`); a ban can name exactly one such network.
NETWORK_PREFIX = {4: 24, 6: 48}


class BanError(ValueError):
    """A ban that cannot be made as asked; ``field`` names the form field at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class BanTarget:
    kind: str
    value: str
    label: str


def _require_moderator(actor: Any, site: Site) -> None:
    if role_on(actor, site) not in DECIDING_ROLES:
        raise PermissionDenied


def target_from_comment(comment: Comment, kind: str) -> BanTarget:
    """Who sent ``comment``, as ``kind`` names them; BanError when the comment has no such trace."""
    number = comment.pk
    if kind == BanKind.COMMENTER and comment.commenter_id:
        name = comment.commenter.name if comment.commenter else comment.author_name
        return BanTarget(kind, str(comment.commenter_id), f"{name} (commenter #{comment.commenter_id})")
    if kind == BanKind.EMAIL and comment.commenter_id and comment.commenter and comment.commenter.email:
        email = comment.commenter.email.lower()
        return BanTarget(kind, email, email)
    if kind == BanKind.IP and comment.ip_hash:
        return BanTarget(kind, comment.ip_hash, _("the address comment #%(number)s was sent from") % {"number": number})
    if kind == BanKind.NETWORK and comment.network_hash:
        return BanTarget(
            kind, comment.network_hash, _("the network comment #%(number)s was sent from") % {"number": number}
        )
    raise BanError("kind", _("This comment has nothing to ban by that."))


def target_typed(site: Site, kind: str, raw: str) -> BanTarget:
    """What a moderator typed on the ban page: a commenter's number, an email, an address or a network."""
    raw = raw.strip()
    if not raw:
        raise BanError("value", _("Say whom to ban."))
    if kind == BanKind.COMMENTER:
        commenter = (
            Commenter.objects.filter(site=site, pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
        )
        if commenter is None:
            raise BanError("value", _("No commenter of this site has that number."))
        return BanTarget(kind, str(commenter.pk), f"{commenter.name} (commenter #{commenter.pk})")
    if kind == BanKind.EMAIL:
        try:
            validate_email(raw)
        except ValidationError:
            raise BanError("value", _("This is not a valid email address.")) from None
        return BanTarget(kind, raw.lower(), raw.lower())
    if kind == BanKind.IP:
        try:
            address = ipaddress.ip_address(raw.strip("[]"))
        except ValueError:
            raise BanError("value", _("This is not an IP address.")) from None
        # Hashed as the sender of a comment is; the clear address is not kept (the label does not repeat it).
        return BanTarget(kind, keyed_hash(f"ip:{address}"), _("an address typed by a moderator"))
    if kind == BanKind.NETWORK:
        return BanTarget(kind, keyed_hash(f"net:{_network(raw)}"), _("a network typed by a moderator"))
    raise BanError("kind", _("Unknown kind of ban."))


def _network(raw: str) -> str:
    """The /24 or /48 network ``raw`` names, as `network_of` writes it; a broader or narrower range is refused,
    since bans match one hashed network and could neither cover a wider range nor stop at a narrower one."""
    if "/" not in raw:
        try:
            return network_of(str(ipaddress.ip_address(raw.strip("[]"))))
        except ValueError:
            raise BanError("value", _("This is not an IP address or a network.")) from None
    try:
        network = ipaddress.ip_network(raw, strict=False)
    except ValueError:
        raise BanError("value", _("This is not a network (e.g. 203.0.113.0/24).")) from None
    wanted = NETWORK_PREFIX[network.version]
    if network.prefixlen < wanted:
        raise BanError(
            "value",
            _("This network is broader than /%(prefix)s: bans match one /%(prefix)s at a time.") % {"prefix": wanted},
        )
    if network.prefixlen > wanted:
        raise BanError(
            "value",
            _("Networks are banned as a whole /%(prefix)s: write the /%(prefix)s or ban the single address.")
            % {"prefix": wanted},
        )
    return str(network)


def _snapshot(ban: Ban) -> dict[str, Any]:
    return {
        "id": ban.pk,
        "kind": ban.kind,
        "value": ban.value,
        "label": ban.label,
        "shadow": ban.shadow,
        "until": ban.until.isoformat() if ban.until else None,
        "reason": ban.reason,
        "lifted_at": ban.lifted_at.isoformat() if ban.lifted_at else None,
    }


def _audit(actor: Any, ban: Ban, action: str, before: dict[str, Any] | None) -> None:
    AuditEntry.objects.create(
        site=ban.site,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=getattr(actor, "username", "") or "system",
        action=action,
        comment_id=ban.comment_id,
        thread_id=ban.comment.thread_id if ban.comment_id and ban.comment else None,
        details={"before": before, "after": _snapshot(ban)},
    )


def ban(
    actor: Any,
    site: Site,
    target: BanTarget,
    *,
    until: datetime | None,
    shadow: bool = False,
    reason: str = "",
    comment: Comment | None = None,
) -> Ban:
    """Stop ``target`` commenting on ``site`` until ``until`` (None: for good), visibly or as a shadow ban."""
    _require_moderator(actor, site)
    now = timezone.now()
    if until is not None and until <= now:
        raise BanError("until", _("The end date is in the past."))
    if until is not None and until - now > MAX_DURATION:
        raise BanError("until", _("A ban longer than three years: choose “for good” instead."))
    if len(reason) > REASON_MAX:
        raise BanError("reason", _("The reason is longer than 300 characters."))
    if comment is not None and comment.thread.site_id != site.pk:
        raise BanError("comment", _("This comment belongs to another site."))
    with transaction.atomic():
        made = Ban.objects.create(
            site=site,
            kind=target.kind,
            value=target.value,
            label=target.label[:300],
            shadow=shadow,
            until=until,
            reason=reason.strip(),
            created_by=actor if getattr(actor, "pk", None) else None,
            comment=comment,
        )
        _audit(actor, made, "ban.create", None)
    return made


def lift_ban(actor: Any, banned: Ban) -> Ban:
    """End a ban now; the ban is kept (lifted) so the list still shows who was banned, when and by whom."""
    _require_moderator(actor, banned.site)
    with transaction.atomic():
        # Only the ban's row is locked: PostgreSQL cannot lock the nullable side of the join to its comment.
        locked = Ban.objects.select_for_update(of=("self",)).select_related("site", "comment").get(pk=banned.pk)
        if locked.lifted_at is not None:
            raise BanError("ban", _("This ban was already lifted."))
        before = _snapshot(locked)
        locked.lifted_at = timezone.now()
        locked.lifted_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["lifted_at", "lifted_by"])
        _audit(actor, locked, "ban.lift", before)
    return locked
