"""Batches: their creation, the recipients an audience gives, the values a template
needs, and the moves of their life (start, pause, resume, cancel, remind)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from campaign.core.offices import office_of
from campaign.core.services import validated_save
from campaign.institutions.models import Contact, Team

from ..models import (
    Audience,
    Batch,
    EmailTemplate,
    Recipient,
    Suppression,
)
from ..selectors import audience_contacts, audience_summary, latest_plans
from .sending import MessageLinks, batch_chunk_enqueue, batch_send_can_defer, compile_template

# A session proposed for a day without a time starts at nine in the morning (WITA).
DEFAULT_SESSION_HOUR = 9
# A batch sent "N days before the online phase closes" goes at nine in the morning.
RELATIVE_SEND_HOUR = 9


def relative_send_at(days_before_end: int) -> datetime.datetime | None:
    """09.00 WITA, ``days_before_end`` days before the active campaign's last online day
    (extensions included); None without an active campaign."""
    from campaign.core.models import Campaign

    campaign = Campaign.objects.filter(is_active=True).prefetch_related("extensions").first()
    if campaign is None:
        return None
    day = campaign.effective_end - datetime.timedelta(days=days_before_end)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(RELATIVE_SEND_HOUR)))


def batches_reschedule_relative() -> int:
    """Move the scheduled batches set relative to the campaign's end to where the end is
    now (after an extension, or its withdrawal). Returns how many moved."""
    moved = 0
    for batch in Batch.objects.filter(status=Batch.Status.SCHEDULED, days_before_end__isnull=False):
        when = relative_send_at(batch.days_before_end)
        if when is None or when == batch.scheduled_at:
            continue
        if Batch.objects.filter(pk=batch.pk, status=Batch.Status.SCHEDULED).update(scheduled_at=when):
            moved += 1
            log(batch, "jemputbola.batch_rescheduled", data={"scheduled_at": when.isoformat()})
            # The task deferred to the old time finds the batch not yet due and does
            # nothing; this one (or send_due_invitations) sends it at the new time.
            if batch_send_can_defer():
                transaction.on_commit(lambda pk=batch.pk, at=when: batch_chunk_enqueue(pk, run_after=at))
    return moved


@transaction.atomic
def batch_save(*, batch: Batch | None = None, user=None, **fields) -> Batch:
    """Create or change a batch (its sending is ``batch_start``'s); the creator is kept."""
    batch = batch or Batch()
    for name, value in fields.items():
        setattr(batch, name, value)
    if batch.created_by_id is None and getattr(user, "is_authenticated", False):
        batch.created_by = user
    if batch.pk is None and batch.office_id is None:
        batch.office = office_of(user)
    return validated_save(batch, user=user)


def batch_create(
    *, template: EmailTemplate, audience: Audience, name: str = "", user=None, **fields
) -> Batch:
    """A new batch of ``template`` to ``audience``, named after the audience by default."""
    return batch_save(template=template, audience=audience, name=name or str(audience), user=user, **fields)


def _session_time(day, fallback):
    if day is None:
        return fallback
    local = datetime.datetime.combine(day, datetime.time(DEFAULT_SESSION_HOUR))
    if fallback is not None:
        local = datetime.datetime.combine(day, timezone.localtime(fallback).time())
    return timezone.make_aware(local)


def _recipients_for_audience(batch: Batch) -> tuple[list[Recipient], dict]:
    """Recipient rows (unsaved) for every eligible address of the batch's audience (for
    a letter batch, one per institution: ``letters.letter_recipients_for_audience``)."""
    if batch.channel == Batch.Channel.LETTER:
        from .letters import letter_recipients_for_audience

        return letter_recipients_for_audience(batch)
    if batch.is_phone:
        from .phone_sending import phone_recipients_for_audience

        return phone_recipients_for_audience(batch)
    audience = batch.audience
    # The batch's office narrows the audience again: a regency office's batch reaches
    # only its area's institutions, whatever audience it names.
    summary = audience_summary(audience=audience, office=batch.office)
    eligible = set(summary.eligible)
    contacts = (
        audience_contacts(audience=audience, office=batch.office)
        .order_by("pk")
        .values_list("pk", "email", "name", "preferred_language", "institution_id", "media_partner_id")
    )
    plans = {}
    if audience.target == Audience.Target.INSTITUTIONS:
        plans = latest_plans(
            institutions=audience_contacts(audience=audience, office=batch.office).values("institution_id"),
            week=audience.week,
        )
    rows = []
    for pk, email, name, language, institution_id, media_partner_id in contacts.iterator(chunk_size=5000):
        if pk not in eligible:
            continue
        team_id, day = plans.get(institution_id, (batch.team_id, None))
        rows.append(
            Recipient(
                batch=batch,
                contact_id=pk,
                institution_id=institution_id,
                media_partner_id=media_partner_id,
                team_id=team_id or batch.team_id,
                email=email.strip().lower(),
                name=name,
                language=language or "id",
                proposed_at=_session_time(day, batch.proposed_at),
            )
        )
    return rows, {
        "selected": summary.selected,
        "excluded": dict(summary.excluded),
    }


@dataclass(frozen=True)
class MissingValue:
    """A recipient the batch's template cannot be written for: the fields it lacks."""

    name: str
    email: str
    organisation: str
    fields: tuple[str, ...]


def _checkable_values(*, name, position, organisation, team, proposed_at, institution_id, language, links):
    """The merge values that can be empty, as merge_values would give them."""
    return {
        "contact_name": name,
        "contact_position": position,
        "institution": organisation,
        "team": team,
        "session_date": links.date(proposed_at, language),
        "campaign_end": links.campaign_end(language),
        "guide_link": links.guide(institution_id),
        "progress_link": links.progress(institution_id),
    }


def _missing_values(batch: Batch, rows: list[Recipient]) -> list[MissingValue]:
    """Which of ``rows`` (saved or not) lack a value the template needs outside every
    optional [[ … ]] block."""
    links = MessageLinks(batch)
    compiled = {}
    teams = dict(Team.objects.filter(pk__in={r.team_id for r in rows if r.team_id}).values_list("pk", "name"))
    facts = {}
    contact_ids = [r.contact_id for r in rows if r.contact_id]
    if contact_ids:
        for start in range(0, len(contact_ids), 5000):
            for pk, position, institution, outlet in Contact.objects.filter(
                pk__in=contact_ids[start : start + 5000]
            ).values_list("pk", "position", "institution__name", "media_partner__name"):
                facts[pk] = (position, institution or outlet or "")
    missing = []
    for row in rows:
        if row.status == Recipient.Status.SKIPPED:
            continue
        language = row.language if row.language in ("id", "en") else "id"
        if batch.is_phone:
            from .phone_sending import compile_phone

            if language not in compiled:
                compiled[language] = compile_phone(batch)
        elif batch.channel == Batch.Channel.LETTER:
            from .letters import compile_letter

            language = "id"
            if language not in compiled:
                compiled[language] = compile_letter(batch.letter_template)
        elif language not in compiled:
            compiled[language] = compile_template(
                template=batch.template, language=language, organisation=links.organisation
            )
        position, organisation = facts.get(row.contact_id, ("", ""))
        values = _checkable_values(
            name=row.name,
            position=position,
            organisation=organisation,
            team=teams.get(row.team_id, ""),
            proposed_at=row.proposed_at,
            institution_id=row.institution_id,
            language=language,
            links=links,
        )
        lacking = tuple(name for name in compiled[language].missing(values) if name in values)
        if lacking:
            missing.append(MissingValue(row.name, row.email or row.phone, organisation, lacking))
    return sorted(missing, key=lambda m: (m.organisation.casefold(), m.name.casefold(), m.email))


def batch_missing_values(*, batch: Batch) -> list[MissingValue]:
    """Before a batch is started: the recipients it would have whose message cannot be
    written (a required merge field without a value). Empty when the batch may go."""
    if batch.status == Batch.Status.DRAFT and batch.audience_id is not None:
        rows, _excluded = _recipients_for_audience(batch)
    else:
        rows = list(batch.recipients.filter(status=Recipient.Status.PENDING).order_by("pk"))
    return _missing_values(batch, rows)


def _missing_error(missing: list[MissingValue]) -> ValidationError:
    fields = sorted({name for m in missing for name in m.fields})
    return ValidationError(
        _(
            "%(count)d recipients have no value for %(fields)s, which the template needs. "
            "Complete their data, choose a team or time for the batch, or put the sentence "
            "in an optional block [[ … ]] in the template."
        )
        % {"count": len(missing), "fields": ", ".join("{{ " + name + " }}" for name in fields)},
        code="missing_merge_values",
    )


def batch_start(*, batch: Batch, user=None, now=None) -> Batch:
    """Fill a draft batch with its recipients and start it now, or at its scheduled time.

    The recipients are fixed at this moment: later changes to the audience do not
    change a started batch. Suppressions added later are still honoured at send time.
    """
    now = now or timezone.now()
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != Batch.Status.DRAFT:
            raise ValidationError(_("Only a draft batch can be started."))
        if batch.days_before_end is not None:
            batch.scheduled_at = relative_send_at(batch.days_before_end)
            if batch.scheduled_at is None:
                raise ValidationError(
                    _("There is no active campaign whose end the batch could be set against.")
                )
            if batch.scheduled_at <= now:
                raise ValidationError(
                    _("%(days)s days before the end of the online phase (%(when)s) has already passed.")
                    % {
                        "days": batch.days_before_end,
                        "when": formats.date_format(timezone.localtime(batch.scheduled_at), "j F Y"),
                    }
                )
        if batch.audience_id is not None:
            rows, excluded = _recipients_for_audience(batch)
        else:
            rows, excluded = list(batch.recipients.filter(status=Recipient.Status.PENDING)), None
        missing = _missing_values(batch, rows)
        if missing:
            raise _missing_error(missing)
        if batch.audience_id is not None:
            Recipient.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
            batch.excluded = excluded
        later = batch.scheduled_at is not None and batch.scheduled_at > now
        batch.status = Batch.Status.SCHEDULED if later else Batch.Status.SENDING
        batch.started_at = None if later else now
        batch.save(update_fields=["status", "excluded", "started_at", "scheduled_at"])
        log(batch, "jemputbola.batch_start", user=user)
        if not later:
            transaction.on_commit(lambda: batch_chunk_enqueue(batch.pk))
        elif batch_send_can_defer():
            when = batch.scheduled_at
            transaction.on_commit(lambda: batch_chunk_enqueue(batch.pk, run_after=when))
    return batch


def batches_start_due(*, now=None) -> list[int]:
    """Start scheduled batches whose time has come (for task backends that cannot defer,
    and as a safety net: ``manage.py send_due_invitations``)."""
    now = now or timezone.now()
    started = []
    for batch_id in Batch.objects.filter(status=Batch.Status.SCHEDULED, scheduled_at__lte=now).values_list(
        "pk", flat=True
    ):
        if Batch.objects.filter(pk=batch_id, status=Batch.Status.SCHEDULED).update(
            status=Batch.Status.SENDING, started_at=now
        ):
            started.append(batch_id)
            batch_chunk_enqueue(batch_id)
    return started


def _transition(batch, *, allowed, to, user, action, **extra) -> bool:
    changed = Batch.objects.filter(pk=batch.pk, status__in=allowed).update(status=to, **extra)
    if changed:
        batch.refresh_from_db()
        log(batch, action, user=user)
    return bool(changed)


def batch_pause(*, batch: Batch, user=None) -> bool:
    return _transition(
        batch,
        allowed=[Batch.Status.SENDING, Batch.Status.SCHEDULED],
        to=Batch.Status.PAUSED,
        user=user,
        action="jemputbola.batch_pause",
    )


def batch_resume(*, batch: Batch, user=None) -> bool:
    resumed = _transition(
        batch,
        allowed=[Batch.Status.PAUSED],
        to=Batch.Status.SENDING,
        user=user,
        action="jemputbola.batch_resume",
        consecutive_errors=0,
        started_at=Case(When(started_at__isnull=True, then=Value(timezone.now())), default=F("started_at")),
    )
    if resumed:
        transaction.on_commit(lambda: batch_chunk_enqueue(batch.pk))
    return resumed


def batch_cancel(*, batch: Batch, user=None) -> bool:
    """Stop for good: whatever was not sent yet is marked "not sent"."""
    with transaction.atomic():
        cancelled = _transition(
            batch,
            allowed=[Batch.Status.DRAFT, Batch.Status.SCHEDULED, Batch.Status.SENDING, Batch.Status.PAUSED],
            to=Batch.Status.CANCELLED,
            user=user,
            action="jemputbola.batch_cancel",
            finished_at=timezone.now(),
        )
        if cancelled:
            batch.recipients.filter(status=Recipient.Status.PENDING).update(
                status=Recipient.Status.SKIPPED, error=_("Batch cancelled"), status_at=timezone.now()
            )
    return cancelled


def batch_remind(
    *, batch: Batch, after_days: int, template: EmailTemplate | None = None, user=None, now=None
):
    """A reminder batch to everyone of ``batch`` who got the message at least
    ``after_days`` ago and has not answered (nor bounced, complained or unsubscribed)."""
    now = now or timezone.now()
    if batch.channel != Batch.Channel.EMAIL:
        raise ValidationError(_("Only an email batch has reminders."))
    S = Recipient.Status
    due = (
        batch.recipients.filter(
            status__in=[S.SENT, S.DELIVERED],
            answer="",
            sent_at__lte=now - datetime.timedelta(days=after_days),
        )
        .exclude(email__in=Suppression.objects.values("email"))
        .exclude(email__in=Recipient.objects.filter(batch__parent=batch).values("email"))
        .order_by("pk")
    )
    with transaction.atomic():
        reminder = Batch(
            name=_("Reminder: %(name)s") % {"name": batch.name},
            kind=Batch.Kind.REMINDER,
            parent=batch,
            template=template or batch.template,
            audience=None,
            team=batch.team,
            proposed_at=batch.proposed_at,
            rate_per_minute=batch.rate_per_minute,
            chunk_size=batch.chunk_size,
            max_consecutive_errors=batch.max_consecutive_errors,
            created_by=user,
            office=batch.office,
        )
        reminder.full_clean()
        reminder.save()
        rows = [
            Recipient(
                batch=reminder,
                contact_id=r.contact_id,
                institution_id=r.institution_id,
                media_partner_id=r.media_partner_id,
                team_id=r.team_id,
                email=r.email,
                name=r.name,
                language=r.language,
                proposed_at=r.proposed_at,
            )
            for r in due
        ]
        Recipient.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        log(reminder, "wagtail.create", user=user, data={"reminder_of": batch.pk, "recipients": len(rows)})
    return reminder
