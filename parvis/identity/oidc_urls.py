"""/auth/<site>/oidc/start and /callback: the OpenID Connect popup's pages (parvis.identity.oidc_views), on the
Parvis origin; the widget opens the first with ``window.open``, the provider sends the reader back to the second."""

from __future__ import annotations

from django.urls import path

from parvis.identity import oidc_views

app_name = "oidc"

urlpatterns = [
    path("start", oidc_views.oidc_start, name="start"),
    path("callback", oidc_views.oidc_callback, name="callback"),
]
