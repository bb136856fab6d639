"""Writes of the invitations app: templates, audiences, batches and their sending,
tracking events, suppression, unsubscribe and RSVP answers.

Sending never mails an address twice: a worker claims pending recipients with one
conditional UPDATE (``status = pending`` → ``sending``, tagged with the worker's claim)
and only sends what it claimed; each sent message is marked at once. A provider error
stops the chunk and puts the unsent claims back; a re-run sends only those. An error
that does not prove the message was refused (a timeout after the request went out)
leaves that recipient "being sent" and unclaimed, like a worker lost mid-send: the
provider's webhook or staff settle it, no run sends it again (``campaign.core.delivery``).
"""

import datetime
import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from email.utils import formataddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import connection, transaction
from django.db.models import Case, F, Min, Q, Value, When
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.rich_text import expand_db_html

from campaign.core.delivery import Outcome, send_failure_outcome
from campaign.core.ids import parse_id
from campaign.core.worker_loss import task_results_mark_lost
from campaign.institutions.models import Contact, GuidedSession, Team
from campaign.institutions.services import institutions_mark_invited

from . import merge, tokens
from .models import (
    Audience,
    Batch,
    EmailTemplate,
    OutboxMessage,
    Recipient,
    RsvpAnswer,
    Suppression,
    TrackingEvent,
)
from .selectors import audience_contacts, audience_summary, latest_plans

logger = logging.getLogger(__name__)

# A session proposed for a day without a time starts at nine in the morning (WITA).
DEFAULT_SESSION_HOUR = 9
# Check for pause or cancel after this many messages of a chunk.
_STATUS_CHECK_EVERY = 25


def _setting(name, default):
    return getattr(settings, name, default)


# --- Templates and audiences -----------------------------------------------------------


@transaction.atomic
def email_template_save(*, template: EmailTemplate | None = None, user=None, **fields) -> EmailTemplate:
    template = template or EmailTemplate()
    for name, value in fields.items():
        setattr(template, name, value)
    template.full_clean()
    is_new = template.pk is None
    template.save()
    log(template, "wagtail.create" if is_new else "wagtail.edit", user=user)
    return template


@transaction.atomic
def audience_save(
    *, audience: Audience | None = None, kinds=None, regions=None, teams=None, user=None, **fields
) -> Audience:
    audience = audience or Audience()
    for name, value in fields.items():
        setattr(audience, name, value)
    audience.full_clean()
    is_new = audience.pk is None
    audience.save()
    if kinds is not None:
        audience.kinds.set(kinds)
    if regions is not None:
        audience.regions.set(regions)
    if teams is not None:
        audience.teams.set(teams)
    log(audience, "wagtail.create" if is_new else "wagtail.edit", user=user)
    return audience


# --- Batches ---------------------------------------------------------------------------


@transaction.atomic
def batch_save(*, batch: Batch | None = None, user=None, **fields) -> Batch:
    """Create or change a batch (its sending is ``batch_start``'s); the creator is kept."""
    batch = batch or Batch()
    for name, value in fields.items():
        setattr(batch, name, value)
    if batch.created_by_id is None and getattr(user, "is_authenticated", False):
        batch.created_by = user
    batch.full_clean()
    is_new = batch.pk is None
    batch.save()
    log(batch, "wagtail.create" if is_new else "wagtail.edit", user=user)
    return batch


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
    """Recipient rows (unsaved) for every eligible address of the batch's audience."""
    audience = batch.audience
    summary = audience_summary(audience=audience)
    eligible = set(summary.eligible)
    contacts = (
        audience_contacts(audience=audience)
        .order_by("pk")
        .values_list("pk", "email", "name", "preferred_language", "institution_id", "media_partner_id")
    )
    plans = {}
    if audience.target == Audience.Target.INSTITUTIONS:
        plans = latest_plans(
            institutions=audience_contacts(audience=audience).values("institution_id"), week=audience.week
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
    }


def _missing_values(batch: Batch, rows: list[Recipient]) -> list[MissingValue]:
    """Which of ``rows`` (saved or not) lack a value the template needs outside every
    optional [[ … ]] block."""
    links = _Links()
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
        language = row.language if row.language in ("id", "en") else "id"
        if language not in compiled:
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
            missing.append(MissingValue(row.name, row.email, organisation, lacking))
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
        batch.save(update_fields=["status", "excluded", "started_at"])
        log(batch, "jemputbola.batch_start", user=user)
        if not later:
            transaction.on_commit(lambda: _enqueue_chunk(batch.pk))
        elif _backend_can_defer():
            when = batch.scheduled_at
            transaction.on_commit(lambda: _enqueue_chunk(batch.pk, run_after=when))
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
            _enqueue_chunk(batch_id)
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
        transaction.on_commit(lambda: _enqueue_chunk(batch.pk))
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


# --- Sending ---------------------------------------------------------------------------


def _backend_can_defer() -> bool:
    from .tasks import batch_send_task

    return batch_send_task.get_backend().supports_defer


def _enqueue_chunk(batch_id, *, run_after=None, delay=0.0):
    from .tasks import batch_send_task

    task = batch_send_task
    if run_after is None and delay > 0:
        run_after = timezone.now() + datetime.timedelta(seconds=delay)
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(batch_id)


@dataclass
class ChunkResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    uncertain: int = 0
    error: str = ""
    more: bool = False
    paused: bool = False
    seconds: float = 0.0


class _Links:
    """Per-batch values shared by every recipient: the guide and the press room."""

    def __init__(self):
        from campaign.materials import selectors as materials
        from campaign.materials.models import PressRoomPage

        guide = materials.guide_default()
        self.guide_id = guide.pk if guide else None
        room = PressRoomPage.objects.live().public().first()
        self.press_room = (
            (settings.BASE_URL + room.url) if room is not None and room.url else settings.BASE_URL
        )
        self.organisation = materials.campaign_settings()
        self._dates = {}
        self._ends = {}
        from campaign.core.models import Campaign

        campaign = Campaign.objects.filter(is_active=True).prefetch_related("extensions").first()
        self.campaign_end_date = campaign.effective_end if campaign is not None else None

    def campaign_end(self, language):
        """The last day of the active campaign's online phase, extensions included."""
        if self.campaign_end_date is None:
            return ""
        if language not in self._ends:
            with translation.override(language):
                self._ends[language] = formats.date_format(self.campaign_end_date, "j F Y")
        return self._ends[language]

    def guide(self, institution_id):
        if not (self.guide_id and institution_id):
            return ""
        from campaign.materials.tokens import guide_download_url

        return guide_download_url(guide_id=self.guide_id, institution_id=institution_id)

    def press(self, contact_id, media_partner_id):
        if media_partner_id and contact_id:
            from campaign.materials.tokens import press_preview_url

            return press_preview_url(contact_id=contact_id)
        return self.press_room

    def date(self, value, language):
        if value is None:
            return ""
        key = (value, language)
        if key not in self._dates:
            with translation.override(language):
                self._dates[key] = formats.date_format(timezone.localtime(value), "l, j F Y, H.i") + " WITA"
        return self._dates[key]


def compile_template(*, template: EmailTemplate, language: str, organisation=None) -> merge.Compiled:
    """Render the layout once with placeholders left in, for ``merge.Compiled.render``."""
    subject, body, button = template.version(language)
    body_html = expand_db_html(body)
    context = {
        **merge.placeholders(),
        "body": mark_safe(body_html),  # noqa: S308 - editor rich text, expanded by Wagtail
        "body_text": merge.html_to_text(body_html),
        "button_label": button,
        "organisation": organisation,
        "language": language,
    }
    with translation.override(language):
        html = render_to_string("invitations/email/message.html", context)
        text = render_to_string("invitations/email/message.txt", context)
    return merge.Compiled(subject=subject, html=html, text=text)


def merge_values(recipient: Recipient, links: _Links) -> dict[str, str]:
    contact = recipient.contact
    organisation = recipient.organisation
    return {
        "contact_name": recipient.name,
        "contact_position": contact.position if contact else "",
        "institution": str(organisation) if organisation else "",
        "team": recipient.team.name if recipient.team_id else "",
        "session_date": links.date(recipient.proposed_at, recipient.language),
        "campaign_end": links.campaign_end(recipient.language),
        "rsvp_link": tokens.rsvp_url(recipient.pk),
        "guide_link": links.guide(recipient.institution_id),
        "press_room_link": links.press(recipient.contact_id, recipient.media_partner_id),
        "unsubscribe_link": tokens.unsubscribe_url(recipient.pk),
    }


def build_message(*, recipient: Recipient, compiled: merge.Compiled, values: dict) -> EmailMultiAlternatives:
    """One invitation; raises merge.HeaderInjection when a name or subject spans lines."""
    rendered = compiled.render(values)
    to = (
        formataddr((merge.check_header(recipient.name), recipient.email))
        if recipient.name
        else recipient.email
    )
    unsubscribe = values["unsubscribe_link"]
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    message.metadata = {"recipient": str(recipient.pk), "batch": str(recipient.batch_id)}
    message.tags = ["invitation"]
    return message


def _mark_uncertain(recipient, claim, error) -> int:
    """The provider may have accepted this message: keep the row "being sent" but
    unclaimed, so no run sends it again; its webhook or staff settle it."""
    return Recipient.objects.filter(pk=recipient.pk, claim=claim, status=Recipient.Status.SENDING).update(
        claim="",
        error=(
            _(
                "The provider's answer was lost: it may have gone out. Check the provider's "
                "log before sending it again. (%(error)s)"
            )
            % {"error": error}
        )[:500],
    )


def _release(claim, *, error=""):
    """Put unsent claims back: pending again, or "not sent" if the batch was cancelled."""
    now = timezone.now()
    mine = Recipient.objects.filter(claim_filter(claim))
    mine.filter(batch__status=Batch.Status.CANCELLED).update(
        status=Recipient.Status.SKIPPED, claimed_at=None, status_at=now, error=_("Batch cancelled")
    )
    fields = {"status": Recipient.Status.PENDING, "claimed_at": None, "claim": ""}
    if error:
        fields["error"] = error[:500]
    return mine.update(**fields)


def batches_recover_interrupted(*, stale_after=None, now=None) -> dict:
    """After a worker died mid-chunk (killed, host lost), put its claims back.

    A chunk sends its claimed rows in id order and marks each one sent as soon as the
    provider accepts it, so of a dead claim's rows still "being sent" only the first may
    have reached the provider. It stays "being sent", unclaimed and flagged: the
    provider's webhook (which carries the recipient id) moves it on if it did go out, and
    staff may send it again after checking (``recipients_send_again``). Every other row
    goes back to pending, every sending batch with pending rows gets a chunk queued (and
    one with none left is finished), so nobody is mailed twice and nobody is skipped.
    Claims younger than ``stale_after`` seconds (``INVITATIONS_STALE_CLAIM_SECONDS``,
    15 minutes) belong to live workers.
    """
    now = now or timezone.now()
    stale_after = stale_after if stale_after is not None else _setting("INVITATIONS_STALE_CLAIM_SECONDS", 900)
    stale = Recipient.objects.filter(
        status=Recipient.Status.SENDING, claimed_at__lt=now - datetime.timedelta(seconds=stale_after)
    ).exclude(claim="")
    released = uncertain = 0
    for row in stale.values("claim").annotate(first=Min("pk")):
        with transaction.atomic():
            uncertain += Recipient.objects.filter(pk=row["first"], claim=row["claim"]).update(
                claim="",
                error=_(
                    "Interrupted while being handed to the provider: it may have gone out. "
                    "Check the provider's log before sending it again."
                ),
            )
            released += _release(row["claim"])
    requeued = []
    for batch in Batch.objects.filter(status=Batch.Status.SENDING):
        if batch.recipients.filter(status=Recipient.Status.PENDING).exists():
            _enqueue_chunk(batch.pk)
            requeued.append(batch.pk)
        else:
            _batch_finish_if_done(batch)
    from .tasks import batch_send_task

    # A chunk outliving the staleness would have had its claims released above too.
    lost = task_results_mark_lost(
        task=batch_send_task, started_before=now - datetime.timedelta(seconds=stale_after)
    )
    return {"released": released, "uncertain": uncertain, "requeued": requeued, "lost_tasks": lost}


def recipients_send_again(*, batch: Batch, user=None) -> int:
    """Staff checked the provider's log: send the interrupted rows of a batch again."""
    count = batch.recipients.filter(status=Recipient.Status.SENDING, claim="").update(
        status=Recipient.Status.PENDING, claimed_at=None, error=""
    )
    if count:
        log(batch, "wagtail.edit", user=user)
        # A batch finished around its flagged rows opens again for them.
        Batch.objects.filter(pk=batch.pk, status=Batch.Status.DONE).update(
            status=Batch.Status.SENDING, finished_at=None
        )
        if Batch.objects.filter(pk=batch.pk, status=Batch.Status.SENDING).exists():
            transaction.on_commit(lambda: _enqueue_chunk(batch.pk))
    return count


def claim_filter(claim):
    return Q(claim=claim, status=Recipient.Status.SENDING)


def batch_send_chunk(*, batch_id: int) -> ChunkResult:
    """Claim and send up to ``chunk_size`` pending recipients of a sending batch."""
    started = time.perf_counter()
    result = ChunkResult()
    batch = Batch.objects.select_related("template").filter(pk=batch_id).first()
    if batch is not None and batch.status == Batch.Status.SCHEDULED and batch.scheduled_at <= timezone.now():
        # The deferred task of a scheduled batch: its time has come.
        if Batch.objects.filter(pk=batch.pk, status=Batch.Status.SCHEDULED).update(
            status=Batch.Status.SENDING, started_at=timezone.now()
        ):
            batch.status = Batch.Status.SENDING
    if batch is None or batch.status != Batch.Status.SENDING:
        return result
    ids = list(
        batch.recipients.filter(status=Recipient.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[: batch.chunk_size]
    )
    if not ids:
        _batch_finish_if_done(batch)
        return result
    claim = uuid.uuid4().hex
    now = timezone.now()
    # The claim: only rows still pending change, so two workers never get the same row.
    result.claimed = Recipient.objects.filter(pk__in=ids, status=Recipient.Status.PENDING).update(
        status=Recipient.Status.SENDING, claim=claim, claimed_at=now, attempts=F("attempts") + 1
    )
    if not result.claimed:
        result.more = True
        return result
    claimed = list(
        Recipient.objects.filter(claim_filter(claim))
        .select_related("contact", "institution", "media_partner", "team")
        .order_by("pk")
    )
    suppressed = set(
        Suppression.objects.filter(email__in=[r.email for r in claimed]).values_list("email", flat=True)
    )
    if suppressed:
        result.skipped = Recipient.objects.filter(claim_filter(claim), email__in=suppressed).update(
            status=Recipient.Status.SKIPPED, status_at=now, error=_("Address is suppressed")
        )
        claimed = [r for r in claimed if r.email not in suppressed]

    links = _Links()
    compiled = {}
    invited = []
    connection = mailers.default
    try:
        connection.open()
        for index, recipient in enumerate(claimed):
            if index and index % _STATUS_CHECK_EVERY == 0:
                status = Batch.objects.filter(pk=batch.pk).values_list("status", flat=True).first()
                if status != Batch.Status.SENDING:
                    result.paused = True
                    break
            language = recipient.language if recipient.language in ("id", "en") else "id"
            if language not in compiled:
                compiled[language] = compile_template(
                    template=batch.template, language=language, organisation=links.organisation
                )
            try:
                message = build_message(
                    recipient=recipient, compiled=compiled[language], values=merge_values(recipient, links)
                )
            except merge.Unrenderable as error:
                _mark_failed(recipient, claim, _unrenderable_reason(error))
                result.failed += 1
                continue
            try:
                connection.send_messages([message])
            except Exception as error:  # noqa: BLE001 - any provider failure stops the chunk
                result.error = f"{type(error).__name__}: {error}"[:500]
                outcome = send_failure_outcome(error)
                if outcome is Outcome.UNCERTAIN:
                    result.uncertain += _mark_uncertain(recipient, claim, result.error)
                logger.warning(
                    "batch %s: provider error at recipient %s (%s): %s",
                    batch.pk,
                    recipient.pk,
                    outcome,
                    result.error,
                )
                break
            if _mark_sent(recipient, claim, message):
                result.sent += 1
                if recipient.institution_id:
                    invited.append(recipient.institution_id)
            else:
                result.failed += 1
    finally:
        connection.close()
        _release(claim, error=result.error)
        if invited:
            institutions_mark_invited(institution_ids=invited)

    if result.error:
        _batch_error(batch, result.error)
        batch.refresh_from_db(fields=["status"])
        result.paused = batch.status == Batch.Status.PAUSED
    elif result.sent:
        Batch.objects.filter(pk=batch.pk, consecutive_errors__gt=0).update(consecutive_errors=0)
    result.more = not result.paused and batch.recipients.filter(status=Recipient.Status.PENDING).exists()
    if not result.more:
        _batch_finish_if_done(batch)
    result.seconds = time.perf_counter() - started
    return result


def _unrenderable_reason(error: merge.Unrenderable) -> str:
    if isinstance(error, merge.MissingValues):
        return _("Not sent: no value for %(fields)s.") % {"fields": ", ".join(error.fields)}
    return _("Refused: a line break in the name or subject (header injection).")


def _mark_sent(recipient, claim, message) -> bool:
    status = getattr(message, "anymail_status", None)
    message_id, refused = "", False
    if status is not None:
        per_recipient = status.recipients.get(recipient.email)
        if per_recipient is not None:
            message_id = per_recipient.message_id
            refused = per_recipient.status in ("rejected", "invalid", "failed")
        elif status.message_id is not None:
            message_id = status.message_id
    message_id = "" if message_id is None else str(message_id)
    now = timezone.now()
    if refused:
        _mark_failed(recipient, claim, _("The provider refused the address."), message_id=message_id[:255])
        return False
    # A webhook may have moved the row on already (delivered before we got here).
    # Plain SQL: this runs once per message, and the ORM's CASE expressions cost more
    # than the write itself.
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_recipient_table()} SET "  # noqa: S608 - our identifiers; values are parameters
            "status = CASE WHEN status = %s THEN %s ELSE status END, "
            "status_at = CASE WHEN status = %s THEN %s ELSE status_at END, "
            "message_id = %s, sent_at = %s, claim = '', error = '' WHERE id = %s",
            [
                Recipient.Status.SENDING,
                Recipient.Status.SENT,
                Recipient.Status.SENDING,
                stamp,
                message_id[:255],
                stamp,
                recipient.pk,
            ],
        )
    return True


def _recipient_table():
    return connection.ops.quote_name(Recipient._meta.db_table)


def _mark_failed(recipient, claim, error, *, message_id=""):
    Recipient.objects.filter(pk=recipient.pk, claim=claim, status=Recipient.Status.SENDING).update(
        status=Recipient.Status.FAILED,
        status_at=timezone.now(),
        error=error[:500],
        claim="",
        message_id=message_id,
    )


def _batch_error(batch, error):
    Batch.objects.filter(pk=batch.pk).update(consecutive_errors=F("consecutive_errors") + 1, last_error=error)
    paused = Batch.objects.filter(
        pk=batch.pk, status=Batch.Status.SENDING, consecutive_errors__gte=F("max_consecutive_errors")
    ).update(status=Batch.Status.PAUSED)
    if paused:
        logger.warning("batch %s paused after %s errors in a row", batch.pk, batch.max_consecutive_errors)


def _batch_finish_if_done(batch):
    # Rows flagged by batches_recover_interrupted (being sent, no claim) wait for the
    # provider's webhook or for staff, not for a worker: they don't keep a batch open.
    busy = batch.recipients.filter(
        Q(status=Recipient.Status.PENDING) | (Q(status=Recipient.Status.SENDING) & ~Q(claim=""))
    ).exists()
    if not busy:
        Batch.objects.filter(pk=batch.pk, status=Batch.Status.SENDING).update(
            status=Batch.Status.DONE, finished_at=timezone.now()
        )


def chunk_delay(*, batch: Batch, result: ChunkResult) -> float:
    """Seconds until the next chunk may start: the rate limit, or a back-off after errors."""
    if result.error:
        errors = Batch.objects.filter(pk=batch.pk).values_list("consecutive_errors", flat=True).first() or 1
        return min(30 * 2 ** (errors - 1), 1800)
    if not batch.rate_per_minute:
        return 0.0
    return max(0.0, result.claimed * 60 / batch.rate_per_minute - result.seconds)


# --- Tracking --------------------------------------------------------------------------

_RANK = {
    Recipient.Status.PENDING: 0,
    Recipient.Status.SKIPPED: 0,
    Recipient.Status.SENDING: 1,
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
    table = _recipient_table()
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
    stamp = connection.ops.adapt_datetimefield_value(when)
    sets, params = [], []
    status = _EVENT_STATUS.get(event_type)
    if status is not None:
        lower = [
            name for name, rank in _RANK.items() if rank < _RANK[status] and name != Recipient.Status.SKIPPED
        ]
        moves = f"status IN ({', '.join(['%s'] * len(lower))})"
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
    if not sets:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_recipient_table()} SET {', '.join(sets)} WHERE id = %s",  # noqa: S608 - see above
            [*params, recipient_id],
        )


def _apply_to_address(email, event, esp_name, *, kind, recipient_id):
    Reason = Suppression.Reason
    detail = str(event.mta_response or event.description or "")[:500]
    if event.event_type == "complained":
        suppression_add(email=email, reason=Reason.COMPLAINT, source=esp_name, detail=detail)
    elif event.event_type == "unsubscribed":
        suppression_add(email=email, reason=Reason.UNSUBSCRIBED, source=esp_name, detail=detail)
    elif event.event_type == "bounced" and kind == "hard":
        suppression_add(email=email, reason=Reason.HARD_BOUNCE, source=esp_name, detail=detail)
    elif event.event_type == "rejected" and event.reject_reason == "invalid":
        suppression_add(email=email, reason=Reason.HARD_BOUNCE, source=esp_name, detail=detail)
    elif event.event_type == "bounced" and kind == "soft":
        limit = _setting("INVITATIONS_SOFT_BOUNCE_LIMIT", 3)
        if TrackingEvent.objects.filter(email=email, bounce_kind="soft").count() >= limit:
            suppression_add(
                email=email,
                reason=Reason.SOFT_BOUNCES,
                source=esp_name,
                detail=_("%(count)d soft bounces. Last: %(detail)s") % {"count": limit, "detail": detail},
            )


# --- Suppression and unsubscribe --------------------------------------------------------


def suppression_add(*, email: str, reason: str, source: str = "", detail: str = "") -> Suppression:
    """Suppress an address for every later send; the first reason recorded is kept."""
    suppression, _created = Suppression.objects.get_or_create(
        email=email.strip().lower(),
        defaults={"reason": reason, "source": source[:100], "detail": detail[:500]},
    )
    return suppression


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


# --- RSVP ------------------------------------------------------------------------------


@dataclass
class RsvpResult:
    recipient: Recipient
    changed: bool
    answer: RsvpAnswer | None = None


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
    Recipient.objects.filter(pk__in=ids).update(name="", email="", error="")
    events = TrackingEvent.objects.filter(recipient_id__in=ids)
    if email:
        events = TrackingEvent.objects.filter(Q(recipient_id__in=ids) | Q(email__iexact=email))
    events.update(email="", detail="")
    RsvpAnswer.objects.filter(recipient_id__in=ids).update(note="")
    if email:
        OutboxMessage.objects.filter(to__icontains=email).delete()
    return len(ids)


def rsvp_record(
    *, recipient: Recipient, answer: str, proposed_at=None, note: str = "", now=None
) -> RsvpResult:
    """Record a contact's answer. The same answer again changes nothing; a different one
    replaces it, is logged, and moves (or cancels) the planned guided session."""
    from campaign.institutions.services import session_record

    now = now or timezone.now()
    if answer not in Recipient.Answer.values:
        raise ValidationError({"answer": _("Choose an answer.")})
    if answer == Recipient.Answer.PROPOSE:
        if proposed_at is None:
            raise ValidationError({"proposed_at": _("Give the date and time that suits you.")})
        if proposed_at <= now:
            raise ValidationError({"proposed_at": _("The proposed time has already passed.")})
        if recipient.team_id:
            from campaign.institutions.services import session_check_in_campaign

            try:
                session_check_in_campaign(team=recipient.team, starts_at=proposed_at)
            except ValidationError as error:
                raise ValidationError({"proposed_at": error.message_dict["starts_at"]}) from None
    else:
        proposed_at = None
    with transaction.atomic():
        recipient = (
            Recipient.objects.select_for_update(of=("self",))
            .select_related("institution", "team", "session", "batch")
            .get(pk=recipient.pk)
        )
        if recipient.answer == answer and recipient.answer_time == proposed_at:
            return RsvpResult(recipient=recipient, changed=False)
        logged = RsvpAnswer.objects.create(
            recipient=recipient, answer=answer, proposed_at=proposed_at, note=note[:500]
        )
        recipient.answer, recipient.answered_at, recipient.answer_time = answer, now, proposed_at
        starts_at = proposed_at or recipient.proposed_at
        session = recipient.session
        if session is not None and session.status not in (
            GuidedSession.Status.PLANNED,
            GuidedSession.Status.RESCHEDULED,
        ):
            session = None  # held or cancelled sessions are history, not to be moved
        if (
            answer != Recipient.Answer.DECLINE
            and recipient.institution_id
            and recipient.team_id
            and starts_at
        ):
            if session is None:
                session = (
                    GuidedSession.objects.filter(
                        institution_id=recipient.institution_id,
                        team_id=recipient.team_id,
                        status=GuidedSession.Status.PLANNED,
                    )
                    .order_by("starts_at")
                    .first()
                )
            note_text = _("Answer to the invitation “%(batch)s” by %(name)s.") % {
                "batch": recipient.batch.name,
                "name": recipient.name,
            }
            recipient.session = session_record(
                session=session,
                institution=recipient.institution,
                team=recipient.team,
                starts_at=starts_at,
                status=GuidedSession.Status.PLANNED,
                notes=(note_text + ("\n" + note if note else ""))[:2000],
            )
        elif answer == Recipient.Answer.DECLINE and session is not None:
            session_record(session=session, status=GuidedSession.Status.CANCELLED)
        recipient.save(update_fields=["answer", "answered_at", "answer_time", "session"])
        log(recipient.batch, "jemputbola.rsvp", data={"recipient": recipient.pk, "answer": answer})
        answer_id = logged.pk
        transaction.on_commit(lambda: _enqueue_confirmation(answer_id))
    return RsvpResult(recipient=recipient, changed=True, answer=logged)


def _enqueue_confirmation(answer_id):
    from .tasks import rsvp_confirmation_task

    rsvp_confirmation_task.enqueue(answer_id)


def rsvp_confirmation_send(*, answer_id: int) -> bool:
    """Mail the contact what we recorded, with the session as an .ics attachment."""
    from .ics import session_ics

    logged = (
        RsvpAnswer.objects.select_related(
            "recipient__batch",
            "recipient__institution",
            "recipient__media_partner",
            "recipient__team",
            "recipient__session",
        )
        .filter(pk=answer_id)
        .first()
    )
    if logged is None:
        return False
    recipient = logged.recipient
    # Only the latest answer is confirmed: an older queued one is stale.
    if recipient.answers.order_by("-created_at", "-pk").values_list("pk", flat=True).first() != logged.pk:
        return False
    if Suppression.objects.filter(email=recipient.email, reason=Suppression.Reason.COMPLAINT).exists():
        return False
    from campaign.materials.selectors import campaign_settings

    session = recipient.session
    language = recipient.language if recipient.language in ("id", "en") else "id"
    context = {
        "recipient": recipient,
        "answer": logged,
        "session": session,
        "organisation": campaign_settings(),
        "rsvp_link": tokens.rsvp_url(recipient.pk),
    }
    try:
        with translation.override(language):
            subject = merge.check_header(
                _("Your answer: %(answer)s") % {"answer": recipient.get_answer_display()}
                + (f" — {recipient.organisation}" if recipient.organisation else "")
            )
        to = (
            formataddr((merge.check_header(recipient.name), recipient.email))
            if recipient.name
            else recipient.email
        )
    except merge.HeaderInjection:
        # As for invitations: a line break in a header value is never sent.
        logger.warning("RSVP answer %s: no confirmation, a line break in a header value", logged.pk)
        return False
    with translation.override(language):
        text = render_to_string("invitations/email/confirmation.txt", context)
        html = render_to_string("invitations/email/confirmation.html", context)
        summary = _("Census guidance session: %(institution)s") % {
            "institution": recipient.organisation or ""
        }
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    message.metadata = {"rsvp_answer": str(logged.pk)}
    if session is not None:
        ics = session_ics(
            uid=f"session-{session.pk}",
            starts_at=session.starts_at,
            summary=summary,
            description=session.team.name if session.team_id else "",
            location=recipient.institution.address if recipient.institution_id else "",
            sequence=recipient.answers.count(),
            cancelled=session.status == GuidedSession.Status.CANCELLED,
        )
        message.attach("undangan.ics", ics, "text/calendar")
    message.send(using="default")
    return True


# --- Test send -------------------------------------------------------------------------


def template_preview(*, template: EmailTemplate, recipient: Recipient | None = None, language: str = "id"):
    """The rendered message for a chosen recipient (or sample values), without sending."""
    links = _Links()
    if recipient is not None:
        language = recipient.language if recipient.language in ("id", "en") else "id"
        values = merge_values(recipient, links)
    else:
        values = sample_values(language=language, links=links)
    compiled = compile_template(template=template, language=language, organisation=links.organisation)
    # A preview shows what a recipient lacks instead of refusing (``rendered.missing``).
    return compiled.render(values, strict=False), values


def sample_values(*, language="id", links: _Links | None = None) -> dict[str, str]:
    base = settings.BASE_URL
    campaign_end = links.campaign_end(language) if links is not None else ""
    return {
        "contact_name": "Maria Ndun",
        "contact_position": "Sekretaris Dinas",
        "institution": "Dinas Kependudukan dan Pencatatan Sipil Kota Kupang",
        "team": "Tim 1",
        "session_date": "Senin, 24 Februari 2020, 09.00 WITA"
        if language == "id"
        else "Monday, 24 February 2020, 09:00 WITA",
        "campaign_end": campaign_end or ("29 Mei 2020" if language == "id" else "29 May 2020"),
        "rsvp_link": f"{base}/undangan/contoh/",
        "guide_link": f"{base}/materi/panduan-instansi/contoh/",
        "press_room_link": f"{base}/",
        "unsubscribe_link": f"{base}/undangan/berhenti/contoh/",
    }


def template_test_send(
    *, template: EmailTemplate, user, recipient: Recipient | None = None, language="id"
) -> str:
    """Send the preview to the editor's own address (never to the recipient)."""
    if not getattr(user, "email", ""):
        raise ValidationError(_("Your account has no email address."))
    rendered, values = template_preview(template=template, recipient=recipient, language=language)
    message = EmailMultiAlternatives(
        subject=merge.check_header("[TEST] " + rendered.subject),
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send(using="default")
    log(template, "jemputbola.test_send", user=user, data={"to": user.email})
    return user.email
