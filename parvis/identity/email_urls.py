"""/auth/<site>/email/<token>: the page an emailed sign-in or confirmation link opens (parvis.identity.email_views)."""

from __future__ import annotations

from django.urls import path

from parvis.identity import email_views

app_name = "email-link"

urlpatterns = [path("<str:token>", email_views.confirm, name="confirm")]
