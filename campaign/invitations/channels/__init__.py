"""WhatsApp and SMS: the message a phone channel sends, and the backend that sends it.

Like ``EMAIL_BACKEND``/``MAILERS`` for email, a setting names each channel's backend
(``WHATSAPP_BACKEND``, ``SMS_BACKEND``: dotted paths); the sending loop
(``services.phone_sending``) only calls ``open()``, ``send()`` and ``close()``.

``send()`` returns the provider's message id or raises. What its exception means is the
rule of every channel (``campaign.core.delivery``): an answer from the provider or a
connection never made proves nothing went out; a timeout after the request may have
left the message with the provider, so its recipient becomes "uncertain". A backend may
say that an error is about this one recipient only (``refuses_recipient``): that row
fails and the chunk goes on.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_BACKENDS = {
    "whatsapp": "campaign.invitations.channels.outbox.OutboxWhatsAppBackend",
    "sms": "campaign.invitations.channels.outbox.OutboxSmsBackend",
}


@dataclass
class PhoneMessage:
    """One message to one phone. ``text`` is the SMS text, or for WhatsApp what the
    template shows with ``parameters`` filled in (kept by the outbox, not sent)."""

    recipient_id: int
    batch_id: int
    channel: str
    to: str  # E.164
    text: str = ""
    template: str = ""
    language: str = "id"
    parameters: list[str] = field(default_factory=list)


class BaseBackend:
    channel = ""

    def open(self):
        """Make the connection once per chunk."""

    def close(self):
        """Release it, whatever happened."""

    def send(self, message: PhoneMessage) -> str:
        raise NotImplementedError

    def refuses_recipient(self, error: BaseException) -> str:
        """A reason when ``error`` is the provider refusing this number only (the chunk
        goes on); empty when it stops the chunk."""
        return ""


def get_backend(channel: str, **kwargs) -> BaseBackend:
    path = getattr(settings, f"{channel.upper()}_BACKEND", "") or DEFAULT_BACKENDS[channel]
    return import_string(path)(**kwargs)
