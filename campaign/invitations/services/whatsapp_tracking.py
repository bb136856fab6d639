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
import hashlib

from django.db import connection, transaction
from django.utils import timezone

from campaign.core.ids import parse_id

from ..models import ChannelSuppression, Recipient, TrackingEvent
from .sending import recipient_table
from .tracking import _insert_once, recipient_sets, status_moves

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
    with transaction.atomic():
        stored = TrackingEvent(
            dedupe_key=hashlib.sha256("\x1f".join([PROVIDER, kind, message_id]).encode()).hexdigest(),
            provider=PROVIDER,
            event_type=kind,
            event_id=message_id,
            message_id=message_id,
            email="",
            occurred_at=when,
            received_at=timezone.now(),
            bounce_kind="",
            machine=False,
            detail=detail,
        )
        inserted = _insert_once(stored, lookup)
        if inserted is None:
            return None
        stored.pk, stored.recipient_id = inserted
        if stored.recipient_id:
            phone_event_apply(stored.recipient_id, event_type, when, message_id=message_id, error=detail)
            if codes & _STOPPED and phone:
                ChannelSuppression.objects.get_or_create(
                    channel="whatsapp",
                    phone=phone,
                    defaults={"reason": ChannelSuppression.Reason.STOPPED, "source": PROVIDER},
                )
    return stored


def phone_event_apply(recipient_id, event_type, when, *, message_id, error):
    """One UPDATE: the event's changes (a read is also a delivery), the message id of a
    row that did not learn it (uncertain), the provider's error on a failure. WhatsApp's
    and SMS's status webhooks both apply their events with it."""
    if event_type == "opened":
        sets, params = recipient_sets("delivered", when)
        more, more_params = recipient_sets("opened", when)
        sets, params = sets + more, params + more_params
    else:
        sets, params = recipient_sets(event_type, when)
    sets.append("message_id = CASE WHEN message_id = '' THEN %s ELSE message_id END")
    params.append(message_id)
    if event_type == "failed":
        moves, lower = status_moves(Recipient.Status.FAILED)
        sets.insert(0, f"error = CASE WHEN {moves} THEN %s ELSE error END")
        params[:0] = [*lower, error]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {recipient_table()} SET {', '.join(sets)} WHERE id = %s",  # noqa: S608 - our identifiers
            [*params, recipient_id],
        )
