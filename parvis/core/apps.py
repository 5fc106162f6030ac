from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "parvis.core"
    label = "core"
    verbose_name = "Parvis"

    def ready(self) -> None:
        from parvis.core import checks  # noqa: F401  (registers the system checks)
