from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "parvis.notifications"
    label = "notifications"
    verbose_name = "Subscriptions and email"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from parvis.notifications import checks  # noqa: F401 (registers the email settings' checks)
