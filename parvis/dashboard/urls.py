"""/moderate/: the moderation dashboard."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from parvis.dashboard.views import bans, decide, lists, queue

app_name = "dashboard"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("comments/<int:comment_id>/decide", decide.decide, name="decide"),
    path("undo", decide.undo, name="undo"),
    path("comments/<int:comment_id>/ban", bans.ban_sender, name="ban_sender"),
    path("bans/", bans.bans, name="bans"),
    path("bans/<int:ban_id>/lift", bans.lift, name="lift_ban"),
    path("lists/", lists.lists, name="lists"),
    path("lists/<int:entry_id>/remove", lists.remove, name="remove_entry"),
    path("lists/preview", lists.preview, name="preview_entry"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="dashboard/login.html",
            redirect_authenticated_user=True,
            # Without ?next=, to the queue rather than settings.LOGIN_REDIRECT_URL (the admin signs in elsewhere).
            next_page=reverse_lazy("dashboard:queue"),
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("dashboard:login")), name="logout"),
]
