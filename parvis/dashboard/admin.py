"""Memberships in the admin: this is where an owner gives a colleague a role on a site. Second factors are listed
there too, without their secrets, so an administrator can reset one whose phone and recovery codes are lost."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from parvis.core.admin import ParvisModelAdmin
from parvis.dashboard import staff_accounts
from parvis.dashboard.models import Membership, SecondFactor


@admin.register(Membership)
class MembershipAdmin(ParvisModelAdmin):
    list_display = ("user", "site", "role", "created_at")
    list_filter = ("site", "role")
    search_fields = ("user__username", "user__email", "site__slug")
    raw_id_fields = ("user",)


@admin.register(SecondFactor)
class SecondFactorAdmin(ParvisModelAdmin):
    """Read-only, secret left out; deleting one is the reset (through the action, so it is audited)."""

    list_display = ("user", "enabled_at", "locked_until", "created_at")
    search_fields = ("user__username", "user__email")
    fields = ("user", "enabled_at", "last_step", "failures", "locked_until", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: SecondFactor) -> None:
        staff_accounts.reset(obj.user, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SecondFactor]) -> None:
        for factor in queryset.select_related("user"):
            staff_accounts.reset(factor.user, actor=request.user)
