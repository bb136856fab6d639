"""Public URLs of the response app (under the language prefix: /progres/, /en/progres/)."""

from django.urls import path

from . import public

urlpatterns = [
    path("", public.progress_page, name="response_public_progress"),
    path("widget/", public.progress_widget, name="response_public_widget"),
]
