"""The reminder the day before a guided session: every contact who accepted an
invitation (or proposed a time the team took) and whose session is tomorrow is reminded
once per session, by the channel the contact chose, through the same batch and recipient
machinery as every other message (one batch per day and channel, exactly-once sending,
suppressions and the WhatsApp opt-in checked again at send time).

The channel: WhatsApp when the contact prefers it, opted in and has a phone; SMS when
the contact prefers it and has a phone; otherwise email when there is an address (so a
letter's addressee or a WhatsApp or SMS recipient with an address is reminded by email).
What WhatsApp and SMS send is on the template marked for session reminders (its approved
WhatsApp template name, its SMS text): one template says what every channel sends, and
a channel it has no text for falls back to email. A phone channel the contact
unsubscribed from falls back to email too (the other channels still reach the contact).
A contact no channel reaches gets a "not sent" row with the reason in the day's email
batch, where staff see whom to call; it is not lost and not retried every minute.
"""

import datetime
import logging
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from campaign.institutions.models import GuidedSession

from ..models import Batch, ChannelSuppression, EmailTemplate, Recipient
from .batches import batch_start
from .sending import batch_chunk_enqueue

logger = logging.getLogger(__name__)

# Reminders go out from this hour (WITA) on the day before the session, not at night.
REMINDER_FROM_HOUR = 8
OPEN = [GuidedSession.Status.PLANNED, GuidedSession.Status.RESCHEDULED]
EMAIL, WHATSAPP, SMS = Batch.Channel.EMAIL, Batch.Channel.WHATSAPP, Batch.Channel.SMS


def reminder_template() -> EmailTemplate | None:
    # A template of an upcoming (carried-over) campaign waits for its campaign to be the current one.
    return (
        EmailTemplate.objects.filter(for_session_reminders=True)
        .filter(Q(campaign__isnull=True) | Q(campaign__is_active=True))
        .order_by("-updated_at", "-pk")
        .first()
    )


def _batch_name(channel, day) -> str:
    values = {"day": formats.date_format(day, "j F Y")}
    if channel == WHATSAPP:
        return _("Session reminders for %(day)s by WhatsApp") % values
    if channel == SMS:
        return _("Session reminders for %(day)s by SMS") % values
    return _("Session reminders for %(day)s") % values


def _answered(start, end):
    return (
        Recipient.objects.filter(
            answer__in=[Recipient.Answer.ACCEPT, Recipient.Answer.PROPOSE],
            session__status__in=OPEN,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .exclude(batch__kind=Batch.Kind.SESSION)
        .select_related("session", "contact")
        .order_by("-answered_at", "-pk")
    )


def _channel(recipient, *, template, suppressed) -> tuple[str, str, str, str]:
    """(channel, email, phone, reason not sent) for one answered recipient."""
    contact = recipient.contact
    email = (recipient.email or (contact.email if contact else "")).strip().lower()
    phone = str(contact.phone) if contact and contact.phone else recipient.phone
    if contact is not None and (contact.erased_at or contact.opted_out_at):
        return EMAIL, "", "", _("The contact opted out: no reminder sent.")
    preferred = contact.preferred_channel if contact else ""
    if (
        preferred == WHATSAPP
        and phone
        and contact.whatsapp_opt_in_at is not None
        and template.whatsapp_template.strip()
        and (WHATSAPP, phone) not in suppressed
    ):
        return WHATSAPP, "", phone, ""
    if preferred == SMS and phone and template.sms_text.strip() and (SMS, phone) not in suppressed:
        return SMS, "", phone, ""
    if email:
        return EMAIL, email, "", ""
    return (
        EMAIL,
        "",
        "",
        _(
            "No channel reaches this contact for the reminder: no email address, and the channel "
            "the contact prefers cannot be used (no phone, no WhatsApp opt-in, or unsubscribed)."
        ),
    )


def _keys(session_id, contact_id, email, institution_id, media_partner_id) -> set[tuple]:
    """Who a reminder is for: the contact, the address, and for a row with neither (a
    media partner's desk whose address was removed) the organisation, so that it is kept
    once as not sent rather than forgotten."""
    keys = {("email", session_id, email)} if email else set()
    if contact_id:
        keys.add(("contact", session_id, contact_id))
    if not keys and (institution_id or media_partner_id):
        keys.add(("organisation", session_id, institution_id, media_partner_id))
    return keys


def _unique(answered, seen):
    """The answered recipients not reminded yet, one per contact (or address) and session;
    ``seen`` holds the keys of the reminders already written, on any channel."""
    for recipient in answered:
        channel, email, phone, reason = recipient.reminder
        keys = _keys(
            recipient.session_id,
            recipient.contact_id,
            email or recipient.email,
            recipient.institution_id,
            recipient.media_partner_id,
        )
        if keys & seen or not keys:
            continue
        seen.update(keys)
        yield recipient


def _due(tomorrow, template) -> list[Recipient]:
    """Unsaved reminder rows (without a batch) for the accepted sessions on ``tomorrow``:
    one per contact (or address) and session, not yet reminded on any channel. A row
    with an ``error`` is one no channel reaches."""
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    answered = list(_answered(start, end))
    phones = {str(r.contact.phone) for r in answered if r.contact_id and r.contact.phone}
    phones |= {r.phone for r in answered if r.phone}
    suppressed = set(
        ChannelSuppression.objects.filter(phone__in=phones, channel__in=[WHATSAPP, SMS]).values_list(
            "channel", "phone"
        )
    )
    for recipient in answered:
        recipient.reminder = _channel(recipient, template=template, suppressed=suppressed)
    seen = set()
    for row in Recipient.objects.filter(
        batch__kind=Batch.Kind.SESSION, session__starts_at__gte=start, session__starts_at__lt=end
    ).values_list("session_id", "contact_id", "email", "institution_id", "media_partner_id"):
        seen.update(_keys(*row))
    rows = []
    # The latest answer of a contact wins; the reminders are then written in invitation order.
    for recipient in sorted(_unique(answered, seen), key=lambda r: r.pk):
        channel, email, phone, reason = recipient.reminder
        rows.append(
            Recipient(
                channel=channel,
                contact_id=recipient.contact_id,
                institution_id=recipient.institution_id,
                media_partner_id=recipient.media_partner_id,
                # The session's team when the invitation named none (a WhatsApp parameter cannot be left out).
                team_id=recipient.team_id or recipient.session.team_id,
                email=email,
                phone=phone,
                name=recipient.name,
                language=recipient.language,
                proposed_at=recipient.session.starts_at,
                session_id=recipient.session_id,
                error=reason,
            )
        )
    return rows


def _day_batch(channel, tomorrow, template) -> Batch:
    name = _batch_name(channel, tomorrow)
    batch = (
        Batch.objects.select_for_update().filter(kind=Batch.Kind.SESSION, channel=channel, name=name).first()
    )
    if batch is None:
        batch = Batch(name=name, kind=Batch.Kind.SESSION, channel=channel, rate_per_minute=0)
        if channel == WHATSAPP:
            batch.whatsapp_template = template.whatsapp_template.strip()
            batch.whatsapp_parameters = template.whatsapp_parameters
            batch.whatsapp_language = template.whatsapp_language or "id"
        elif channel == SMS:
            batch.sms_text = template.sms_text
        else:
            batch.template = template
        batch.full_clean()
        batch.save()
    return batch


def _send(batch, now):
    if batch.status == Batch.Status.DRAFT:
        try:
            with transaction.atomic():
                batch_start(batch=batch, now=now)
        except ValidationError as error:
            # A value the template needs is missing (the batch page names who lacks
            # what): the reminders wait in the draft for staff, and are not lost.
            logger.warning("Session reminders %s not started: %s", batch.pk, "; ".join(error.messages))
    elif batch.status == Batch.Status.DONE:
        # Sessions accepted after the day's first run: the finished batch sends again.
        Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.SENDING, finished_at=None)
        log(batch, "jemputbola.batch_resume")
        transaction.on_commit(lambda: batch_chunk_enqueue(batch.pk))


def session_reminders_queue(*, now=None) -> int:
    """Queue tomorrow's session reminders (from REMINDER_FROM_HOUR WITA), each by its
    contact's channel. Idempotent: run it as often as you like (``send_due_invitations``
    does, every minute); a session accepted later in the day is reminded at the next
    run. Returns how many reminders were added to be sent (the contacts no channel
    reaches are logged and kept as "not sent" rows, not counted)."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < REMINDER_FROM_HOUR:
        return 0
    template = reminder_template()
    if template is None:
        return 0
    tomorrow = now.date() + datetime.timedelta(days=1)
    with transaction.atomic():
        due = _due(tomorrow, template)
        if not due:
            return 0
        unreachable = [row for row in due if row.error]
        if unreachable:
            for row in unreachable:
                row.status, row.status_at = Recipient.Status.SKIPPED, now
            logger.warning(
                "Session reminders for %s: %d contacts reached by no channel (%s)",
                tomorrow,
                len(unreachable),
                ", ".join(f"contact {row.contact_id} session {row.session_id}" for row in unreachable[:20]),
            )
        added = Counter()
        # One batch per channel, always locked in the same order.
        for channel in (EMAIL, WHATSAPP, SMS):
            rows = [row for row in due if row.channel == channel]
            if not rows:
                continue
            batch = _day_batch(channel, tomorrow, template)
            for row in rows:
                row.batch = batch
            Recipient.objects.bulk_create(rows, ignore_conflicts=True)
            added[channel] = sum(1 for row in rows if not row.error)
            if added[channel]:
                _send(batch, now)
            elif batch.status == Batch.Status.DRAFT:
                # Only contacts no channel reaches: the batch holds their rows, done.
                Batch.objects.filter(pk=batch.pk).update(
                    status=Batch.Status.DONE, started_at=now, finished_at=now
                )
        logger.info("Session reminders for %s queued: %s", tomorrow, dict(added))
    return sum(added.values())
