from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "parvis.importers"
    label = "importers"
    verbose_name = "Imports"
