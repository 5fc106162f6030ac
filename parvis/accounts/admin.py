from django.contrib import admin

from parvis.accounts.models import Commenter


@admin.register(Commenter)
class CommenterAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "verified", "created_at")
    list_filter = ("site", "verified")
    search_fields = ("name", "email")
