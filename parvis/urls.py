from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from parvis.api.api import api
from parvis.api.perspective import perspective_api
from parvis.embed import views as embed
from parvis.web import newsroom, views

urlpatterns = [
    path("", views.demo_article, name="demo-article"),
    path("demo/subscribers/", views.demo_subscribers, name="demo-subscribers"),
    path("demo/newsroom/login/", newsroom.login, name="demo-newsroom-login"),
    path("demo/newsroom/logout/", newsroom.logout, name="demo-newsroom-logout"),
    path("t/<slug:site>/", views.thread_page, name="thread-page"),
    path("t/<slug:site>/transparency/", views.transparency, name="transparency"),
    path("t/<slug:site>/people/<int:commenter_id>/", views.profile, name="profile"),
    path("embed.js", embed.embed_js, name="embed-js"),
    path("count.js", embed.count_js, name="count-js"),
    path("embed/<slug:site>/frame", embed.frame, name="embed-frame"),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    # Perspective-compatible AnalyzeComment at Perspective's own path, so its clients only change the base URL.
    path("v1alpha1/", perspective_api.urls),
    path("moderate/", include("parvis.dashboard.urls")),
    # The admin signs in through the dashboard's login, so an account with a second factor is asked for its code.
    path("admin/login/", RedirectView.as_view(pattern_name="dashboard:login", query_string=True)),
    path("notifications/", include("parvis.notifications.urls")),
    path("privacy/", include("parvis.privacy.urls")),
    path("auth/<slug:site>/email/", include("parvis.identity.email_urls")),
    path("auth/<slug:site>/oidc/", include("parvis.identity.oidc_urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.health, name="health"),
]

handler400 = "parvis.web.views.bad_request"
handler403 = "parvis.web.views.forbidden"
handler404 = "parvis.web.views.not_found"
handler500 = "parvis.web.views.server_error"
