"""Moderation in the admin: each decision with its reasons highlighted in the comment's text, the policy as
versioned configuration, the site models with rollback, appeals, API keys and the audit log."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from parvis.core.admin import ParvisModelAdmin
from parvis.moderation import learning, lists
from parvis.moderation.models import ApiKey, Appeal, AuditEntry, Decision, ListEntry, Policy, SiteModel
from parvis.moderation.policy import PolicyConfig, PolicyError, public_text, save_policy


def highlighted(text: str, reasons: list[dict[str, Any]]) -> SafeString:
    """The text with each reason's spans marked (hover for the reason); everything escaped."""
    marks: list[tuple[int, int, str]] = []
    for reason in reasons:
        for start, end in reason.get("spans", []):
            if 0 <= start < end <= len(text):
                marks.append((start, end, f"{reason.get('rule')}: {reason.get('reason')}"))
    marks.sort()
    pieces: list[tuple[str, str, str]] = []
    position = 0
    for start, end, title in marks:
        if start < position:
            continue  # overlapping marks: the first one wins
        pieces.append(("", text[position:start], ""))
        pieces.append((title, text[start:end], "mark"))
        position = end
    pieces.append(("", text[position:], ""))
    return format_html_join(
        "",
        "{}",
        (
            (format_html('<mark title="{}">{}</mark>', title, piece) if kind else format_html("{}", piece),)
            for title, piece, kind in pieces
        ),
    )


def reasons_table(reasons: list[dict[str, Any]]) -> SafeString:
    if not reasons:
        return format_html("<em>{}</em>", "no reason recorded")
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            "<li><strong>{}</strong> ({}, {}) — {}</li>",
            ((r.get("category"), r.get("rule"), f"{r.get('score', 0):.2f}", r.get("reason")) for r in reasons),
        ),
    )


def explained(decision: Decision) -> SafeString:
    """The comment's text with the reasons marked, then the reasons listed."""
    return format_html(
        "<div>{}</div>{}",
        highlighted(decision.comment.body_markdown, decision.reasons),
        reasons_table(decision.reasons),
    )


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    ordering = ("-created_at",)
    fields = ("created_at", "stage", "action", "categories", "explained", "top_scores", "policy_version", "decided_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Reasons, in the text")
    def explained(self, decision: Decision) -> SafeString:
        return explained(decision)

    @admin.display(description="Scores")
    def top_scores(self, decision: Decision) -> str:
        ranked = sorted(decision.scores.items(), key=lambda item: -item[1])[:5]
        return ", ".join(f"{name} {score:.2f}" for name, score in ranked if score > 0) or "—"


@admin.register(Decision)
class DecisionAdmin(ParvisModelAdmin):
    list_display = ("comment", "stage", "action", "categories", "policy_version", "duration_ms", "created_at")
    list_filter = ("stage", "action", "degraded", "comment__thread__site")
    raw_id_fields = ("comment", "decided_by")
    readonly_fields = ("explained",)

    @admin.display(description="Reasons, in the text")
    def explained(self, decision: Decision) -> SafeString:
        return explained(decision)


class PolicyForm(forms.ModelForm):
    config = forms.JSONField(help_text="See README, “Moderation policy”. Saving creates a new version.")

    class Meta:
        model = Policy
        fields = ("site", "config", "note")

    def clean_config(self) -> Any:
        try:
            return PolicyConfig.parse(self.cleaned_data["config"]).to_json()
        except PolicyError as error:
            raise forms.ValidationError(str(error)) from error


@admin.register(Policy)
class PolicyAdmin(ParvisModelAdmin):
    form = PolicyForm
    list_display = ("site", "version", "note", "created_at", "created_by")
    list_filter = ("site",)
    readonly_fields = ("public_preview",)

    def save_model(self, request: HttpRequest, obj: Policy, form: Any, change: bool) -> None:
        # Never overwrite a version: decisions point at it. Saving always stores the next version.
        saved = save_policy(obj.site, form.cleaned_data["config"], actor=request.user, note=obj.note)
        obj.pk, obj.version = saved.pk, saved.version

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        from parvis.moderation.policy import default_config

        return {"config": json.dumps(default_config().to_json())}

    @admin.display(description="What readers are told")
    def public_preview(self, policy: Policy) -> str:
        return public_text(PolicyConfig.parse(policy.config)) if policy.pk else "—"


@admin.register(SiteModel)
class SiteModelAdmin(ParvisModelAdmin):
    list_display = ("site", "version", "state", "examples", "metrics", "created_at", "promoted_at")
    list_filter = ("site", "state")
    exclude = ("weights",)
    readonly_fields = ("site", "version", "state", "examples", "metrics", "created_at", "promoted_at")
    actions = ("put_back",)

    @admin.action(description="Put this version back in force (rollback)")
    def put_back(self, request: HttpRequest, queryset: QuerySet[SiteModel]) -> None:
        for version in queryset:
            learning.rollback(version.site, version.version, actor=request.user)
            self.message_user(request, f"{version.site}: model v{version.version} is in force.", messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(ParvisModelAdmin):
    list_display = ("comment", "created_at", "resolved_at", "outcome")
    list_filter = ("outcome",)
    raw_id_fields = ("comment",)


@admin.register(ApiKey)
class ApiKeyAdmin(ParvisModelAdmin):
    list_display = ("label", "site", "prefix", "created_at", "last_used_at", "revoked")
    list_filter = ("site", "revoked")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are created with `parvis moderation apikey create`, which shows the key once


@admin.register(AuditEntry)
class AuditEntryAdmin(ParvisModelAdmin):
    list_display = ("created_at", "site", "actor_label", "action", "thread", "comment", "details")
    list_filter = ("action", "site")
    raw_id_fields = ("thread", "comment", "actor")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ListEntry)
class ListEntryAdmin(ParvisModelAdmin):
    """A site's block and allow lists, readable here; entries are added in the dashboard (/moderate/lists/), whose
    test box shows what an entry would catch before it is saved. A removal here goes through the same action, so it
    is audited and the compiled lists are refreshed."""

    list_display = ("site", "kind", "match", "value", "action", "category", "created_by", "created_at")
    list_filter = ("site", "kind", "match")
    search_fields = ("value", "note")
    readonly_fields = ("site", "kind", "match", "value", "action", "category", "note", "created_by", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: ListEntry) -> None:
        lists.remove_entry(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ListEntry]) -> None:
        for entry in queryset.select_related("site"):
            lists.remove_entry(request.user, entry)
