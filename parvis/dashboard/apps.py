from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "parvis.dashboard"
    label = "dashboard"

    def ready(self) -> None:
        from parvis.dashboard import signals  # noqa: F401 - keeps the queue index in step with decisions
