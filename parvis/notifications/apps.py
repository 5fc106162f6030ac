from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "parvis.notifications"
    label = "notifications"
    verbose_name = "Subscriptions and email"
    default_auto_field = "django.db.models.BigAutoField"
