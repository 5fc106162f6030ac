from django.contrib import admin

from parvis.accounts.models import Ban, Commenter
from parvis.core.admin import ParvisModelAdmin


@admin.register(Commenter)
class CommenterAdmin(ParvisModelAdmin):
    list_display = ("name", "site", "verified", "created_at")
    list_filter = ("site", "verified")
    search_fields = ("name", "email")


@admin.register(Ban)
class BanAdmin(ParvisModelAdmin):
    list_display = ("site", "kind", "value", "shadow", "until", "reason", "created_by", "created_at", "lifted_at")
    list_filter = ("site", "kind", "shadow")
    search_fields = ("value", "reason")
    raw_id_fields = ("created_by",)
