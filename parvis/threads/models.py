"""A discussion under one article, created lazily on its first comment."""

from __future__ import annotations

from django.db import models

from parvis.core.models import CommentRule, Site


class Thread(models.Model):
    """Identified within its site by a stable key: the publisher's explicit id or the canonical page URL."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="threads")
    key = models.CharField(max_length=512)
    url = models.URLField(max_length=2048, blank=True)
    title = models.CharField(max_length=300, blank=True)
    is_closed = models.BooleanField(default=False)
    # Empty: the site's rule.
    who_may_comment = models.CharField(max_length=12, choices=CommentRule.choices, blank=True)
    # The journalist who wrote the article: their comments in its thread carry an "author" badge.
    author = models.ForeignKey(
        "accounts.Commenter", null=True, blank=True, on_delete=models.SET_NULL, related_name="authored_threads"
    )
    # Switched to pre-moderation by staff: every new comment waits for a moderator (surges set surge_since instead).
    premoderated = models.BooleanField(default=False)
    # Published comments, kept by the comment actions so counts never scan the comment table.
    comment_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_comment_at = models.DateTimeField(null=True, blank=True)
    # Set while a surge (a raid, a breaking story) has switched this thread to pre-moderation by itself.
    surge_since = models.DateTimeField(null=True, blank=True)
    # Raised in the same transaction as every change a thread read shows (parvis.threads.versions): the key of the
    # thread's rendered pages and of their ETag.
    version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "key"], name="thread_unique_key_per_site")]

    def __str__(self) -> str:
        return self.title or self.key
