"""A site's erasure policy, and the data requests readers make (each a proof-of-address link in waiting)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Site


class Erasure(models.TextChoices):
    DELETE = "delete", _("Delete the comments (a comment with replies stays as “comment deleted”)")
    ANONYMISE = "anonymise", _("Keep the comments' text, with “[deleted]” as the author")
    REDACT = "redact", _("Keep the comments' place, with “[deleted]” as the author and as the text")


class PrivacySettings(models.Model):
    """What erasing a reader's data does to their comments on this site (a site without a row uses the default).

    Replies by other readers always keep their place: a comment is never removed from under its replies, so a
    thread's structure survives whichever choice the site makes.
    """

    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True, related_name="privacy_settings")
    erasure = models.CharField(max_length=10, choices=Erasure.choices, default=Erasure.DELETE)

    class Meta:
        verbose_name_plural = "privacy settings"

    def __str__(self) -> str:
        return f"privacy settings of {self.site}"


class AccessRequest(models.Model):
    """A reader asked for their data: the link mailed to them names this row, which holds the address for as long
    as the link works (PARVIS_PRIVACY_LINK_HOURS) and is deleted by the retention task after that.

    Signed links carry only this row's id and the keyed hash of the address, never the address itself (links end
    up in proxy logs and browser histories).
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=254)
    address_key = models.CharField(max_length=64, db_index=True)
    language = models.CharField(max_length=8, default="fr")
    created_at = models.DateTimeField(db_index=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"data request #{self.pk}"
