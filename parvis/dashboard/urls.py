"""/moderate/: the moderation dashboard."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from parvis.dashboard.views import (
    account,
    audit,
    bans,
    bulk,
    context,
    decide,
    edit,
    lists,
    people,
    queue,
    signin,
    stats,
    threads,
)

app_name = "dashboard"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("comments/<int:comment_id>/decide", decide.decide, name="decide"),
    path("comments/<int:comment_id>/edit", edit.edit, name="edit"),
    path("comments/<int:comment_id>/context", context.context, name="context"),
    path("undo", decide.undo, name="undo"),
    path("login/", signin.PasswordStep.as_view(), name="login"),
    path("login/code/", signin.code_step, name="login-code"),
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
    path("audit/<int:entry_id>/reverse", audit.reverse_entry, name="audit-reverse"),
    path("threads/", threads.thread_list, name="threads"),
    path("threads/<int:thread_id>/", threads.thread_detail, name="thread"),
    path("threads/<int:thread_id>/control", threads.thread_control, name="thread-control"),
    path("threads/<int:thread_id>/access", threads.thread_access, name="thread-access"),
    path("comments/<int:comment_id>/mark", threads.comment_mark, name="mark"),
    path("comments/<int:comment_id>/ban", bans.ban_sender, name="ban_sender"),
    path("bans/", bans.bans, name="bans"),
    path("people/", people.people, name="people"),
    path("people/<int:commenter_id>/badge", people.badge, name="person-badge"),
    path("people/<int:commenter_id>/sign-out", people.sign_out, name="person-sign-out"),
    path("bans/<int:ban_id>/lift", bans.lift, name="lift_ban"),
    path("lists/", lists.lists, name="lists"),
    path("lists/<int:entry_id>/remove", lists.remove, name="remove_entry"),
    path("lists/preview", lists.preview, name="preview_entry"),
    path("bulk", bulk.bulk, name="bulk"),
    path("bulk/matching", bulk.matching, name="bulk_matching"),
    path("new", queue.new, name="new"),
    path("stats/", stats.stats, name="stats"),
    path("stats/data.json", stats.stats_data, name="stats_data"),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("dashboard:login")), name="logout"),
    path("account/", account.account, name="account"),
    path("account/totp/start", account.totp_start, name="totp-start"),
    path("account/totp/confirm", account.totp_confirm, name="totp-confirm"),
    path("account/totp/disable", account.totp_disable, name="totp-disable"),
    path("account/password/", account.password_change, name="password-change"),
    path("sites/<slug:slug>/security", account.site_security, name="site-security"),
]
