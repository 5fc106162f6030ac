"""Memberships in the admin: this is where an owner gives a colleague a role on a site."""

from __future__ import annotations

from django.contrib import admin

from parvis.core.admin import ParvisModelAdmin
from parvis.dashboard.models import Membership


@admin.register(Membership)
class MembershipAdmin(ParvisModelAdmin):
    list_display = ("user", "site", "role", "created_at")
    list_filter = ("site", "role")
    search_fields = ("user__username", "user__email", "site__slug")
    raw_id_fields = ("user",)
