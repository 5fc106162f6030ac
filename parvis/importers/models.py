"""Which thread and comment each source id became, so running the same import again updates instead of doubling."""

from __future__ import annotations

from django.db import models

from parvis.comments.models import Comment
from parvis.core.models import Site
from parvis.threads.models import Thread


class ImportedThread(models.Model):
    """A thread of the source (a WordPress post, a Disqus thread, an Isso URI) and the Parvis thread it became."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20)
    source_id = models.CharField(max_length=255)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "source", "source_id"], name="imported_thread_once_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id} → thread #{self.thread_id}"


class ImportedComment(models.Model):
    """A comment of the source and the Parvis comment it became (deleted with it)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20)
    source_id = models.CharField(max_length=255)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    # A hash of what the source said about the comment when it was last imported: a re-run updates the comment
    # only when the source changed, so a moderator's decision in Parvis is not undone by importing again.
    digest = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "source", "source_id"], name="imported_comment_once_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id} → comment #{self.comment_id}"
