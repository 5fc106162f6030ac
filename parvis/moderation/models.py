"""What moderation stores: the site's policy (versioned), each decision with its reasons, readers' appeals,
moderators' decisions as training examples, each site's own model versions, API keys for the
Perspective-compatible endpoint, and the audit log."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.comments.models import Comment
from parvis.core.models import Site
from parvis.threads.models import Thread


class Action(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    HOLD = "hold", _("Hold for review")
    REJECT = "reject", _("Reject")
    SPAM = "spam", _("Reject as spam")


class Stage(models.TextChoices):
    SYNC = "sync", _("On posting")
    ASYNC = "async", _("Second opinion (sentence encoder)")
    MODERATOR = "moderator", _("Moderator")


class Policy(models.Model):
    """One version of a site's moderation policy. The newest version is in force; older ones are kept so every
    decision can be traced to the rules that made it, and a change can be undone by saving an older config."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="policies")
    version = models.PositiveIntegerField()
    config = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name_plural = "policies"
        constraints = [models.UniqueConstraint(fields=["site", "version"], name="policy_version_once_per_site")]

    def __str__(self) -> str:
        return f"{self.site} policy v{self.version}"


class Decision(models.Model):
    """A verdict on one version of a comment: the action, every category's score and the reasons behind it."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="decisions")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    action = models.CharField(max_length=8, choices=Action.choices)
    policy_version = models.PositiveIntegerField(default=0)
    # {"category": score}, and [{"rule", "category", "score", "reason", "spans": [[start, end], ...]}]
    scores = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)
    # The categories that decided the action (what the author is told).
    categories = models.JSONField(default=list)
    language = models.CharField(max_length=8, blank=True)
    # The shipped model could not be loaded: rules alone decided, and the comment was held.
    degraded = models.BooleanField(default=False)
    site_model_version = models.PositiveIntegerField(default=0)
    duration_ms = models.FloatField(default=0.0)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["comment", "-created_at"], name="decision_latest")]

    def __str__(self) -> str:
        return f"{self.action} #{self.comment_id} ({self.stage})"


class Appeal(models.Model):
    """A held or rejected author asking a person to look again."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="appeal")
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Action.choices, blank=True)

    def __str__(self) -> str:
        return f"appeal on #{self.comment_id}"


class Example(models.Model):
    """A moderator's decision kept as a labelled example for the site's own model.

    It keeps the matching key (normalised text), not the comment, so deleting a commenter's comments (a data
    request) does not silently remove what the moderators taught; the key is deleted with the comment all the same
    when the commenter asks (on_delete=CASCADE).
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="moderation_examples")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    key = models.TextField()
    language = models.CharField(max_length=8, blank=True)
    # {"category": 0 or 1}; "spam" for spam, the reason's category for a rejection, all 0 for an approval.
    labels = models.JSONField()
    # The engine's scores for the text (without the site model): what the site model learns to correct.
    base = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"example {self.pk} for {self.site}"


class SiteModelState(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")
    REFUSED = "refused", _("Refused (scored worse)")


class SiteModel(models.Model):
    """One version of a site's own model, learnt from its moderators' decisions."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="site_models")
    version = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=SiteModelState.choices, default=SiteModelState.CANDIDATE)
    weights = models.BinaryField()
    examples = models.PositiveIntegerField(default=0)
    # {"held_out": n, "auc": {"category": value}, "previous_auc": {...}}
    metrics = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "version"], name="site_model_version_once")]

    def __str__(self) -> str:
        return f"{self.site} model v{self.version} ({self.state})"


class ApiKey(models.Model):
    """A key for the Perspective-compatible endpoint; only its hash is stored."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="api_keys")
    label = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"


class AuditEntry(models.Model):
    """Who changed what, when: policy versions, surge switches, model promotions and rollbacks, decisions."""

    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # "system" for automatic changes, a user's name otherwise (kept when the user is deleted).
    actor_label = models.CharField(max_length=150, default="system")
    action = models.CharField(max_length=50, db_index=True)
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class Fingerprint(models.Model):
    """MinHash LSH bands of a comment's text: comments sharing a band are near-duplicates (copy-paste campaigns)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    band = models.BigIntegerField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["site", "band", "created_at"], name="fingerprint_band")]

    def __str__(self) -> str:
        return f"band {self.band} of #{self.comment_id}"


class ListKind(models.TextChoices):
    BLOCK = "block", _("Block")
    ALLOW = "allow", _("Allow")


class ListMatch(models.TextChoices):
    WORD = "word", _("Word or phrase")
    LINK = "link", _("Link (domain)")
    REGEX = "regex", _("Regular expression")


class ListEntry(models.Model):
    """One entry of a site's own block or allow list (`parvis.moderation.rules.lists` applies them).

    A block entry holds or rejects the comments it matches, optionally as one of the policy's categories; an allow
    entry exempts a word (a place name that looks like a slur) or a domain (the newsroom's own) from the lexicon
    and link findings. Words are matched on the normalised key like the lexicons, domains with their subdomains,
    regular expressions on the text as written (checked on save so none can backtrack for long).
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="list_entries")
    kind = models.CharField(max_length=5, choices=ListKind.choices)
    match = models.CharField(max_length=5, choices=ListMatch.choices)
    value = models.CharField(max_length=200)
    # Block entries only: hold for review or reject.
    action = models.CharField(max_length=8, choices=Action.choices, blank=True)
    category = models.CharField(max_length=40, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "list entries"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["site", "kind", "match", "value"], name="list_entry_once_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.match} {self.value!r} on {self.site}"
