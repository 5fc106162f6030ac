"""/moderate/: the moderation dashboard."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from parvis.dashboard.views import audit, decide, queue, threads

app_name = "dashboard"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("comments/<int:comment_id>/decide", decide.decide, name="decide"),
    path("undo", decide.undo, name="undo"),
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
    path("audit/<int:entry_id>/reverse", audit.reverse_entry, name="audit-reverse"),
    path("threads/", threads.thread_list, name="threads"),
    path("threads/<int:thread_id>/", threads.thread_detail, name="thread"),
    path("threads/<int:thread_id>/control", threads.thread_control, name="thread-control"),
    path("comments/<int:comment_id>/mark", threads.comment_mark, name="mark"),
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
