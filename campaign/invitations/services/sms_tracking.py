"""Twilio's SMS status callbacks (sent, delivered, undelivered, failed) applied to
recipients like the email and WhatsApp events: stored once (provider + status + message
SID: Twilio retries a callback that did not get a 2xx), the status only moving up, the
first time of each fact kept, in two statements per status (the INSERT … ON CONFLICT DO
NOTHING RETURNING that finds the recipient by the SID the send returned, and one UPDATE).

Twilio reports a status when it changes (``queued``, ``sending``, ``accepted`` and
``scheduled`` are Twilio's own steps before the carrier and are not stored); an SMS has no
"read". ``undelivered`` (the carrier could not deliver) and ``failed`` (Twilio could not
send) are both a failure of the message, with the error code and its text kept.
"""

from django.utils import timezone

from ..models import TrackingEvent
from .phone_tracking import phone_status_store
from .sending import recipient_table

PROVIDER = "twilio"
_EVENTS = {"sent": "sent", "delivered": "delivered", "undelivered": "failed", "failed": "failed"}
# The number replied STOP (or the carrier reports it unsubscribed): never SMS it again.
_STOPPED = {"21610"}


def sms_status_apply(*, params) -> TrackingEvent | None:
    """Apply one status callback (its form fields, ``params``); None for a duplicate or a
    status that is not stored."""
    kind = str(params.get("MessageStatus") or params.get("SmsStatus") or "")
    event_type = _EVENTS.get(kind)
    message_id = str(params.get("MessageSid") or params.get("SmsSid") or "")[:255]
    if event_type is None or not message_id:
        return None
    code = str(params.get("ErrorCode") or "").strip()
    detail = " ".join(part for part in (code, str(params.get("ErrorMessage") or "")) if part)[:500]
    when = timezone.now()  # the callback carries no time of its own
    table = recipient_table()
    lookup = (
        f"(SELECT id FROM {table} WHERE message_id = %s AND channel = 'sms' ORDER BY id DESC LIMIT 1)",  # noqa: S608
        [message_id],
    )
    phone = str(params.get("To") or "")
    return phone_status_store(
        provider=PROVIDER,
        channel="sms",
        kind=kind,
        event_type=event_type,
        message_id=message_id,
        lookup=lookup,
        occurred_at=when,
        received_at=when,
        detail=detail,
        stopped_phone=phone if code in _STOPPED and phone.startswith("+") else None,
    )
