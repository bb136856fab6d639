"""The WhatsApp Business Cloud API through pywa (https://github.com/david-lev/pywa):
approved template messages, the only kind a business may start a conversation with.

Why pywa: it is maintained (monthly releases, Graph API versions kept current), typed,
speaks the Cloud API directly (no third-party BSP in between), uses httpx (so its errors
tell a connection never made from a timeout after sending) and raises one exception class
per Cloud API error code. Settings: ``WHATSAPP_PHONE_ID``, ``WHATSAPP_TOKEN`` (a system
user's permanent token), ``WHATSAPP_API_VERSION`` (optional), ``WHATSAPP_TIMEOUT``.
"""

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import BaseBackend, PhoneMessage

# Cloud API errors about the one recipient (not the account, the template or a limit):
# the row fails, the chunk goes on. 131026: not a WhatsApp number / cannot receive;
# 131030: not in the test number's allowed list; 131050: the user stopped marketing
# messages; 131021: sender and recipient are the same number.
RECIPIENT_ERRORS = {131026, 131030, 131050, 131021}


class CloudApiBackend(BaseBackend):
    channel = "whatsapp"

    def __init__(self, *, phone_id=None, token=None, api_version=None, timeout=None):
        self.phone_id = phone_id or getattr(settings, "WHATSAPP_PHONE_ID", "")
        self.token = token or getattr(settings, "WHATSAPP_TOKEN", "")
        self.api_version = api_version or getattr(settings, "WHATSAPP_API_VERSION", "") or None
        self.timeout = timeout or getattr(settings, "WHATSAPP_TIMEOUT", 15)
        if not (self.phone_id and self.token):
            raise ImproperlyConfigured("WHATSAPP_PHONE_ID and WHATSAPP_TOKEN must be set for the Cloud API.")
        self.client = None

    def open(self):
        from pywa import WhatsApp

        if self.client is None:
            # One session per chunk: pywa binds a client to its session (token header).
            self._session = httpx.Client(timeout=httpx.Timeout(self.timeout, connect=5.0))
            kwargs = {"api_version": self.api_version} if self.api_version else {}
            self.client = WhatsApp(
                phone_id=self.phone_id,
                token=self.token,
                session=self._session,
                validate_updates=False,
                **kwargs,
            )

    def close(self):
        if self.client is not None:
            self._session.close()
            self.client = None

    def send(self, message: PhoneMessage) -> str:
        from pywa.types.templates import TemplateLanguage

        self.open()
        params = None
        if message.parameters:
            params = [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": value} for value in message.parameters],
                }
            ]
        sent = self.client.send_template(
            to=message.to.lstrip("+"),
            name=message.template,
            language=TemplateLanguage(message.language),
            params=params,
            # Comes back in every status webhook of the message.
            tracker=f"recipient:{message.recipient_id}",
        )
        return sent.id

    def refuses_recipient(self, error):
        code = getattr(error, "code", None)
        if type(error).__module__.startswith("pywa") and code in RECIPIENT_ERRORS:
            return f"WhatsApp {code}: {getattr(error, 'message', '') or error}"[:500]
        return ""
