"""Backends that send nothing: WhatsApp and SMS messages are kept in the demo outbox
(``OutboxMessage``, addressed to the bare number) with a provider-like message id, so the
demo and the tests see them end to end without a provider account."""

import uuid

from django.utils.translation import gettext as _

from . import BaseBackend, PhoneMessage
from .segments import sms_segments


class _OutboxBackend(BaseBackend):
    prefix = ""

    def send(self, message: PhoneMessage) -> str:
        from ..models import OutboxMessage

        message_id = f"{self.prefix}{uuid.uuid4().hex}"
        OutboxMessage.objects.create(
            message_id=message_id,
            from_email=self.sender_label(),
            to=message.to,
            subject=self.subject(message)[:300],
            text=message.text,
            headers={
                "X-Channel": message.channel,
                "X-Recipient": str(message.recipient_id),
                "X-Batch": str(message.batch_id),
                **self.headers(message),
            },
        )
        return message_id

    def sender_label(self):
        return ""

    def subject(self, message):
        return ""

    def headers(self, message):
        return {}


class OutboxWhatsAppBackend(_OutboxBackend):
    channel = "whatsapp"
    # Cloud API message ids start so; the webhooks match on them.
    prefix = "wamid.outbox."

    def sender_label(self):
        return "WhatsApp"

    def subject(self, message):
        return _("WhatsApp template “%(name)s” (%(language)s)") % {
            "name": message.template,
            "language": message.language,
        }

    def headers(self, message):
        return {"X-Template": message.template, "X-Parameters": " | ".join(message.parameters)}


class OutboxSmsBackend(_OutboxBackend):
    channel = "sms"
    prefix = "SMoutbox"

    def sender_label(self):
        return "SMS"

    def subject(self, message):
        info = sms_segments(message.text)
        return _("SMS, %(chars)d characters, %(parts)d part(s), %(encoding)s") % {
            "chars": info.length,
            "parts": info.parts,
            "encoding": info.encoding,
        }


class ConsoleSmsBackend(BaseBackend):
    """Writes each SMS to standard output (development without a database outbox)."""

    channel = "sms"

    def send(self, message: PhoneMessage) -> str:
        import sys

        message_id = f"SMconsole{uuid.uuid4().hex}"
        sys.stdout.write(f"SMS to {message.to} ({message_id}):\n{message.text}\n\n")
        return message_id
