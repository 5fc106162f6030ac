"""/moderate/: the moderation dashboard."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from parvis.dashboard.views import decide, queue, stats

app_name = "dashboard"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("comments/<int:comment_id>/decide", decide.decide, name="decide"),
    path("undo", decide.undo, name="undo"),
    path("stats/", stats.stats, name="stats"),
    path("stats/data.json", stats.stats_data, name="stats_data"),
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
