"""Links sent in invitations: outside the language prefix, so they never change."""

from django.urls import path

from . import views

app_name = "invitations"
urlpatterns = [
    path("undangan/berhenti/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("undangan/<str:token>/", views.rsvp, name="rsvp"),
]
