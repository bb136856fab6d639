"""What WhatsApp's and SMS's status webhooks share: one status stored once (provider +
status + message id) and applied to its recipient in two statements — the INSERT … ON
CONFLICT DO NOTHING RETURNING that finds the recipient through ``lookup``, and one UPDATE
— and a number the provider reports as stopped suppressed on that channel only."""

import hashlib

from django.db import connection, transaction

from ..models import ChannelSuppression, Recipient, TrackingEvent
from .sending import recipient_table
from .tracking import _insert_once, recipient_sets, status_moves


def phone_status_store(
    *,
    provider,
    channel,
    kind,
    event_type,
    message_id,
    lookup,
    occurred_at,
    received_at,
    detail,
    stopped_phone=None,
) -> TrackingEvent | None:
    """Store the provider's status ``kind`` (applied as ``event_type``) once; None for a
    duplicate. ``lookup`` is the SQL (and its parameters) that finds the recipient's id;
    ``stopped_phone`` is the E.164 number to stop sending to on ``channel``, when the
    provider reports that the person stopped us."""
    with transaction.atomic():
        stored = TrackingEvent(
            dedupe_key=hashlib.sha256("\x1f".join([provider, kind, message_id]).encode()).hexdigest(),
            provider=provider,
            event_type=kind,
            event_id=message_id,
            message_id=message_id,
            email="",
            occurred_at=occurred_at,
            received_at=received_at,
            bounce_kind="",
            machine=False,
            detail=detail,
        )
        inserted = _insert_once(stored, lookup)
        if inserted is None:
            return None
        stored.pk, stored.recipient_id = inserted
        if stored.recipient_id:
            phone_event_apply(
                stored.recipient_id, event_type, occurred_at, message_id=message_id, error=detail
            )
            if stopped_phone:
                ChannelSuppression.objects.get_or_create(
                    channel=channel,
                    phone=stopped_phone[:20],
                    defaults={"reason": ChannelSuppression.Reason.STOPPED, "source": provider},
                )
    return stored


def phone_event_apply(recipient_id, event_type, when, *, message_id, error):
    """One UPDATE: the event's changes (a read is also a delivery), the message id of a
    row that did not learn it (uncertain), the provider's error on a failure."""
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
