from __future__ import annotations

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "parvis.privacy"
    label = "privacy"
    verbose_name = "Readers' data"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from parvis.privacy import checks  # noqa: F401 (registers the system checks)
