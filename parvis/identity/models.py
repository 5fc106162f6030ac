"""Who a reader is beyond a guest: identities from sign-in providers, reader sessions held by the app iframe,
and each site's sign-in settings.

A Commenter (parvis.accounts) stays the one person others see; an Identity says which provider vouched for them
(the publisher's SSO, its OpenID Connect provider, an email link) under which stable subject, so a new provider
is one module that ends by calling ``identity.accounts.sign_in(site, provider, subject, claims)``.
"""

from __future__ import annotations

import urllib.parse

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parvis.accounts.models import Commenter
from parvis.core.models import Site


class Provider(models.TextChoices):
    SSO = "sso", _("Publisher single sign-on")
    OIDC = "oidc", _("OpenID Connect")
    EMAIL = "email", _("Email link")


class Identity(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    commenter = models.ForeignKey(Commenter, on_delete=models.CASCADE, related_name="identities")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    # The provider's stable id: the publisher's user id, the OIDC `sub`, or the lower-cased email address.
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "provider", "subject"], name="identity_once_per_provider")
        ]
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"


class ReaderSession(models.Model):
    """A signed-in reader's bearer token, kept by the app iframe in its own (partitioned) storage.

    Only the SHA-256 of the token is stored. A session is refreshed (a new token, the old one dead) while it is
    valid, and revoked one at a time (sign out) or all at once for a commenter (sign out everywhere)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    commenter = models.ForeignKey(Commenter, on_delete=models.CASCADE, related_name="sessions")
    provider = models.CharField(max_length=16, choices=Provider.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["commenter", "revoked_at"])]

    def __str__(self) -> str:
        return f"session of {self.commenter_id}"


class SeenToken(models.Model):
    """The id (`jti`) of an SSO token already exchanged, kept until the token would have expired: a replayed
    token is refused."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=128)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "jti"], name="sso_token_once")]

    def __str__(self) -> str:
        return self.jti


class EmailLink(models.Model):
    """A sign-in or confirmation link sent by email. The app that asked for it holds ``request_secret`` and polls
    with it; the link holds ``link_token``. Both are stored hashed. Clicking the link (on any device) confirms it;
    the app's next poll then receives a session."""

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", _("Sign in")
        CONFIRM_COMMENT = "confirm_comment", _("Confirm a comment")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.SIGN_IN)
    email = models.EmailField(max_length=254)
    language = models.CharField(max_length=8, blank=True)
    request_secret_hash = models.CharField(max_length=64, unique=True)
    link_token_hash = models.CharField(max_length=64, unique=True)
    # The comment waiting for its author's confirmation (CONFIRM_COMMENT).
    comment = models.ForeignKey("comments.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Set when the polling app received its session: a link gives one session, once.
    collected_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} link for {self.site_id}"


class SignInSettings(models.Model):
    """A site's sign-in doors. Each is off until configured, except email links, on by default."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="sign_in")
    # Publisher SSO: an HS256 shared secret, or a PEM public key (RS256 or EdDSA) for tokens signed by the
    # publisher's private key. Tokens must name this site in `aud` (the audience below, the slug by default).
    sso_secret = models.CharField(max_length=200, blank=True)
    sso_public_key = models.TextField(blank=True)
    sso_audience = models.CharField(max_length=200, blank=True, help_text=_("Empty: the site's slug."))
    sso_login_url = models.URLField(
        max_length=2000, blank=True, help_text=_("Where the widget sends readers to sign in on the publisher's site.")
    )
    sso_button_label = models.CharField(max_length=80, blank=True)
    # OpenID Connect (authorization code + PKCE) against the publisher's identity provider.
    oidc_issuer = models.URLField(max_length=2000, blank=True)
    oidc_client_id = models.CharField(max_length=200, blank=True)
    oidc_client_secret = models.CharField(max_length=200, blank=True)
    oidc_button_label = models.CharField(max_length=80, blank=True)
    # Which OIDC claim lists the reader's roles (e.g. "roles" or "groups"), to recognise subscribers.
    oidc_roles_claim = models.CharField(max_length=80, default="roles")
    email_sign_in = models.BooleanField(default=True)
    # A guest's first comment is published only once they confirm their email (then moderated as usual).
    confirm_first_comment = models.BooleanField(default=False)
    # Days between two changes of a commenter's display name.
    name_cooldown_days = models.PositiveSmallIntegerField(default=30)

    class Meta:
        verbose_name = "sign-in settings"
        verbose_name_plural = "sign-in settings"

    def __str__(self) -> str:
        return f"sign-in of {self.site}"

    def clean(self) -> None:
        """Refuse, in the admin's form, an OpenID Connect setup that could never sign anyone in."""
        from parvis.identity.oidc import LOOPBACK

        if self.oidc_issuer:
            parts = urllib.parse.urlsplit(self.oidc_issuer)
            if parts.scheme != "https" and not (parts.scheme == "http" and (parts.hostname or "") in LOOPBACK):
                raise ValidationError({"oidc_issuer": _("The issuer must be an https address.")})
            if not self.oidc_client_id:
                raise ValidationError({"oidc_client_id": _("Give the client id registered at the provider.")})

    @property
    def audience(self) -> str:
        return self.sso_audience or self.site.slug

    @property
    def sso_enabled(self) -> bool:
        return bool(self.sso_secret or self.sso_public_key)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)


def sign_in_settings(site: Site) -> SignInSettings:
    """The site's sign-in settings; the defaults (email links only), unsaved, for a site that never set any."""
    return SignInSettings.objects.filter(site=site).first() or SignInSettings(site=site)
