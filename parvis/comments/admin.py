from django.contrib import admin

from parvis.comments.models import Comment, Flag, Vote
from parvis.core.admin import ParvisModelAdmin


@admin.register(Comment)
class CommentAdmin(ParvisModelAdmin):
    list_display = ("id", "author_name", "thread", "status", "language", "created_at", "score", "flag_count")
    list_filter = ("status", "language", "thread__site")
    search_fields = ("author_name", "body_markdown")
    raw_id_fields = ("thread", "parent", "root", "commenter")
    readonly_fields = ("body_html", "ip_hash", "network_hash", "user_agent_hash", "edit_token_hash", "created_at")


@admin.register(Vote)
class VoteAdmin(ParvisModelAdmin):
    list_display = ("comment", "value", "created_at")
    raw_id_fields = ("comment",)


@admin.register(Flag)
class FlagAdmin(ParvisModelAdmin):
    list_display = ("comment", "reason", "created_at")
    list_filter = ("reason",)
    raw_id_fields = ("comment",)
