"""Addresses never mailed again (hard bounces, complaints, unsubscribes), and the
erasure of a person's copies in this app."""

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    PHONE_CHANNELS,
    ChannelSuppression,
    OutboxMessage,
    Recipient,
    RsvpAnswer,
    Suppression,
    TrackingEvent,
)


def suppression_add(*, email: str, reason: str, source: str = "", detail: str = "") -> Suppression:
    """Suppress an address for every later send; the first reason recorded is kept."""
    suppression, _created = Suppression.objects.get_or_create(
        email=email.strip().lower(),
        defaults={"reason": reason, "source": source[:100], "detail": detail[:500]},
    )
    return suppression


def suppression_insert(
    *, email: str, reason: str, source: str = "", detail: str = "", after_soft_bounces: int = 0
) -> bool:
    """Suppress an address in one statement, keeping the first reason recorded: an
    ``INSERT … ON CONFLICT (email) DO NOTHING`` (SQLite ≥ 3.24 and PostgreSQL), no read
    before it and no savepoint around it. With ``after_soft_bounces``, only once that many
    soft bounces of the address are stored (the count is a subquery of the same
    statement). Returns whether a row was added. The webhook receiver's path; the
    email is expected normalised (stripped, lower case)."""
    ops = connection.ops
    table = ops.quote_name(Suppression._meta.db_table)
    values = [email, reason, source[:100], detail[:500], ops.adapt_datetimefield_value(timezone.now())]
    condition, condition_params = "true", []
    if after_soft_bounces:
        events = ops.quote_name(TrackingEvent._meta.db_table)
        condition = f"(SELECT COUNT(*) FROM {events} WHERE email = %s AND bounce_kind = 'soft') >= %s"  # noqa: S608
        condition_params = [email, after_soft_bounces]
    with connection.cursor() as cursor:
        # "WHERE …" also keeps SQLite from reading ON CONFLICT as a join's ON.
        cursor.execute(
            f"INSERT INTO {table} (email, reason, source, detail, created_at) "  # noqa: S608 - our identifiers
            f"SELECT %s, %s, %s, %s, %s WHERE {condition} ON CONFLICT (email) DO NOTHING",
            [*values, *condition_params],
        )
        return cursor.rowcount == 1


@transaction.atomic
def unsubscribe(*, recipient: Recipient, source: str = "") -> Suppression:
    """The one-click unsubscribe: suppress the address at once, and skip it in every
    batch still waiting to send to it."""
    suppression = suppression_add(
        email=recipient.email,
        reason=Suppression.Reason.UNSUBSCRIBED,
        source=source or _("Unsubscribe link"),
        detail=_("Batch “%(batch)s”") % {"batch": recipient.batch.name},
    )
    Recipient.objects.filter(email=recipient.email, status=Recipient.Status.PENDING).update(
        status=Recipient.Status.SKIPPED, status_at=timezone.now(), error=_("Unsubscribed")
    )
    return suppression


def recipients_erase(*, contact, email: str = "") -> int:
    """Erase an erased contact's copies here: the name and address on their recipient
    rows, the address and details of their tracking events, their RSVP notes and the
    outbox copies of messages to them. Statuses, times and counts stay, so the batch
    reports remain true. A suppression of the address is kept: it is what guarantees
    the address is never mailed again (the registry's erased-identity hash keeps it out
    of imports). Returns how many recipient rows were erased."""
    rows = Recipient.objects.filter(contact=contact)
    if email:
        rows = Recipient.objects.filter(Q(contact=contact) | Q(email__iexact=email))
    ids = list(rows.values_list("pk", flat=True))
    phones = set(Recipient.objects.filter(pk__in=ids).exclude(phone="").values_list("phone", flat=True))
    Recipient.objects.filter(pk__in=ids).update(name="", email="", phone="", error="")
    events = TrackingEvent.objects.filter(recipient_id__in=ids)
    if email:
        events = TrackingEvent.objects.filter(Q(recipient_id__in=ids) | Q(email__iexact=email))
    events.update(email="", detail="")
    RsvpAnswer.objects.filter(recipient_id__in=ids).update(note="")
    if email:
        OutboxMessage.objects.filter(to__icontains=email).delete()
    if phones:
        # The WhatsApp and SMS copies the demo outbox kept (addressed to the bare number).
        OutboxMessage.objects.filter(to__in=phones).delete()
    return len(ids)


def _phone_suppress(*, phone: str, channels, source: str) -> None:
    for channel in channels:
        ChannelSuppression.objects.get_or_create(
            channel=channel,
            phone=phone,
            defaults={"reason": "unsubscribed", "source": (source or _("Unsubscribe link"))[:100]},
        )
    Recipient.objects.filter(phone=phone, channel__in=channels, status=Recipient.Status.PENDING).update(
        status=Recipient.Status.SKIPPED, status_at=timezone.now(), error=_("Unsubscribed")
    )


def phone_unsubscribe(*, recipient: Recipient, all_channels: bool = False, source: str = "") -> list[str]:
    """Stop one channel (the recipient's) from reaching a phone number, or every phone
    channel with ``all_channels``; pending rows of those channels are skipped. Email is
    the email unsubscribe's (``unsubscribe``). Returns the channels suppressed."""
    channels = list(PHONE_CHANNELS) if all_channels else [recipient.channel]
    with transaction.atomic():
        _phone_suppress(phone=recipient.phone, channels=channels, source=source)
    return [str(c) for c in channels]


@transaction.atomic
def unsubscribe_every_channel(*, recipient: Recipient, source: str = "") -> list[str]:
    """The contact asked to stop everything, from any channel's link: the email address
    and the phone number (for WhatsApp and SMS) of the recipient and of its contact are
    suppressed, each in its own list as a one-channel unsubscribe would record it, and
    their pending rows are skipped. Letters (to the institution's head) are not a
    channel a contact subscribes to. Returns the channels suppressed."""
    contact = recipient.contact
    email = recipient.email or (contact.email if contact else "")
    phone = recipient.phone or (str(contact.phone) if contact and contact.phone else "")
    source = source or _("Unsubscribe link")
    stopped = []
    if email:
        suppression_add(
            email=email,
            reason=Suppression.Reason.UNSUBSCRIBED,
            source=source,
            detail=_("Batch “%(batch)s”, every channel") % {"batch": recipient.batch.name},
        )
        Recipient.objects.filter(email__iexact=email, status=Recipient.Status.PENDING).update(
            status=Recipient.Status.SKIPPED, status_at=timezone.now(), error=_("Unsubscribed")
        )
        stopped.append("email")
    if phone:
        _phone_suppress(phone=phone, channels=list(PHONE_CHANNELS), source=source)
        stopped.extend(str(c) for c in PHONE_CHANNELS)
    return stopped
