"""Comments, votes and reader reports."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parvis.accounts.models import Commenter
from parvis.core.models import Site
from parvis.threads.models import Thread

# Replies deeper than this are attached to the ancestor at this depth, so one thread can never produce a
# tree deep enough to hurt a renderer; readers still see whom they answered through the quoted parent.
MAX_DEPTH = 30


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")
    DELETED = "deleted", _("Deleted")


class Comment(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    # The top-level ancestor (None for a top-level comment): one query fetches a page's whole subtrees.
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField(default=0)
    commenter = models.ForeignKey(Commenter, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments")
    # Author snapshot: what readers saw when the comment was posted, even if the commenter changes later.
    author_name = models.CharField(max_length=64, blank=True)
    author_website = models.URLField(max_length=512, blank=True)
    body_markdown = models.TextField(blank=True)
    # Rendered and sanitized once, at write; reads never run the markdown parser.
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED, db_index=True)
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)
    # Lower bound of the Wilson interval of the up-vote share: "best" ranks by confidence, not raw totals.
    rank = models.FloatField(default=0.0)
    flag_count = models.PositiveIntegerField(default=0)
    ip_hash = models.CharField(max_length=32, blank=True, db_index=True)
    network_hash = models.CharField(max_length=32, blank=True)
    user_agent_hash = models.CharField(max_length=32, blank=True)
    # SHA-256 of the guest's edit token; the token itself is given to the author once and never stored.
    edit_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Inline comment anchor: a W3C TextQuoteSelector on the article text.
    anchor_exact = models.TextField(blank=True)
    anchor_prefix = models.CharField(max_length=64, blank=True)
    anchor_suffix = models.CharField(max_length=64, blank=True)
    # Staff marks shown to readers: a pinned comment heads its thread, an editor's pick carries a badge.
    pinned = models.BooleanField(default=False)
    editors_pick = models.BooleanField(default=False)
    # Set when a moderator edited or redacted the text: readers see "edited by the moderation".
    moderator_edited_at = models.DateTimeField(null=True, blank=True)
    moderator_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["thread", "status", "parent", "created_at"], name="comment_top_level"),
            models.Index(fields=["root", "status"], name="comment_subtree"),
            models.Index(fields=["thread", "ip_hash", "created_at"], name="comment_recent_by_ip"),
            # A thread's newest comment id (the snapshot a thread page is read at): without it PostgreSQL walks the
            # primary key backwards from the newest comment of the whole site to the thread's (bench/scale_load.py).
            models.Index(fields=["thread", "id"], name="comment_thread_newest"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} by {self.author_name or 'guest'}"

    @property
    def site(self) -> Site:
        return self.thread.site


class Vote(models.Model):
    """One vote per person per comment; a guest is recognised by the keyed hash of their IP."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    voter_key = models.CharField(max_length=40)
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "voter_key"], name="vote_once_per_person")]

    def __str__(self) -> str:
        return f"{self.value:+d} on #{self.comment_id}"


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    ABUSE = "abuse", _("Insulting, hateful or harassing")
    PERSONAL_DATA = "personal_data", _("Reveals personal information")
    OFF_TOPIC = "off_topic", _("Off topic")
    MISINFORMATION = "misinformation", _("False or misleading")
    OTHER = "other", _("Other")


class Flag(models.Model):
    """A reader's report of a comment, for the moderators' queue."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    reporter_key = models.CharField(max_length=40)
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "reporter_key"], name="flag_once_per_person")]

    def __str__(self) -> str:
        return f"{self.reason} on #{self.comment_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a create request that carried an Idempotency-Key, replayed on retries.

    It holds the edit token of that answer (a retrying client lost it with the first response), so it
    lives only as long as the edit window and is deleted after it.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    client_key = models.CharField(max_length=32)
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    edit_token = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "client_key", "key"], name="idempotency_key_once_per_client")
        ]

    def __str__(self) -> str:
        return self.key
