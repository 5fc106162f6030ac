"""People who comment. Guests are first-class: a Commenter needs no account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Site


class Badge(models.TextChoices):
    NONE = "", _("None")
    STAFF = "staff", _("Staff")
    JOURNALIST = "journalist", _("Journalist")


class Commenter(models.Model):
    """A guest identity on one site: the name others see, an optional private email, an optional website.

    The email is never exposed through the API or pages; it is kept for notifications and for the
    commenter's own data requests. Guests posting with the same name and email are grouped, but stay
    unverified until they prove the address.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="commenters")
    name = models.CharField(max_length=64)
    email = models.EmailField(max_length=254, blank=True)
    website = models.URLField(max_length=512, blank=True)
    verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by a sign-in provider (the publisher's token, its OpenID provider): e.g. ["subscriber"].
    roles = models.JSONField(default=list, blank=True)
    # Given by the newsroom in the dashboard; shown next to the name.
    badge = models.CharField(max_length=12, choices=Badge.choices, blank=True)
    avatar_url = models.URLField(max_length=512, blank=True)
    # The commenter's choice: their profile page lists their comments, or says only their name.
    profile_public = models.BooleanField(default=True)
    name_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["site", "email"])]

    def __str__(self) -> str:
        return self.name or f"guest #{self.pk}"


class BanKind(models.TextChoices):
    COMMENTER = "commenter", _("Commenter")
    EMAIL = "email", _("Email address")
    IP = "ip", _("Address (hashed)")
    NETWORK = "network", _("Network (hashed /24 or /48)")


class Ban(models.Model):
    """A person (or an address, or a network) who may no longer comment on a site, for a while or for good.

    A visible ban refuses their comments with `banned`; a shadow ban accepts them but keeps them hidden from
    everyone else (the author still sees their own comments, as waiting), so a troll does not simply start over
    under a new name. The value is the commenter's id, a lower-cased email, or the keyed hash Parvis stores for an
    address or a network — never a clear IP.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="bans")
    kind = models.CharField(max_length=10, choices=BanKind.choices)
    value = models.CharField(max_length=254)
    shadow = models.BooleanField(default=False)
    until = models.DateTimeField(null=True, blank=True, help_text=_("Empty: for good."))
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the moderator banned, in words they recognise ("Léa (commenter #12)", "the network of comment #40"):
    # the value itself is a hash for addresses and networks, so the list needs a label to be readable.
    label = models.CharField(max_length=300, blank=True)
    # The comment the ban was made from (the queue's `b` key), so its item can say so.
    comment = models.ForeignKey("comments.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["site", "kind", "value"])]

    def __str__(self) -> str:
        return f"{self.kind} ban on {self.site}"

    @property
    def state(self) -> str:
        """ "lifted", "expired" or "active" (now)."""
        if self.lifted_at is not None:
            return "lifted"
        if self.until is not None and self.until <= timezone.now():
            return "expired"
        return "active"
