from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CommentsConfig(AppConfig):
    name = "parvis.comments"
    label = "comments"

    def ready(self) -> None:
        from parvis.comments import live
        from parvis.comments.models import Comment
        from parvis.threads import versions

        # Open pages learn of a change as soon as it commits, not at the next poll.
        post_save.connect(live.comment_saved, sender=Comment, dispatch_uid="parvis.live.comment_saved")
        # Rendered pages of the comment's thread are out of date, in the same transaction as the change.
        post_save.connect(versions.comment_changed, sender=Comment, dispatch_uid="parvis.threads.version.save")
        post_delete.connect(versions.comment_changed, sender=Comment, dispatch_uid="parvis.threads.version.delete")
