from django.apps import AppConfig
from django.db.models.signals import post_save


class ThreadsConfig(AppConfig):
    name = "parvis.threads"
    label = "threads"

    def ready(self) -> None:
        from parvis.threads import versions
        from parvis.threads.models import Thread

        post_save.connect(versions.thread_saved, sender=Thread, dispatch_uid="parvis.threads.version")
