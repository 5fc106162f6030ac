from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "parvis.identity"
    label = "identity"
    verbose_name = "Identity"
