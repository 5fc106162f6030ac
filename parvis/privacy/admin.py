from __future__ import annotations

from django.contrib import admin

from parvis.core.admin import ParvisModelAdmin
from parvis.privacy.models import PrivacySettings


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(ParvisModelAdmin):
    list_display = ("site", "erasure")
    list_filter = ("erasure",)
