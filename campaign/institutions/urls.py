"""Links given to institutions (no account): outside the language prefix, so a printed
or forwarded link never changes."""

from django.urls import path

from . import views

app_name = "institutions"

urlpatterns = [
    path("lapor-progres/<str:token>/", views.completion_report, name="completion_report"),
]
