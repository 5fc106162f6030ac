"""The notifications in the admin: each site's email look and staff-alert thresholds (editable), and the outbox
(read-only: an email is written by the event that causes it and sent by the worker, never typed here)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from parvis.core.admin import ParvisModelAdmin
from parvis.notifications.models import OutboxMessage, SiteEmailSettings


@admin.register(SiteEmailSettings)
class SiteEmailSettingsAdmin(ParvisModelAdmin):
    list_display = ("site", "accent_colour", "queue_alert_threshold", "report_alert_threshold")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ParvisModelAdmin):
    list_display = ("created_at", "site", "kind", "recipient", "status", "attempts", "send_after", "last_error")
    list_filter = ("status", "kind", "site")
    search_fields = ("recipient", "key")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
