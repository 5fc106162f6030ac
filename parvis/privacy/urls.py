from __future__ import annotations

from django.urls import path

from parvis.privacy import views

app_name = "privacy"

urlpatterns = [
    path("<slug:site>/", views.privacy_page, name="notice"),
    path("<slug:site>/request/", views.request_page, name="request"),
    path("<slug:site>/access/<str:token>/", views.access_page, name="access"),
    path("<slug:site>/access/<str:token>/download", views.download, name="download"),
    path("<slug:site>/access/<str:token>/erase", views.erase_page, name="erase"),
]
