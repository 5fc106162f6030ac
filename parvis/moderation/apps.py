from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "parvis.moderation"
    label = "moderation"

    def ready(self) -> None:
        from parvis.moderation import checks  # noqa: F401 - registers the model-file check
