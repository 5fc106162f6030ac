from django.contrib import admin

from parvis.accounts.models import Commenter
from parvis.core.admin import ParvisModelAdmin


@admin.register(Commenter)
class CommenterAdmin(ParvisModelAdmin):
    list_display = ("name", "site", "verified", "created_at")
    list_filter = ("site", "verified")
    search_fields = ("name", "email")
