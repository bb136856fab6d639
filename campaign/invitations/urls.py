"""Links sent in invitations: outside the language prefix, so they never change.

Also the providers' tracking webhooks (/anymail/<esp>/tracking/), in front of anymail's
own routes (included after these in campaign/urls.py): the same views, except that a
body anymail cannot read (not UTF-8, not JSON, not the provider's shape) is refused with
a 400 instead of failing with a 500 that the provider would retry for days.
"""

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailWebhookValidationFailure
from django.urls import path

from . import views
from .sms_webhook import sms_status_webhook
from .whatsapp_webhook import whatsapp_webhook

# What anymail's parsers raise on a body of the wrong form.
_UNREADABLE = (UnicodeDecodeError, ValueError, KeyError, IndexError, TypeError, AttributeError)


def _tolerant(view_class):
    class TolerantWebhookView(view_class):
        def parse_events(self, request):
            try:
                return list(super().parse_events(request))
            except _UNREADABLE as error:
                raise AnymailWebhookValidationFailure(
                    f"{self.esp_name} webhook body could not be read ({type(error).__name__})"
                ) from error

    TolerantWebhookView.__name__ = TolerantWebhookView.__qualname__ = view_class.__name__
    return TolerantWebhookView


def _webhook_routes():
    # Unnamed: reverse("anymail:…") still names anymail's route, which is the same path.
    for pattern in anymail_urls.urlpatterns:
        if (pattern.name or "").endswith("_tracking_webhook"):
            view_class = pattern.callback.view_class
            yield path(f"anymail/{pattern.pattern}", _tolerant(view_class).as_view())


app_name = "invitations"
urlpatterns = [
    path("undangan/berhenti/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("undangan/<str:token>/", views.rsvp, name="rsvp"),
    path("r/<str:code>", views.short_link, name="short"),
    path("webhooks/whatsapp/", whatsapp_webhook, name="whatsapp_webhook"),
    path("webhooks/twilio/sms/", sms_status_webhook, name="sms_status_webhook"),
    *_webhook_routes(),
]
