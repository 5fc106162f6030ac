from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from parvis.comments.models import Comment, Flag, Vote
from parvis.core.admin import ParvisModelAdmin
from parvis.core.exceptions import ProblemError
from parvis.moderation.actions import moderate
from parvis.moderation.admin import DecisionInline
from parvis.moderation.categories import Category
from parvis.moderation.models import Action


def _moderation_action(action: Action, category: str | None, description: str) -> Callable[..., None]:
    """An admin action that decides the selected comments through the moderation action (audited, learnt from)."""

    def run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        done = 0
        for comment in queryset.select_related("thread__site"):
            try:
                moderate(comment, action, actor=request.user, category=category)
                done += 1
            except ProblemError as error:
                modeladmin.message_user(request, f"#{comment.pk}: {error.detail}", messages.WARNING)
        modeladmin.message_user(request, f"{done} comment(s): {description}.", messages.SUCCESS)

    run.__name__ = f"moderate_{action}_{category or 'any'}"
    return admin.action(description=description)(run)


_REJECT_FOR = (Category.INSULT, Category.HATE, Category.ANTISEMITISM, Category.RACISM, Category.THREAT,
               Category.DEFAMATION, Category.PERSONAL_DATA, Category.TOXIC)  # fmt: skip


@admin.register(Comment)
class CommentAdmin(ParvisModelAdmin):
    list_display = ("id", "author_name", "thread", "status", "language", "created_at", "score", "flag_count")
    list_filter = ("status", "language", "thread__site")
    search_fields = ("author_name", "body_markdown")
    raw_id_fields = ("thread", "parent", "root", "commenter")
    # The status changes only through the moderation actions below: audited, counted, learnt from.
    readonly_fields = (
        "status", "body_html", "ip_hash", "network_hash", "user_agent_hash", "edit_token_hash", "created_at"
    )  # fmt: skip
    inlines = (DecisionInline,)
    actions: Any = (
        _moderation_action(Action.PUBLISH, None, "Approve and publish"),
        _moderation_action(Action.SPAM, None, "Reject as spam"),
        *(_moderation_action(Action.REJECT, category, f"Reject: {category}") for category in _REJECT_FOR),
        _moderation_action(Action.HOLD, None, "Hold for review"),
    )


@admin.register(Vote)
class VoteAdmin(ParvisModelAdmin):
    list_display = ("comment", "value", "created_at")
    raw_id_fields = ("comment",)


@admin.register(Flag)
class FlagAdmin(ParvisModelAdmin):
    list_display = ("comment", "reason", "created_at")
    list_filter = ("reason",)
    raw_id_fields = ("comment",)
