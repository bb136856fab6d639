"""Provider tracking events (anymail) applied to recipients and addresses, once each,
in event-time order (an "opened" never downgrades a "bounced")."""

import hashlib
import json

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.core.ids import parse_id

from ..models import (
    Recipient,
    Suppression,
    TrackingEvent,
)
from .sending import recipient_table
from .suppression import suppression_insert


def _setting(name, default):
    return getattr(settings, name, default)


_RANK = {
    Recipient.Status.PENDING: 0,
    Recipient.Status.SKIPPED: 0,
    Recipient.Status.SENDING: 1,
    Recipient.Status.UNCERTAIN: 1,
    Recipient.Status.SENT: 2,
    Recipient.Status.DELIVERED: 3,
    Recipient.Status.BOUNCED: 4,
    Recipient.Status.FAILED: 4,
    Recipient.Status.COMPLAINED: 5,
}
_EVENT_STATUS = {
    "queued": Recipient.Status.SENT,
    "sent": Recipient.Status.SENT,
    "delivered": Recipient.Status.DELIVERED,
    "bounced": Recipient.Status.BOUNCED,
    "rejected": Recipient.Status.FAILED,
    "failed": Recipient.Status.FAILED,
    "complained": Recipient.Status.COMPLAINED,
}
# Postmark bounce types that mean the address itself is bad.
_POSTMARK_HARD = {"HardBounce", "BadEmailAddress", "ManuallyDeactivated", "Blocked"}


def _raw(event):
    raw = event.esp_event
    return raw if isinstance(raw, dict) else {}


def bounce_kind(event, esp_name: str) -> str:
    """ "hard" or "soft" for a bounce. Brevo and Postmark report both as "bounced", so
    their own fields decide; anything unknown counts as hard, the safe side."""
    raw = _raw(event)
    esp = esp_name.lower()
    if event.reject_reason == "invalid":
        return "hard"
    if esp == "brevo" or esp == "sendinblue":
        return "soft" if raw.get("event") == "soft_bounce" else "hard"
    if esp == "postmark":
        return "hard" if raw.get("Type") in _POSTMARK_HARD else "soft"
    if esp == "mailgun":
        return "soft" if raw.get("event-data", {}).get("severity") == "temporary" else "hard"
    if esp == "sendgrid":
        return "soft" if raw.get("type") == "blocked" else "hard"
    return "hard"


def machine_open(event, esp_name: str) -> bool:
    """Opens by privacy proxies and scanners, where the provider says so."""
    raw = _raw(event)
    esp = esp_name.lower()
    if esp in ("brevo", "sendinblue"):
        return raw.get("event") in ("unique_proxy_open", "proxy_open")
    if esp == "mailgun":
        return bool((raw.get("event-data", {}).get("client-info") or {}).get("bot"))
    if esp == "sendgrid":
        return bool(raw.get("sg_machine_open"))
    if esp == "postmark":
        return (
            bool(raw.get("MachineOpen")) or (raw.get("Client") or {}).get("Family") == "Apple Privacy Proxy"
        )
    return False


def dedupe_key(event, esp_name: str) -> str:
    """Provider + type + event id when there is one (Postmark reuses a bounce's ID for
    the complaint about it, hence the type); else provider, message, recipient, type and
    time; a provider that sends no time (Brevo complaints) is keyed on the whole payload."""
    if event.event_id:
        parts = [esp_name, event.event_type, str(event.event_id)]
    else:
        parts = [
            esp_name,
            str(event.message_id or ""),
            (event.recipient or "").lower(),
            event.event_type,
            event.timestamp.isoformat() if event.timestamp else "",
        ]
        if not event.timestamp:
            parts.append(json.dumps(_raw(event), sort_keys=True, default=str))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _recipient_lookup(event):
    """The SQL that finds the event's recipient inside the event's INSERT, and its
    parameters: by the recipient id our messages carry in their metadata (with the same
    address), else by the provider's message id and the address (the newest such row)."""
    email = (event.recipient or "").lower() or None
    recipient_id = parse_id(str((event.metadata or {}).get("recipient", ""))) or None
    message_id = str(event.message_id) if event.message_id else None
    table = recipient_table()
    sql = (
        f"COALESCE((SELECT id FROM {table} WHERE id = %s AND email = %s), "  # noqa: S608 - our identifiers
        f"(SELECT id FROM {table} WHERE message_id = %s AND email = %s ORDER BY id DESC LIMIT 1))"
    )
    return sql, [recipient_id, email, message_id, email]


def tracking_event_apply(*, event, esp_name: str) -> TrackingEvent | None:
    """Apply one provider event once. Returns None for a duplicate.

    Status only moves up (sent < delivered < bounced/failed < complained) and the first
    time of each fact is kept, so the result is the same whatever order events arrive
    in: the order of event times.

    Two statements for a delivery, open or click: the INSERT … ON CONFLICT DO NOTHING of
    the event, which finds its recipient in the same statement and returns it, and one
    UPDATE of that recipient (status, first times and counters at once). Suppressions
    (complaints, hard bounces) add their own.
    """
    when = event.timestamp or timezone.now()
    email = (event.recipient or "").strip().lower()
    kind = bounce_kind(event, esp_name) if event.event_type == "bounced" else ""
    machine = event.event_type == "opened" and machine_open(event, esp_name)
    with transaction.atomic():
        stored = TrackingEvent(
            dedupe_key=dedupe_key(event, esp_name),
            provider=esp_name[:30],
            event_type=event.event_type[:20],
            event_id=str(event.event_id or "")[:255],
            message_id=str(event.message_id or "")[:255],
            email=email[:254],
            occurred_at=event.timestamp,
            received_at=timezone.now(),
            bounce_kind=kind,
            machine=machine,
            detail=str(event.mta_response or event.description or "")[:500],
        )
        inserted = _insert_once(stored, _recipient_lookup(event))
        if inserted is None:
            return None
        stored.pk, stored.recipient_id = inserted
        if stored.recipient_id:
            _apply_to_recipient(stored.recipient_id, event.event_type, when, kind=kind, machine=machine)
        if email:
            _apply_to_address(email, event, esp_name, kind=kind, recipient_id=stored.recipient_id)
    return stored


_EVENT_COLUMNS = [
    "dedupe_key",
    "provider",
    "event_type",
    "event_id",
    "message_id",
    "email",
    "occurred_at",
    "received_at",
    "bounce_kind",
    "machine",
    "detail",
]


def _insert_once(stored: TrackingEvent, recipient) -> tuple[int, int | None] | None:
    """INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING (SQLite ≥ 3.35 and PostgreSQL):
    the new event's id and recipient id, or None for a duplicate, in one statement and
    without the savepoint that catching an IntegrityError would need. ``recipient`` is
    the (SQL, parameters) that finds the recipient."""
    ops = connection.ops
    values = []
    for column in _EVENT_COLUMNS:
        value = getattr(stored, column)
        if column in ("occurred_at", "received_at"):
            value = ops.adapt_datetimefield_value(value)
        values.append(value)
    recipient_sql, recipient_params = recipient
    table = ops.quote_name(TrackingEvent._meta.db_table)
    placeholders = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        # "WHERE true": SQLite would read ON CONFLICT as a join's ON without a WHERE.
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(_EVENT_COLUMNS)}, recipient_id) "  # noqa: S608 - our identifiers; values are parameters
            f"SELECT {placeholders}, {recipient_sql} WHERE true "
            "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, recipient_id",
            [*values, *recipient_params],
        )
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1])


def _first(field, stamp):
    """SET clause keeping the earliest time of a fact."""
    return f"{field} = CASE WHEN {field} IS NULL OR {field} > %s THEN %s ELSE {field} END", [stamp, stamp]


def _apply_to_recipient(recipient_id, event_type, when, *, kind, machine):
    """One UPDATE: the status only moves up, first times are kept, counters add one.
    Every right-hand side reads the row as it was before the statement."""
    sets, params = recipient_sets(event_type, when, kind=kind, machine=machine)
    if not sets:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {recipient_table()} SET {', '.join(sets)} WHERE id = %s",  # noqa: S608 - see above
            [*params, recipient_id],
        )


def status_moves(status) -> tuple[str, list]:
    """The SQL condition "the row's status is below ``status``", and its parameters."""
    lower = [
        name for name, rank in _RANK.items() if rank < _RANK[status] and name != Recipient.Status.SKIPPED
    ]
    return f"status IN ({', '.join(['%s'] * len(lower))})", lower


def recipient_sets(event_type, when, *, kind="", machine=False) -> tuple[list[str], list]:
    """The SET clauses (and parameters) an event of ``event_type`` makes on its recipient."""
    stamp = connection.ops.adapt_datetimefield_value(when)
    sets, params = [], []
    status = _EVENT_STATUS.get(event_type)
    if status is not None:
        moves, lower = status_moves(status)
        sets += [
            f"status = CASE WHEN {moves} THEN %s ELSE status END",
            f"status_at = CASE WHEN {moves} THEN %s ELSE status_at END",
        ]
        params += [*lower, status, *lower, stamp]
        if kind:
            # A hard bounce also hardens an earlier soft bounce's kind.
            sets.append(
                f"bounce_kind = CASE WHEN {moves} THEN %s "
                "WHEN %s = 'hard' AND status = %s AND bounce_kind = 'soft' THEN 'hard' ELSE bounce_kind END"
            )
            params += [*lower, kind, kind, Recipient.Status.BOUNCED]
        if status == Recipient.Status.DELIVERED:
            clause, values = _first("delivered_at", stamp)
            sets.append(clause)
            params += values
    elif event_type == "opened":
        fields = ["opened_at"] if machine else ["opened_at", "human_opened_at"]
        for field in fields:
            clause, values = _first(field, stamp)
            sets.append(clause)
            params += values
        sets.append("open_count = open_count + 1")
        if machine:
            sets.append("machine_open_count = machine_open_count + 1")
    elif event_type == "clicked":
        clause, values = _first("clicked_at", stamp)
        sets += [clause, "click_count = click_count + 1"]
        params += values
    return sets, params


def _apply_to_address(email, event, esp_name, *, kind, recipient_id):
    """A complaint, an unsubscribe or a hard bounce suppresses the address; soft bounces
    do from the configured count on. One INSERT … ON CONFLICT DO NOTHING each."""
    Reason = Suppression.Reason
    detail = str(event.mta_response or event.description or "")[:500]
    event_type = event.event_type
    if event_type == "complained":
        reason = Reason.COMPLAINT
    elif event_type == "unsubscribed":
        reason = Reason.UNSUBSCRIBED
    elif (event_type == "bounced" and kind == "hard") or (
        event_type == "rejected" and event.reject_reason == "invalid"
    ):
        reason = Reason.HARD_BOUNCE
    elif event_type == "bounced" and kind == "soft":
        limit = _setting("INVITATIONS_SOFT_BOUNCE_LIMIT", 3)
        suppression_insert(
            email=email,
            reason=Reason.SOFT_BOUNCES,
            source=esp_name,
            detail=_("%(count)d soft bounces. Last: %(detail)s") % {"count": limit, "detail": detail},
            after_soft_bounces=limit,
        )
        return
    else:
        return
    suppression_insert(email=email, reason=reason, source=esp_name, detail=detail)
