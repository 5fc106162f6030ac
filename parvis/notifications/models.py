"""Subscriptions, the per-site email preferences, and the outbox every email goes through."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Site
from parvis.threads.models import Thread


class Kind(models.TextChoices):
    THREAD = "thread", _("New comments in a discussion")
    REPLIES = "replies", _("Replies to my comments")


class Frequency(models.TextChoices):
    INSTANT = "instant", _("As they come (grouped for busy discussions)")
    DAILY = "daily", _("Once a day")


class Subscription(models.Model):
    """One address's wish to hear about a thread (``thread`` set) or about replies to its comments on a site.

    Nothing but the confirmation email is ever sent before ``confirmed_at`` is set (double opt-in); removing a
    subscription deletes the row, so an address that left leaves nothing behind but the audit entry.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="subscriptions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.CharField(max_length=254)
    # A keyed hash of the lower-cased address: what signed links carry instead of the address itself.
    address_key = models.CharField(max_length=64, db_index=True)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.INSTANT)
    language = models.CharField(max_length=8, default="fr")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # For daily digests: comments published after this moment are in the next digest.
    digested_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["site", "address_key", "thread"], condition=Q(kind="thread"), name="subscription_thread_once"
            ),
            models.UniqueConstraint(
                fields=["site", "address_key"], condition=Q(kind="replies"), name="subscription_replies_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} subscription #{self.pk}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour such as #1a5fb4."))


class SiteEmailSettings(models.Model):
    """How a site's emails look, and when its staff are alerted (issue 5's optional email alerts)."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True, related_name="email_settings")
    accent_colour = models.CharField(max_length=7, default="#1a5fb4", validators=[_COLOUR])
    # Alert the site's owners and moderators when this many comments wait in the queue (0: never).
    queue_alert_threshold = models.PositiveIntegerField(default=0, validators=[MinValueValidator(0)])
    # Alert them when one comment has been reported this many times (0: never).
    report_alert_threshold = models.PositiveIntegerField(default=0, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name_plural = "site email settings"

    def __str__(self) -> str:
        return f"email settings of {self.site}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Given up")
    DROPPED = "dropped", _("Nothing left to send")


class OutboxMessage(models.Model):
    """One email to one address, written in the transaction of the event that causes it.

    ``key`` is unique: writing the same email twice (a retried task, a replayed event) is a no-op, and the
    Message-ID is derived from it, so a resend after a crash carries the same Message-ID. The text is rendered
    when the email is sent, from ``payload``: comments rejected in the meantime are left out.
    """

    key = models.CharField(max_length=200, unique=True)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    kind = models.CharField(max_length=20)
    recipient = models.CharField(max_length=254)
    language = models.CharField(max_length=8, default="fr")
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    # Not sent before this moment: a batch window, a retry's backoff, or the recipient's rate limit.
    send_after = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # Which worker process holds the email while it is being sent ("host:pid"), and since when.
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["status", "send_after"], name="outbox_due"),
            models.Index(fields=["recipient", "sent_at"], name="outbox_recipient_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to #{self.pk} ({self.status})"


class StaffAlertState(models.Model):
    """What staff were last alerted about on a site, so an alert is sent once per crossing, not per minute."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True, related_name="+")
    queue_alerted = models.BooleanField(default=False)
    reported_comment_ids = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"alert state of {self.site}"
