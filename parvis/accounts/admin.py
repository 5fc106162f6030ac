from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from parvis.accounts.models import Ban, Commenter
from parvis.core.admin import ParvisModelAdmin


@admin.register(Commenter)
class CommenterAdmin(ParvisModelAdmin):
    list_display = ("name", "site", "badge", "verified", "created_at")
    list_filter = ("site", "badge", "verified")
    search_fields = ("name", "email")
    actions = ("erase_data", "sign_out_everywhere")

    @admin.action(description="Sign these people out on every device")
    def sign_out_everywhere(self, request: HttpRequest, queryset: QuerySet[Commenter]) -> None:
        from parvis.identity.sessions import revoke_all

        ended = sum(revoke_all(commenter) for commenter in queryset)
        self.message_user(request, f"{ended} session(s) ended.", messages.SUCCESS)

    # Erasing is a deletion: only staff who may delete commenters get the action.
    @admin.action(
        description="Erase these people's data (comments per the site's policy, subscriptions, votes)",
        permissions=["delete"],
    )
    def erase_data(self, request: HttpRequest, queryset: QuerySet[Commenter]) -> None:
        from parvis.privacy import actions as privacy  # the privacy app builds on accounts, not the reverse

        comments = 0
        done: set[tuple[int, str]] = set()
        for commenter in queryset.select_related("site"):
            person = (commenter.site_id, commenter.email.lower() or f"#{commenter.pk}")
            if person in done:
                continue
            done.add(person)
            erased: Any = privacy.erase_commenter(commenter, actor=request.user)
            comments += len(erased.comments)
        self.message_user(request, f"Erased {len(done)} person(s): {comments} comment(s).", messages.SUCCESS)


@admin.register(Ban)
class BanAdmin(ParvisModelAdmin):
    list_display = ("site", "kind", "value", "shadow", "until", "reason", "created_by", "created_at", "lifted_at")
    list_filter = ("site", "kind", "shadow")
    search_fields = ("value", "reason")
    raw_id_fields = ("created_by",)
