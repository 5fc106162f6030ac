from typing import Any, ClassVar

from django.contrib import admin
from django.db import models

from parvis.core.models import Site
from parvis.importers.admin import SITE_ACTIONS


class ParvisModelAdmin(admin.ModelAdmin):
    """Base of Parvis's admin pages: URLs typed without a scheme are taken as https://."""

    formfield_overrides: ClassVar[dict[type[models.Field], dict[str, Any]]] = {
        models.URLField: {"assume_scheme": "https"}
    }


@admin.register(Site)
class SiteAdmin(ParvisModelAdmin):
    list_display = ("slug", "name", "moderation_mode", "default_language", "who_may_comment")
    search_fields = ("slug", "name")
    actions = SITE_ACTIONS
    fieldsets = (
        (None, {"fields": ("slug", "name", "allowed_origins", "default_language")}),
        ("Comments", {"fields": ("moderation_mode", "edit_window", "max_comment_length")}),
        ("Who may comment", {"fields": ("who_may_comment", "guest_name_required", "guest_email")}),
        ("Notices", {"fields": ("policy_text", "policy_url", "privacy_text", "privacy_url")}),
    )
