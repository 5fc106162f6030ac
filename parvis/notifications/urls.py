from __future__ import annotations

from django.urls import path

from parvis.notifications import feeds, views

app_name = "notifications"

urlpatterns = [
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("mailbox/", views.mailbox, name="mailbox"),
    path("mailbox/<str:name>.html", views.mailbox_html, name="mailbox-html"),
    path("feeds/<slug:site>/comments.atom", feeds.site_feed, name="site-feed"),
    path("feeds/<slug:site>/thread.atom", feeds.thread_feed, name="thread-feed"),
]
