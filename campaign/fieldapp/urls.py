"""The field app under /lapangan/ (outside the language prefix: installed on phones,
its address must never change)."""

from django.urls import path

from . import views

app_name = "fieldapp"

urlpatterns = [
    path("", views.shell, name="shell"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("api/openapi.json", views.openapi, name="openapi"),
    path("api/week", views.api_week, name="api_week"),
    path("api/sessions", views.api_sessions, name="api_sessions"),
    path("api/sessions/<int:pk>", views.api_session, name="api_session"),
    path("api/meetings", views.api_meetings, name="api_meetings"),
]
