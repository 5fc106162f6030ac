from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "parvis.comments"
    label = "comments"
