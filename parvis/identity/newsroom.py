"""What the newsroom does to a reader's identity from the dashboard: give or take a badge (staff, journalist),
and sign them out on every device. Owners only: a badge lets its holder comment on staff-only threads and makes
their name one no reader may take (parvis.identity.names). Each change is in the audit log."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from parvis.accounts.models import Badge, Commenter
from parvis.dashboard.models import Role
from parvis.dashboard.permissions import require_role
from parvis.identity.sessions import revoke_all
from parvis.moderation.models import AuditEntry
from parvis.threads.versions import raise_for_commenter

BADGE_SET, SIGNED_OUT = "commenter.badge", "commenter.signed_out_everywhere"


def _audit(commenter: Commenter, actor: Any, action: str, **details: Any) -> None:
    AuditEntry.objects.create(
        site_id=commenter.site_id,
        actor=actor,
        actor_label=actor.get_username(),
        action=action,
        details={"commenter": commenter.pk, "name": commenter.name, **details},
    )


def set_badge(commenter: Commenter, badge: str, *, actor: Any) -> bool:
    """Give ``badge`` ("" takes it away); every thread showing their comments shows it at the next read."""
    require_role(actor, commenter.site, (Role.OWNER,))
    badge = Badge(badge).value
    with transaction.atomic():
        before = Commenter.objects.select_for_update().values_list("badge", flat=True).get(pk=commenter.pk)
        if before == badge:
            return False
        commenter.badge = badge
        commenter.save(update_fields=["badge"])
        raise_for_commenter(commenter)
        _audit(commenter, actor, BADGE_SET, badge={"before": before, "after": badge})
    return True


def sign_out_everywhere(commenter: Commenter, *, actor: Any) -> int:
    """End every session of the commenter (a lost phone, a compromised account): their widgets fall back to the
    guest view and ask them to sign in again."""
    require_role(actor, commenter.site, (Role.OWNER, Role.MODERATOR))
    with transaction.atomic():
        ended = revoke_all(commenter)
        _audit(commenter, actor, SIGNED_OUT, sessions=ended)
    return ended
