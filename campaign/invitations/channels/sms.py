"""SMS through Twilio Programmable Messaging (the ``twilio`` library).

Why Twilio: its Python library is the provider's own, released every few weeks, typed
and documented; Twilio delivers to the Indonesian operators (Telkomsel, Indosat,
XL/Axis, Tri, Smartfren) with a registered alphanumeric sender, and its REST errors carry
the HTTP status, so a refusal is told apart from a timeout. Rejected: MessageBird (its
library's last release was mid-2024, the API is being replaced by Bird's), Africa's
Talking (no Indonesian coverage), the Indonesian gateways (Zenziva, Wavecell) which have
no maintained Python library. Vonage and Plivo would work the same way behind
``SMS_BACKEND``.

Settings: ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, and ``TWILIO_FROM`` (a number or
an alphanumeric sender id) or ``TWILIO_MESSAGING_SERVICE_SID``; ``TWILIO_STATUS_CALLBACK``
optional.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import BaseBackend, PhoneMessage

# Twilio error codes about this one number: invalid "To", not a mobile number,
# unsubscribed (STOP), unreachable carrier.
RECIPIENT_ERRORS = {21211, 21214, 21610, 21612, 21614}


class TwilioSmsBackend(BaseBackend):
    channel = "sms"

    def __init__(
        self, *, account_sid=None, auth_token=None, sender=None, messaging_service_sid=None, timeout=None
    ):
        self.account_sid = account_sid or getattr(settings, "TWILIO_ACCOUNT_SID", "")
        self.auth_token = auth_token or getattr(settings, "TWILIO_AUTH_TOKEN", "")
        self.sender = sender or getattr(settings, "TWILIO_FROM", "")
        self.service = messaging_service_sid or getattr(settings, "TWILIO_MESSAGING_SERVICE_SID", "")
        self.timeout = timeout or getattr(settings, "TWILIO_TIMEOUT", 15)
        if not (self.account_sid and self.auth_token and (self.sender or self.service)):
            raise ImproperlyConfigured(
                "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM "
                "(or TWILIO_MESSAGING_SERVICE_SID) must be set."
            )
        self.client = None

    def open(self):
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        if self.client is None:
            # No retries: a retried POST after a timeout could send the SMS twice.
            self.client = Client(
                self.account_sid,
                self.auth_token,
                http_client=TwilioHttpClient(timeout=self.timeout, max_retries=None),
            )

    def close(self):
        self.client = None

    def send(self, message: PhoneMessage) -> str:
        self.open()
        kwargs = {"to": message.to, "body": message.text}
        if self.service:
            kwargs["messaging_service_sid"] = self.service
        else:
            kwargs["from_"] = self.sender
        callback = getattr(settings, "TWILIO_STATUS_CALLBACK", "")
        if callback:
            kwargs["status_callback"] = callback
        return self.client.messages.create(**kwargs).sid

    def refuses_recipient(self, error):
        code = getattr(error, "code", None)
        if type(error).__name__ == "TwilioRestException" and code in RECIPIENT_ERRORS:
            return f"Twilio {code}: {getattr(error, 'msg', '') or error}"[:500]
        return ""
