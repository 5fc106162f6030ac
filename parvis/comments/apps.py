from django.apps import AppConfig
from django.db.models.signals import post_save


class CommentsConfig(AppConfig):
    name = "parvis.comments"
    label = "comments"

    def ready(self) -> None:
        from parvis.comments import live
        from parvis.comments.models import Comment

        # Open pages learn of a change as soon as it commits, not at the next poll.
        post_save.connect(live.comment_saved, sender=Comment, dispatch_uid="parvis.live.comment_saved")
