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


def _email_suppress(*, email: str, source: str, detail: str) -> tuple[Suppression, bool]:
    """The contact unsubscribed an address: suppress it (the first reason recorded is
    kept) and skip it in every batch still waiting to send to it. Returns the
    suppression and whether it is new."""
    suppression, created = Suppression.objects.get_or_create(
        email=email.strip().lower(),
        defaults={"reason": Suppression.Reason.UNSUBSCRIBED, "source": source[:100], "detail": detail[:500]},
    )
    Recipient.objects.filter(email__iexact=email, status=Recipient.Status.PENDING).update(
        status=Recipient.Status.SKIPPED, status_at=timezone.now(), error=_("Unsubscribed")
    )
    return suppression, created


def _withdrawal_log(*, recipient: Recipient, channels, source: str) -> None:
    """Record in the personal-data log that a contact withdrew their consent for
    ``channels`` (UU 27/2022 art. 9: at any time, and the controller keeps a record).
    The entry names the contact and the recipient row by id, never the address or the
    number, so erasing the contact leaves nothing personal here."""
    from campaign.institutions.models import PersonalDataLog
    from campaign.institutions.privacy import personal_data_log

    who = f"contact #{recipient.contact_id}" if recipient.contact_id else f"recipient #{recipient.pk}"
    personal_data_log(
        user=None,
        action=PersonalDataLog.Action.WITHDRAW,
        model="contact",
        row_count=1,
        detail=f"{who}: unsubscribed from {', '.join(channels)} ({source or 'unsubscribe link'}), "
        f"batch #{recipient.batch_id}",
    )


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
    suppression, created = _email_suppress(
        email=recipient.email,
        source=source or _("Unsubscribe link"),
        detail=_("Batch “%(batch)s”") % {"batch": recipient.batch.name},
    )
    if created:
        _withdrawal_log(recipient=recipient, channels=["email"], source=source)
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


def _phone_suppress(*, phone: str, channels, source: str) -> list[str]:
    """Suppress ``channels`` for a phone number and skip its pending rows on them;
    returns the channels that were not suppressed before."""
    added = []
    for channel in channels:
        _row, created = ChannelSuppression.objects.get_or_create(
            channel=channel,
            phone=phone,
            defaults={
                "reason": ChannelSuppression.Reason.UNSUBSCRIBED,
                "source": (source or _("Unsubscribe link"))[:100],
            },
        )
        if created:
            added.append(str(channel))
    Recipient.objects.filter(phone=phone, channel__in=channels, status=Recipient.Status.PENDING).update(
        status=Recipient.Status.SKIPPED, status_at=timezone.now(), error=_("Unsubscribed")
    )
    return added


def phone_suppression_save(*, suppression: ChannelSuppression, user) -> ChannelSuppression:
    """Save a phone suppression staff added or edited in the admin, and skip the rows of
    its channel still waiting to go to that number."""
    suppression.reason = suppression.reason or ChannelSuppression.Reason.MANUAL
    if not suppression.source and getattr(user, "is_authenticated", False):
        suppression.source = (user.get_full_name() or user.get_username())[:100]
    with transaction.atomic():
        suppression.save()
        Recipient.objects.filter(
            phone=suppression.phone, channel=suppression.channel, status=Recipient.Status.PENDING
        ).update(
            status=Recipient.Status.SKIPPED,
            status_at=timezone.now(),
            error=_("Number is suppressed for this channel"),
        )
    return suppression


def phone_unsubscribe(*, recipient: Recipient, all_channels: bool = False, source: str = "") -> list[str]:
    """Stop one channel (the recipient's) from reaching a phone number, or every phone
    channel with ``all_channels``; pending rows of those channels are skipped. Email is
    the email unsubscribe's (``unsubscribe``). Returns the channels suppressed."""
    channels = list(PHONE_CHANNELS) if all_channels else [recipient.channel]
    with transaction.atomic():
        added = _phone_suppress(phone=recipient.phone, channels=channels, source=source)
        if added:
            _withdrawal_log(recipient=recipient, channels=added, source=source)
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
    stopped, added = [], []
    if email:
        _suppression, created = _email_suppress(
            email=email,
            source=source,
            detail=_("Batch “%(batch)s”, every channel") % {"batch": recipient.batch.name},
        )
        stopped.append("email")
        if created:
            added.append("email")
    if phone:
        added += _phone_suppress(phone=phone, channels=list(PHONE_CHANNELS), source=source)
        stopped.extend(str(c) for c in PHONE_CHANNELS)
    if added:
        _withdrawal_log(recipient=recipient, channels=added, source=source)
    return stopped
