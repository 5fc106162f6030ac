from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "parvis.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from parvis.identity import checks  # noqa: F401 (registers the system checks)
