from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "parvis.web"
    label = "web"
