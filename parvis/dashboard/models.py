"""Who may moderate which site, their second factor, and the per-comment index the moderation queue sorts on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.comments.models import Comment
from parvis.core.models import Site


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MODERATOR = "moderator", _("Moderator")
    JOURNALIST = "journalist", _("Journalist (reads the queue, cannot decide)")


# The roles that may decide on a comment; a journalist reads the queue to follow the discussion, nothing more.
DECIDING_ROLES = (Role.OWNER, Role.MODERATOR)
ALL_ROLES = (Role.OWNER, Role.MODERATOR, Role.JOURNALIST)


class Membership(models.Model):
    """A staff member's role on one site. Staff see only the sites they belong to (superusers see every site)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "site"], name="membership_once_per_site")]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} of {self.site}"


class QueueIndex(models.Model):
    """What the queue sorts and filters on for one comment, kept by a signal on each new Decision.

    The risk (the highest score of the latest automatic decision) lives inside a JSON object, and taking the
    maximum of a JSON object's values has no portable SQL form: storing it here makes "riskiest first" an indexed
    ORDER BY on SQLite and PostgreSQL alike. ``categories`` holds the latest decision's categories as
    ``,insult,threat,`` so a category filter is a portable ``contains``.
    """

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, primary_key=True, related_name="queue_index")
    risk = models.FloatField(default=0.0, db_index=True)
    categories = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "queue index"

    def __str__(self) -> str:
        return f"#{self.comment_id} risk {self.risk:.2f}"


class SecondFactor(models.Model):
    """A staff member's authenticator app (TOTP), pending until a first code confirms it.

    The secret is stored as it is: checking a code needs it. Database backups therefore hold it and deserve the same
    care as the secret key. ``last_step`` is the time step of the last accepted code: that step and every earlier
    one are refused, so a code works once. ``failures`` counts wrong codes since the last right one; at
    `staff_accounts.MAX_FAILURES` the factor is locked until ``locked_until`` (counted here, in the database, so
    every server process sees the same count).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor")
    secret = models.CharField(max_length=64)
    enabled_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=-1)
    failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"second factor of {self.user} ({'enabled' if self.enabled_at else 'pending'})"


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator (a lost phone); only its keyed hash is stored."""

    factor = models.ForeignKey(SecondFactor, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["factor", "code_hash"], name="recovery_code_once")]

    def __str__(self) -> str:
        return f"recovery code of {self.factor.user} ({'used' if self.used_at else 'unused'})"


class SiteSecurity(models.Model):
    """A site's rules for its staff accounts, set by its owners. No row means the defaults (nothing required)."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True, related_name="security")
    # When on, an owner of the site without an enabled second factor reaches only the enrolment page.
    require_totp_for_owners = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "site security"

    def __str__(self) -> str:
        return f"security of {self.site}"
