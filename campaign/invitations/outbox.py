"""The demo's mail backend: keeps every message in the database ("Outbox" in the admin)
instead of sending it, and answers like a provider would (one message ID per
recipient), so tracking and reporting work end to end without a provider account."""

import uuid

from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.backends.test import TestPayload
from anymail.message import AnymailRecipientStatus


class OutboxBackend(AnymailTestBackend):
    esp_name = "Outbox"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("payload_class", TestPayload)
        super().__init__(*args, **kwargs)

    def post_to_esp(self, payload, message):
        from .models import OutboxMessage

        params = payload.get_params()
        html = next(
            (content for content, mimetype in params.get("alternatives", []) if mimetype == "text/html"), ""
        )
        message_id = f"<{uuid.uuid4().hex}@outbox.jemputbola>"
        OutboxMessage.objects.create(
            message_id=message_id,
            from_email=str(params.get("from", "")),
            to=", ".join(str(address) for address in params.get("to", [])),
            subject=params.get("subject", "")[:300],
            text=params.get("text_body", "") or "",
            html=params.get("html_body", "") or html,
            headers={key: str(value) for key, value in (params.get("extra_headers") or {}).items()},
            attachments=[
                {"name": attachment.name or "", "type": attachment.mimetype, "size": len(attachment.content)}
                for attachment in params.get("attachments", [])
            ],
        )
        status = AnymailRecipientStatus(message_id=message_id, status="sent")
        return {"recipient_status": {email: status for email in payload.recipient_emails}}
