"""People who comment. Guests are first-class: a Commenter needs no account."""

from __future__ import annotations

from django.db import models

from parvis.core.models import Site


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

    class Meta:
        indexes = [models.Index(fields=["site", "email"])]

    def __str__(self) -> str:
        return self.name or f"guest #{self.pk}"
