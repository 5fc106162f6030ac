from django.contrib import admin

from parvis.core.admin import ParvisModelAdmin
from parvis.importers.admin import THREAD_ACTIONS
from parvis.threads.models import Thread


@admin.register(Thread)
class ThreadAdmin(ParvisModelAdmin):
    list_display = ("title", "key", "site", "comment_count", "is_closed", "who_may_comment", "created_at")
    list_filter = ("site", "is_closed", "who_may_comment")
    raw_id_fields = ("author",)
    search_fields = ("title", "key", "url")
    readonly_fields = ("comment_count", "created_at", "last_comment_at")
    actions = THREAD_ACTIONS
