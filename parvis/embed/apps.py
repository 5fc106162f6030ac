from django.apps import AppConfig


class EmbedConfig(AppConfig):
    name = "parvis.embed"
    label = "embed"
    verbose_name = "Embeddable widget"
