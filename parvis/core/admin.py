from django.contrib import admin

from parvis.core.models import Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "moderation_mode", "default_language", "guests_allowed")
    search_fields = ("slug", "name")
    fieldsets = (
        (None, {"fields": ("slug", "name", "allowed_origins", "default_language")}),
        ("Comments", {"fields": ("moderation_mode", "edit_window", "max_comment_length")}),
        ("Guests", {"fields": ("guests_allowed", "guest_name_required", "guest_email")}),
        ("Notices", {"fields": ("policy_text", "policy_url", "privacy_text", "privacy_url")}),
    )
