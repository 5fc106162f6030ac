"""Pages of the sign-in popups, on the Parvis origin (the widget opens them with ``window.open``)."""

from __future__ import annotations

from django.urls import path

from parvis.identity import oidc_views

app_name = "identity"

urlpatterns = [
    path("<slug:site>/oidc/start", oidc_views.oidc_start, name="oidc-start"),
    path("<slug:site>/oidc/callback", oidc_views.oidc_callback, name="oidc-callback"),
]
