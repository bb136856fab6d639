"""The reminder the day before a guided session: every contact who accepted an
invitation (or proposed a time the team took) and whose session is tomorrow gets the
template marked for session reminders, once per session, through the same batch and
recipient machinery as every other message (one batch per day, exactly-once sending,
suppressions honoured at send time)."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from campaign.institutions.models import GuidedSession

from ..models import Batch, EmailTemplate, Recipient
from .batches import batch_start
from .sending import batch_chunk_enqueue

logger = logging.getLogger(__name__)

# Reminders go out from this hour (WITA) on the day before the session, not at night.
REMINDER_FROM_HOUR = 8
OPEN = [GuidedSession.Status.PLANNED, GuidedSession.Status.RESCHEDULED]


def reminder_template() -> EmailTemplate | None:
    # A template of an upcoming (carried-over) campaign waits for its campaign to be the current one.
    return (
        EmailTemplate.objects.filter(for_session_reminders=True)
        .filter(Q(campaign__isnull=True) | Q(campaign__is_active=True))
        .order_by("-updated_at", "-pk")
        .first()
    )


def _due(tomorrow):
    """The recipients whose accepted session is on ``tomorrow``, one per address and
    session, not yet reminded."""
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    reminded = Recipient.objects.filter(batch__kind=Batch.Kind.SESSION).values_list("session_id", "email")
    reminded = set(reminded.filter(session__starts_at__gte=start, session__starts_at__lt=end))
    rows, seen = [], set()
    for recipient in (
        Recipient.objects.filter(
            answer__in=[Recipient.Answer.ACCEPT, Recipient.Answer.PROPOSE],
            session__status__in=OPEN,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .exclude(batch__kind=Batch.Kind.SESSION)
        # Reminders are emails: a letter's addressee, or a WhatsApp or SMS recipient, may
        # have no address (reminders by the contact's preferred channel are to come).
        .exclude(batch__channel__in=[Batch.Channel.LETTER, Batch.Channel.WHATSAPP, Batch.Channel.SMS])
        .select_related("session")
        .order_by("-answered_at", "-pk")
    ):
        key = (recipient.session_id, recipient.email)
        if key in reminded or key in seen:
            continue
        seen.add(key)
        rows.append(recipient)
    return rows


def session_reminders_queue(*, now=None) -> int:
    """Queue tomorrow's session reminders (from REMINDER_FROM_HOUR WITA). Idempotent: run
    it as often as you like (``send_due_invitations`` does, every minute); a session
    accepted later in the day is reminded at the next run. Returns how many were added."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < REMINDER_FROM_HOUR:
        return 0
    template = reminder_template()
    if template is None:
        return 0
    tomorrow = now.date() + datetime.timedelta(days=1)
    with transaction.atomic():
        due = _due(tomorrow)
        if not due:
            return 0
        name = _("Session reminders for %(day)s") % {"day": formats.date_format(tomorrow, "j F Y")}
        batch = Batch.objects.select_for_update().filter(kind=Batch.Kind.SESSION, name=name).first()
        if batch is None:
            batch = Batch(name=name, kind=Batch.Kind.SESSION, template=template, rate_per_minute=0)
            batch.full_clean()
            batch.save()
        Recipient.objects.bulk_create(
            [
                Recipient(
                    batch=batch,
                    contact_id=r.contact_id,
                    institution_id=r.institution_id,
                    media_partner_id=r.media_partner_id,
                    team_id=r.team_id,
                    email=r.email,
                    name=r.name,
                    language=r.language,
                    proposed_at=r.session.starts_at,
                    session_id=r.session_id,
                )
                for r in due
            ],
            ignore_conflicts=True,
        )
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
    return len(due)
