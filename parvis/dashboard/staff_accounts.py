"""Actions on staff accounts: the second factor (enrol, confirm, check a code at sign-in, disable, reset), the
password change, and a site's rule that its owners must have a second factor.

Each action locks the factor row, so two requests with the same code (a double click, a replay) are ordered and
the second one sees the step the first one used. Enabling, disabling, resetting, using a recovery code, being
locked out and changing one's password write an `AuditEntry` with ``site=None``: a staff account is not a site's
(one person may hold roles on several), so the entry belongs to the account; ``details`` names the account and the
sites it held a role on at the time, so a site's owner can still find what concerns their staff. The bookkeeping
of an accepted or refused code at sign-in (``last_step``, ``failures``) is not audited, like an API key's last
use: only its consequences are.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from parvis.core.models import Site
from parvis.dashboard import totp
from parvis.dashboard.models import Membership, RecoveryCode, Role, SecondFactor, SiteSecurity
from parvis.dashboard.permissions import require_role
from parvis.moderation.models import AuditEntry

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=5)
RECOVERY_CODES = 10
# Lower-case letters and digits without the ones people misread (0/o, 1/l/i): 10 of them carry about 49 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10
ISSUER = "Parvis"


class SecondFactorError(Exception):
    """An action that does not apply to the factor as it is (enabling twice, disabling none); carries the reason."""


@dataclass(frozen=True)
class Verdict:
    """Whether a typed code was accepted, and the reason to show when it was not."""

    accepted: bool
    reason: str = ""
    locked: bool = False
    recovery_used: bool = False
    recovery_codes: list[str] = field(default_factory=list)


def enabled_factor(user: Any) -> SecondFactor | None:
    """``user``'s confirmed second factor, if any."""
    if not getattr(user, "pk", None):
        return None
    return SecondFactor.objects.filter(user=user, enabled_at__isnull=False).first()


def pending_factor(user: Any) -> SecondFactor | None:
    """The factor ``user`` started to enrol and has not confirmed yet."""
    return SecondFactor.objects.filter(user=user, enabled_at__isnull=True).first()


def provisioning_uri(user: Any, factor: SecondFactor) -> str:
    return totp.provisioning_uri(factor.secret, user.get_username(), ISSUER)


def recovery_hash(code: str) -> str:
    """Keyed with the secret key, so a copy of the database alone does not let anyone try codes offline."""
    return salted_hmac(
        "parvis.dashboard.recovery-code", totp.normalised_code(code).lower(), algorithm="sha256"
    ).hexdigest()


def new_recovery_code() -> str:
    body = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{body[:5]}-{body[5:]}"


def _audit(actor: Any, action: str, subject: Any, **details: Any) -> None:
    sites = sorted(Membership.objects.filter(user=subject).values_list("site__slug", flat=True))
    AuditEntry.objects.create(
        site=None,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor.get_username() if getattr(actor, "pk", None) else "system",
        action=action,
        details={"user": subject.get_username(), "sites": sites, **details},
    )


def _now(when: datetime | None) -> datetime:
    return when or timezone.now()


def start_enrolment(user: Any, *, now: datetime | None = None) -> SecondFactor:
    """A new secret for ``user`` to add to their authenticator; it counts only once a code confirms it.

    Starting again replaces a pending secret (a fresh QR scan) but keeps its failure count and lockout.
    """
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=user).first()
        if factor is not None and factor.enabled_at is not None:
            raise SecondFactorError(_("A second factor is already enabled; disable it first."))
        if factor is None:
            factor = SecondFactor.objects.create(user=user, secret=totp.new_secret())
        else:
            factor.secret = totp.new_secret()
            factor.last_step = -1
            factor.save(update_fields=["secret", "last_step"])
        _audit(user, "totp.enrolment_started", user)
    return factor


def _locked_reason(until: datetime, now: datetime) -> str:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return _("Too many wrong codes. Try again in %(minutes)d minutes.") % {"minutes": minutes}


def _check(factor: SecondFactor, typed: str, now: datetime, *, allow_recovery: bool) -> Verdict:
    """Check ``typed`` against the locked ``factor`` row and record the outcome (step used, failure, lockout)."""
    if factor.locked_until is not None and factor.locked_until > now:
        return Verdict(False, _locked_reason(factor.locked_until, now), locked=True)
    when = now.timestamp()
    step = totp.matching_step(factor.secret, typed, when, after=factor.last_step)
    if step is not None:
        factor.last_step, factor.failures, factor.locked_until = step, 0, None
        factor.save(update_fields=["last_step", "failures", "locked_until"])
        return Verdict(True)
    if allow_recovery and len(totp.normalised_code(typed)) == RECOVERY_LENGTH:
        code = factor.recovery_codes.filter(code_hash=recovery_hash(typed), used_at__isnull=True).first()
        if code is not None:
            code.used_at = now
            code.save(update_fields=["used_at"])
            factor.failures, factor.locked_until = 0, None
            factor.save(update_fields=["failures", "locked_until"])
            left = factor.recovery_codes.filter(used_at__isnull=True).count()
            _audit(factor.user, "totp.recovery_code_used", factor.user, left=left)
            return Verdict(True, recovery_used=True)
    replayed = totp.matching_step(factor.secret, typed, when) is not None
    factor.failures += 1
    if factor.failures >= MAX_FAILURES:
        factor.failures, factor.locked_until = 0, now + LOCKOUT
        factor.save(update_fields=["failures", "locked_until"])
        _audit(factor.user, "totp.locked_out", factor.user, minutes=int(LOCKOUT.total_seconds() // 60))
        return Verdict(False, _locked_reason(factor.locked_until, now), locked=True)
    factor.save(update_fields=["failures"])
    if replayed:
        return Verdict(False, _("This code has already been used. Wait for the next one."))
    return Verdict(False, _("Wrong code."))


def confirm_enrolment(user: Any, typed: str, *, now: datetime | None = None) -> Verdict:
    """Enable ``user``'s pending factor if ``typed`` is its current code; the verdict carries the recovery codes.

    The codes are returned once, here, and only their hashes are kept.
    """
    now = _now(now)
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=user).first()
        if factor is None or factor.enabled_at is not None:
            raise SecondFactorError(_("There is no second factor waiting for confirmation."))
        verdict = _check(factor, typed, now, allow_recovery=False)
        if not verdict.accepted:
            return verdict
        factor.enabled_at = now
        factor.save(update_fields=["enabled_at"])
        codes = _replace_recovery_codes(factor)
        _audit(user, "totp.enabled", user, before={"enabled": False}, after={"enabled": True})
    return Verdict(True, recovery_codes=codes)


def _replace_recovery_codes(factor: SecondFactor) -> list[str]:
    factor.recovery_codes.all().delete()
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODES:
        codes.add(new_recovery_code())
    RecoveryCode.objects.bulk_create(RecoveryCode(factor=factor, code_hash=recovery_hash(code)) for code in codes)
    return sorted(codes)


def verify_login(user: Any, typed: str, *, now: datetime | None = None) -> Verdict:
    """The second step of signing in: ``typed`` is a current code or an unused recovery code of ``user``."""
    now = _now(now)
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=user, enabled_at__isnull=False).first()
        if factor is None:
            raise SecondFactorError(_("This account has no second factor."))
        return _check(factor, typed, now, allow_recovery=True)


def disable(user: Any, typed: str, *, now: datetime | None = None) -> Verdict:
    """Remove ``user``'s factor and its recovery codes, proven by a current code (or a recovery code: the phone
    may be what was lost)."""
    now = _now(now)
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=user, enabled_at__isnull=False).first()
        if factor is None:
            raise SecondFactorError(_("This account has no second factor."))
        verdict = _check(factor, typed, now, allow_recovery=True)
        if verdict.accepted:
            factor.delete()
            _audit(user, "totp.disabled", user, before={"enabled": True}, after={"enabled": False})
    return verdict


def reset(subject: Any, *, actor: Any) -> bool:
    """An administrator removes ``subject``'s factor (phone and recovery codes lost); False when there was none."""
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=subject).first()
        if factor is None:
            return False
        enabled = factor.enabled_at is not None
        factor.delete()
        _audit(actor, "totp.reset", subject, before={"enabled": enabled}, after={"enabled": False})
    return True


def change_password(form: PasswordChangeForm) -> Any:
    """Save a valid password change form (it has checked the old password) and note it in the audit log."""
    with transaction.atomic():
        user = form.save()
        _audit(user, "account.password_changed", user)
    return user


def required_for_owners(site: Site) -> bool:
    return SiteSecurity.objects.filter(site=site, require_totp_for_owners=True).exists()


def set_required_for_owners(site: Site, required: bool, *, actor: Any) -> SiteSecurity:
    """Turn on or off the rule that ``site``'s owners sign in with a second factor (only an owner may)."""
    require_role(actor, site, [Role.OWNER])
    with transaction.atomic():
        security, _created = SiteSecurity.objects.select_for_update().get_or_create(site=site)
        before = security.require_totp_for_owners
        if before != required:
            security.require_totp_for_owners = required
            security.save(update_fields=["require_totp_for_owners"])
            AuditEntry.objects.create(
                site=site,
                actor=actor,
                actor_label=actor.get_username(),
                action="site.require_totp_for_owners",
                details={"before": before, "after": required},
            )
    return security
