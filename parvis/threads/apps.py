from django.apps import AppConfig


class ThreadsConfig(AppConfig):
    name = "parvis.threads"
    label = "threads"
