"""WhatsApp Cloud API status webhooks (sent, delivered, read, failed) applied to
recipients like the email events: stored once (provider + status + message id: Meta
retries a webhook until it gets a 200, and sends each status of a message once), the
status only moving up, the first time of each fact kept, in two statements per status
(the INSERT … ON CONFLICT DO NOTHING RETURNING that finds the recipient, and one UPDATE).

A status names our recipient by the message id (``wamid``) the send returned, or, for a
row whose send timed out ("uncertain": we never learnt the id), by the tracker the send
set (``biz_opaque_callback_data`` = ``recipient:<id>``) with the same phone number: the
webhook is what settles an uncertain row.
"""

import datetime

from django.utils import timezone

from campaign.core.ids import parse_id

from ..models import TrackingEvent
from .phone_tracking import phone_status_store
from .sending import recipient_table

PROVIDER = "whatsapp"
# A Cloud API status → the email event it is applied as ("read" is delivered + opened).
_EVENTS = {"sent": "sent", "delivered": "delivered", "read": "opened", "failed": "failed"}
# The user stopped marketing messages from this business: never send again on WhatsApp.
_STOPPED = {131050}


def _when(status: dict) -> datetime.datetime:
    try:
        return datetime.datetime.fromtimestamp(int(status["timestamp"]), tz=datetime.UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return timezone.now()


def _error(status: dict) -> tuple[str, set[int]]:
    parts, codes = [], set()
    for error in status.get("errors") or []:
        if not isinstance(error, dict):
            continue
        code = error.get("code")
        if isinstance(code, int):
            codes.add(code)
        details = (
            (error.get("error_data") or {}).get("details")
            if isinstance(error.get("error_data"), dict)
            else ""
        )
        text = " ".join(str(v) for v in (code, error.get("title") or error.get("message"), details) if v)
        parts.append(text)
    return "; ".join(parts)[:500], codes


def whatsapp_status_apply(*, status: dict) -> TrackingEvent | None:
    """Apply one entry of a webhook's ``statuses``; None for a duplicate or a status we do
    not track (``deleted``, ``warning``)."""
    kind = str(status.get("status", ""))
    event_type = _EVENTS.get(kind)
    message_id = str(status.get("id", ""))[:255]
    if event_type is None or not message_id:
        return None
    when = _when(status)
    detail, codes = _error(status)
    tracker = str(status.get("biz_opaque_callback_data") or "")
    recipient_id = parse_id(tracker.removeprefix("recipient:")) if tracker.startswith("recipient:") else None
    wa_id = str(status.get("recipient_id") or "")
    phone = "+" + wa_id if wa_id else None
    table = recipient_table()
    lookup = (
        f"COALESCE((SELECT id FROM {table} WHERE message_id = %s AND channel = 'whatsapp' "  # noqa: S608
        "ORDER BY id DESC LIMIT 1), "
        f"(SELECT id FROM {table} WHERE id = %s AND phone = %s AND channel = 'whatsapp'))",
        [message_id, recipient_id or None, phone],
    )
    return phone_status_store(
        provider=PROVIDER,
        channel="whatsapp",
        kind=kind,
        event_type=event_type,
        message_id=message_id,
        lookup=lookup,
        occurred_at=when,
        received_at=timezone.now(),
        detail=detail,
        stopped_phone=phone if codes & _STOPPED else None,
    )
