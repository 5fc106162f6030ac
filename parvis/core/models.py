"""The publisher (Site) and the per-site rules every other app reads."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.origins import normalise_origin


def validate_origins(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Allowed origins must be a list of origins such as https://www.example.com."))
    for item in value:
        if normalise_origin(item) is None:
            raise ValidationError(_("%(origin)s is not an origin (scheme://host[:port])."), params={"origin": item})


class ModerationMode(models.TextChoices):
    PRE = "pre", _("Pre-moderation: comments wait for approval")
    POST = "post", _("Post-moderation: comments appear at once")


class EmailRule(models.TextChoices):
    REQUIRED = "required", _("Required")
    OPTIONAL = "optional", _("Optional")


class CommentRule(models.TextChoices):
    """Who may comment, per site and per thread. Reading stays public whatever the rule (a closed thread is
    read-only for everyone)."""

    ANYONE = "anyone", _("Anyone, guests included")
    SIGNED_IN = "signed_in", _("Signed-in readers")
    SUBSCRIBERS = "subscribers", _("Subscribers")
    STAFF = "staff", _("Staff only")


class Site(models.Model):
    """A publisher: the rules its readers' comments follow and the origins that may embed them."""

    slug = models.SlugField(max_length=50, unique=True, help_text=_("Used in the embed code: data-parvis-site."))
    name = models.CharField(max_length=200)
    allowed_origins = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_origins],
        help_text=_('Origins of the publisher\'s pages, e.g. ["https://www.example.com"].'),
    )
    default_language = models.CharField(max_length=8, default="fr")
    moderation_mode = models.CharField(max_length=4, choices=ModerationMode.choices, default=ModerationMode.POST)
    edit_window = models.PositiveIntegerField(
        default=900,
        validators=[MaxValueValidator(7 * 24 * 3600)],
        help_text=_("Seconds during which a guest may edit or delete their own comment."),
    )
    max_comment_length = models.PositiveIntegerField(
        default=5000, validators=[MinValueValidator(100), MaxValueValidator(20000)]
    )
    who_may_comment = models.CharField(max_length=12, choices=CommentRule.choices, default=CommentRule.ANYONE)
    guest_name_required = models.BooleanField(default=True)
    guest_email = models.CharField(max_length=8, choices=EmailRule.choices, default=EmailRule.OPTIONAL)
    policy_text = models.TextField(blank=True)
    policy_url = models.URLField(max_length=2000, blank=True)
    privacy_text = models.TextField(blank=True)
    privacy_url = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def edit_delta(self) -> timedelta:
        return timedelta(seconds=self.edit_window)

    def origin_allowed(self, origin: str) -> bool:
        """Exact comparison of normalised origins: a look-alike or a sub-domain is not the same origin."""
        wanted = normalise_origin(origin)
        return wanted is not None and wanted in {normalise_origin(item) for item in self.allowed_origins}

    def url_allowed(self, url: str) -> bool:
        return self.origin_allowed(url)


class RateCounter(models.Model):
    """One rate-limit window's count (see parvis.core.ratelimit)."""

    bucket = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.bucket}={self.count}"
