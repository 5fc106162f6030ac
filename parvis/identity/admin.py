from typing import ClassVar

from django.contrib import admin

from parvis.core.admin import ParvisModelAdmin, SiteAdmin
from parvis.identity.models import Identity, ReaderSession, SignInSettings


class SignInSettingsInline(admin.StackedInline):
    model = SignInSettings
    can_delete = False
    formfield_overrides = ParvisModelAdmin.formfield_overrides
    fieldsets = (
        ("Publisher single sign-on", {"fields": ("sso_secret", "sso_public_key", "sso_audience", "sso_login_url",
                                                 "sso_button_label")}),
        ("OpenID Connect", {"fields": ("oidc_issuer", "oidc_client_id", "oidc_client_secret", "oidc_roles_claim",
                                       "oidc_button_label")}),
        ("Email", {"fields": ("email_sign_in", "confirm_first_comment", "name_cooldown_days")}),
    )  # fmt: skip


SiteAdmin.inlines = [*SiteAdmin.inlines, SignInSettingsInline]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ("commenter", "provider", "subject", "site", "last_seen_at")
    list_filter = ("provider", "site")
    search_fields = ("subject", "commenter__name")
    raw_id_fields = ("commenter",)


@admin.register(ReaderSession)
class ReaderSessionAdmin(admin.ModelAdmin):
    """Sessions are read here and revoked (sign out everywhere) from the commenter's page of the dashboard."""

    list_display = ("commenter", "provider", "site", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("provider", "site")
    exclude = ("token_hash",)
    readonly_fields: ClassVar = ["site", "commenter", "provider", "created_at", "expires_at", "last_used_at"]
