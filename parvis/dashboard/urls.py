"""/moderate/: the moderation dashboard."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from parvis.dashboard.views import account, decide, queue, signin

app_name = "dashboard"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("comments/<int:comment_id>/decide", decide.decide, name="decide"),
    path("undo", decide.undo, name="undo"),
    path("login/", signin.PasswordStep.as_view(), name="login"),
    path("login/code/", signin.code_step, name="login-code"),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("dashboard:login")), name="logout"),
    path("account/", account.account, name="account"),
    path("account/totp/start", account.totp_start, name="totp-start"),
    path("account/totp/confirm", account.totp_confirm, name="totp-confirm"),
    path("account/totp/disable", account.totp_disable, name="totp-disable"),
    path("account/password/", account.password_change, name="password-change"),
    path("sites/<slug:slug>/security", account.site_security, name="site-security"),
]
