"""Sending a batch, chunk by chunk (see the package's docstring for the claim rule), and
queueing the next chunk; the interrupted sends recovered."""

import datetime
import logging
import time
import uuid
from dataclasses import dataclass
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.rich_text import expand_db_html

from campaign.core.delivery import Outcome, send_failure_outcome
from campaign.core.worker_loss import task_results_mark_lost
from campaign.institutions.services import institutions_mark_invited

from .. import merge, tokens
from ..models import (
    PHONE_CHANNELS,
    Batch,
    EmailTemplate,
    Recipient,
    Suppression,
)

logger = logging.getLogger(__name__)

# The "sent" marks of a chunk are written together, one statement for this many
# messages (or for what was sent in _MARK_SECONDS, with a slow provider); pause and
# cancel are checked at the same moments. Crash recovery relies on it: at most
# _MARK_EVERY rows of a claim can have gone out unmarked (``batches_recover_interrupted``).
_MARK_EVERY = 250
_MARK_SECONDS = 2.0


def _setting(name, default):
    return getattr(settings, name, default)


def batch_send_can_defer() -> bool:
    """Whether the task backend can hold a chunk until a given time (the database backend
    can; the immediate one of tests cannot)."""
    from ..tasks import batch_send_task

    return batch_send_task.get_backend().supports_defer


def batch_chunk_enqueue(batch_id, *, run_after=None, delay=0.0):
    """Queue the next chunk of a batch: at ``run_after``, or ``delay`` seconds from now (the
    rate limit), when the backend can defer; at once otherwise."""
    from ..tasks import batch_send_task

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


class MessageLinks:
    """Per-batch values shared by every recipient: the guide and the press room."""

    def __init__(self, batch=None):
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

        campaigns = Campaign.objects.prefetch_related("extensions")
        campaign = None
        if batch is not None and batch.audience_id:
            # The batch's campaign (its audience's): a batch of a campaign prepared while
            # another runs names its own end, not the running one's.
            from ..models import Audience

            audience = Audience.objects.filter(pk=batch.audience_id, campaign__isnull=False)
            campaign = campaigns.filter(pk__in=audience.values("campaign_id")).first()
        if campaign is None:
            campaign = campaigns.filter(is_active=True).first()
        self.campaign_end_date = campaign.effective_end if campaign is not None else None

    def campaign_end(self, language):
        """The last day of the online phase, extensions included, of the batch's campaign
        (its audience's), else of the active campaign."""
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

    def progress(self, institution_id):
        if not institution_id:
            return ""
        from campaign.institutions.completion import completion_url

        return completion_url(institution_id=institution_id)

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


def merge_values(recipient: Recipient, links: MessageLinks, language: str = "") -> dict[str, str]:
    """The values of a message's merge fields, dates in ``language`` (the message's; by
    default the recipient's)."""
    language = language or recipient.language
    contact = recipient.contact
    organisation = recipient.organisation
    return {
        "contact_name": recipient.name,
        "contact_position": contact.position if contact else "",
        "institution": str(organisation) if organisation else "",
        "team": recipient.team.name if recipient.team_id else "",
        "session_date": links.date(recipient.proposed_at, language),
        "campaign_end": links.campaign_end(language),
        "rsvp_link": tokens.rsvp_url(recipient.pk),
        "guide_link": links.guide(recipient.institution_id),
        "progress_link": links.progress(recipient.institution_id),
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
    return _mark_uncertain_many([recipient.pk], claim, error)


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

    A chunk sends its claimed rows in id order and writes their "sent" marks together
    every ``_MARK_EVERY`` messages, so of a dead claim's rows still "being sent" only
    the first ``_MARK_EVERY`` (in id order) may have reached the provider: those sent
    since the last write and the one in flight. They become "uncertain": the provider's
    webhook (which carries the recipient id) moves on each one that did go out, and
    staff may send the rest again after checking (``recipients_send_again``). Every other row
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
    for claim in set(stale.values_list("claim", flat=True)):
        with transaction.atomic():
            mine = Recipient.objects.filter(claim_filter(claim))
            # A letter chunk numbers in one transaction: its claimed rows were not
            # numbered, and simply go back to pending.
            unmarked = list(
                mine.exclude(channel=Batch.Channel.LETTER)
                .order_by("pk")
                .values_list("pk", flat=True)[:_MARK_EVERY]
            )
            uncertain += mine.filter(pk__in=unmarked).update(
                status=Recipient.Status.UNCERTAIN,
                status_at=now,
                claim="",
                error=_(
                    "Interrupted while being handed to the provider: it may have gone out. "
                    "Check the provider's log before sending it again."
                ),
            )
            released += _release(claim)
    requeued = []
    for batch in Batch.objects.filter(status=Batch.Status.SENDING):
        if batch.recipients.filter(status=Recipient.Status.PENDING).exists():
            batch_chunk_enqueue(batch.pk)
            requeued.append(batch.pk)
        else:
            _batch_finish_if_done(batch)
    from ..tasks import batch_send_task

    # A chunk outliving the staleness would have had its claims released above too.
    lost = task_results_mark_lost(
        task=batch_send_task, started_before=now - datetime.timedelta(seconds=stale_after)
    )
    return {"released": released, "uncertain": uncertain, "requeued": requeued, "lost_tasks": lost}


def recipients_send_again(*, batch: Batch, user=None) -> int:
    """Staff checked the provider's log: send the uncertain rows of a batch again."""
    count = batch.recipients.filter(status=Recipient.Status.UNCERTAIN).update(
        status=Recipient.Status.PENDING, status_at=timezone.now(), claim="", claimed_at=None, error=""
    )
    if count:
        log(batch, "wagtail.edit", user=user)
        # A batch finished around its flagged rows opens again for them.
        Batch.objects.filter(pk=batch.pk, status=Batch.Status.DONE).update(
            status=Batch.Status.SENDING, finished_at=None
        )
        if Batch.objects.filter(pk=batch.pk, status=Batch.Status.SENDING).exists():
            transaction.on_commit(lambda: batch_chunk_enqueue(batch.pk))
    return count


def claim_filter(claim):
    return Q(claim=claim, status=Recipient.Status.SENDING)


class _Marks:
    """What a chunk learnt from the provider and has not written yet: the rows it
    accepted (with their message ids) and the rows refused or impossible to write."""

    def __init__(self):
        self.sent = []  # (recipient id, message id)
        self.failed = []  # (recipient, error, message id)
        self.since = time.monotonic()

    def __len__(self):
        return len(self.sent) + len(self.failed)

    def due(self) -> bool:
        return len(self) >= _MARK_EVERY or (len(self) and time.monotonic() - self.since >= _MARK_SECONDS)


def _marks_write(marks: _Marks, claim) -> None:
    """One UPDATE for every accepted row, one more for the refused or unrenderable ones."""
    if marks.sent:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        cases = " ".join(["WHEN %s THEN %s"] * len(marks.sent))
        ids = ", ".join(["%s"] * len(marks.sent))
        moving = (Recipient.Status.SENDING, Recipient.Status.UNCERTAIN)
        # A webhook may have moved a row on already (delivered before we got here); a
        # row a too-early recovery flagged uncertain did go out.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {recipient_table()} SET "  # noqa: S608 - our identifiers; values are parameters
                "status = CASE WHEN status IN (%s, %s) THEN %s ELSE status END, "
                "status_at = CASE WHEN status IN (%s, %s) THEN %s ELSE status_at END, "
                f"message_id = CASE id {cases} ELSE message_id END, "
                f"sent_at = %s, claim = '', error = '' WHERE id IN ({ids})",
                [
                    *moving,
                    Recipient.Status.SENT,
                    *moving,
                    now,
                    *(value for pk, message_id in marks.sent for value in (pk, message_id)),
                    now,
                    *(pk for pk, _message_id in marks.sent),
                ],
            )
    if marks.failed:
        _marks_write_failed(marks.failed, claim)
    marks.sent, marks.failed = [], []
    marks.since = time.monotonic()


def batch_send_chunk(*, batch_id: int) -> ChunkResult:
    """Claim and send up to ``chunk_size`` pending recipients of a sending batch.

    One provider call per message, or (``batch_send_fields``: a provider with batch
    sending, switched on by ``INVITATIONS_BATCH_SEND``) one call for up to
    ``_MARK_EVERY`` recipients (``_send_batched``); the "sent" marks are written
    together, one UPDATE for up to ``_MARK_EVERY`` messages, so a chunk costs a fixed number of statements
    (about 20, plus two per ``_MARK_EVERY`` messages: at most 28 for the largest chunk)
    instead of one per message. Exactly once still holds: whatever ends the chunk (the
    last message, a pause, a provider error, any exception) writes the marks before the
    unsent claims are put back; an ambiguous provider error makes its row uncertain
    and the rows accepted before it sent; a worker killed before it could write leaves
    at most ``_MARK_EVERY`` accepted rows "being sent", which crash recovery makes
    uncertain (``batches_recover_interrupted``). ``sent_at`` is the time of the write,
    within ``_MARK_EVERY`` messages or ``_MARK_SECONDS`` of the hand-over.
    """
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
    if batch.channel == Batch.Channel.LETTER:
        return _letters_chunk(batch, claim, result, started)
    if batch.channel in PHONE_CHANNELS:
        from .phone_sending import phone_chunk

        return phone_chunk(batch, claim, result, started)
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

    links = MessageLinks(batch)
    compiled = {}
    invited = []
    marks = _Marks()
    mailer = mailers.default
    fields = batch_send_fields(mailer)
    try:
        mailer.open()
        if fields is not None:
            # One provider call for up to fields.size recipients (anymail batch sending).
            _send_batched(batch, claimed, claim, fields, links, compiled, marks, mailer, result, invited)
            claimed = []
        for recipient in claimed:
            if marks.due():
                _marks_write(marks, claim)
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
                marks.failed.append((recipient, _unrenderable_reason(error), ""))
                result.failed += 1
                continue
            try:
                mailer.send_messages([message])
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
            if _mark_sent(recipient, message, marks):
                result.sent += 1
                if recipient.institution_id:
                    invited.append(recipient.institution_id)
            else:
                result.failed += 1
    finally:
        mailer.close()
        # The marks first: put back, an accepted row would be sent again. If writing
        # them fails, nothing is put back: recovery treats the claim as a dead one.
        _marks_write(marks, claim)
        _release(claim, error=result.error)
        if invited:
            institutions_mark_invited(institution_ids=invited)

    return chunk_finish(batch, result, started)


def chunk_finish(batch: Batch, result: ChunkResult, started: float) -> ChunkResult:
    """The end of every chunk: errors counted (and the batch paused after too many),
    whether more is pending, the batch finished when nothing is."""
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


def _letters_chunk(batch, claim, result: ChunkResult, started) -> ChunkResult:
    """A letter batch's chunk: its claimed recipients numbered and written (no provider;
    ``services.letters``). A failure rolls the chunk's numbers back and puts it back."""
    from .letters import letters_number

    numbered = None
    try:
        numbered = letters_number(batch=batch, claim=claim)
        result.sent, result.failed = numbered.sent, numbered.failed
    except Exception as error:  # noqa: BLE001 - any failure puts the chunk back
        result.error = f"{type(error).__name__}: {error}"[:500]
        logger.warning("letter batch %s: numbering failed: %s", batch.pk, result.error)
    finally:
        _release(claim, error=result.error)
    if numbered is not None and numbered.institution_ids:
        institutions_mark_invited(institution_ids=numbered.institution_ids)
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


def _mark_sent(recipient, message, marks: _Marks) -> bool:
    """Note the provider's answer for ``recipient``; False when it refused the address."""
    status = getattr(message, "anymail_status", None)
    message_id, refused = "", False
    if status is not None:
        per_recipient = status.recipients.get(recipient.email)
        if per_recipient is not None:
            message_id = per_recipient.message_id
            refused = per_recipient.status in ("rejected", "invalid", "failed")
        elif status.message_id is not None:
            message_id = status.message_id
    message_id = ("" if message_id is None else str(message_id))[:255]
    if refused:
        marks.failed.append((recipient, _("The provider refused the address."), message_id))
        return False
    marks.sent.append((recipient.pk, message_id))
    return True


def recipient_table():
    """The recipient table's quoted name, for the conditional UPDATEs written in SQL."""
    return connection.ops.quote_name(Recipient._meta.db_table)


def _batch_error(batch, error):
    Batch.objects.filter(pk=batch.pk).update(consecutive_errors=F("consecutive_errors") + 1, last_error=error)
    paused = Batch.objects.filter(
        pk=batch.pk, status=Batch.Status.SENDING, consecutive_errors__gte=F("max_consecutive_errors")
    ).update(status=Batch.Status.PAUSED)
    if paused:
        logger.warning("batch %s paused after %s errors in a row", batch.pk, batch.max_consecutive_errors)


def _batch_finish_if_done(batch):
    # Uncertain rows wait for the provider's webhook or for staff, not for a worker:
    # they don't keep a batch open.
    busy = batch.recipients.filter(status__in=[Recipient.Status.PENDING, Recipient.Status.SENDING]).exists()
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


def _marks_write_failed(failed, claim) -> None:
    """The refused and unrenderable rows of a write, in one UPDATE (each its own error
    and message id)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    errors = " ".join(["WHEN %s THEN %s"] * len(failed))
    ids = ", ".join(["%s"] * len(failed))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {recipient_table()} SET status = %s, status_at = %s, claim = '', "  # noqa: S608 - our identifiers; values are parameters
            f"error = CASE id {errors} ELSE error END, message_id = CASE id {errors} ELSE message_id END "
            f"WHERE id IN ({ids}) AND claim = %s AND status = %s",
            [
                Recipient.Status.FAILED,
                now,
                *(value for recipient, error, _id in failed for value in (recipient.pk, error[:500])),
                *(value for recipient, _error, message_id in failed for value in (recipient.pk, message_id)),
                *(recipient.pk for recipient, _error, _id in failed),
                claim,
                Recipient.Status.SENDING,
            ],
        )


# --- Batch sending: one provider call for many recipients (issue 20) -----------------------


@dataclass(frozen=True)
class BatchFields:
    """How a provider takes one call for many recipients: each recipient's message is
    rendered here, as on the per-message path, and handed over whole as three merge
    fields (``merge_data``) that the message's subject, text and HTML consist of, in the
    provider's own merge syntax; or a template stored at the provider that consists of
    them (``template_id``)."""

    subject: str
    html: str
    text: str
    template_id: str = ""
    size: int = _MARK_EVERY


# The providers whose on-the-fly merge we know puts a value in as it is (no escaping):
# anymail's esp_name → their merge fields for the whole subject, HTML and text.
BATCH_FIELDS = {
    # anymail's test backend records merge_data and substitutes nothing.
    "Test": BatchFields(subject="{{subject}}", html="{{html}}", text="{{text}}"),
    # Mailgun: recipient-variables, "%recipient.KEY%" anywhere in the message.
    "Mailgun": BatchFields(subject="%recipient.subject%", html="%recipient.html%", text="%recipient.text%"),
}


def batch_send_fields(mailer) -> BatchFields | None:
    """The batch-sending fields of ``mailer``'s provider, or None for one call per message.

    Off unless ``INVITATIONS_BATCH_SEND`` is set. ``INVITATIONS_BATCH_FIELDS`` (a dict
    of ``BatchFields``' names) describes a provider not in ``BATCH_FIELDS``, e.g. Postmark
    with a stored template whose subject is ``{{subject}}``, HTML ``{{{html}}}`` and text
    ``{{{text}}}``: ``{"template_id": "<its alias>", "subject": "", "html": "", "text": ""}``.
    A provider anymail cannot batch-send through, or that nobody described, keeps the
    per-message path."""
    if not _setting("INVITATIONS_BATCH_SEND", False):
        return None
    configured = _setting("INVITATIONS_BATCH_FIELDS", None)
    if configured:
        fields = BatchFields(**configured)
    else:
        fields = BATCH_FIELDS.get(getattr(mailer, "esp_name", None))
    if fields is None:
        return None
    # Crash recovery flags the first _MARK_EVERY claimed rows of a dead worker: one call's.
    return (
        fields if 0 < fields.size <= _MARK_EVERY else BatchFields(**{**fields.__dict__, "size": _MARK_EVERY})
    )


def _send_batched(batch, claimed, claim, fields, links, compiled, marks, mailer, result, invited):
    """Send ``claimed`` (in id order) by calls of up to ``fields.size`` recipients.

    After each call its marks are written (one UPDATE), and the pause check runs before
    the next, so a worker that dies leaves at most one call's rows handed over unmarked:
    the first still-claimed rows, which ``batches_recover_interrupted`` flags uncertain.
    A call that fails: refused (proves nothing went out), the chunk stops and its unsent
    claims go back; ambiguous, every recipient of that call becomes uncertain (one
    UPDATE) and the rest go back. A recipient the provider refuses within an accepted
    call is failed, as on the per-message path.
    """
    position = 0
    while position < len(claimed):
        if position:
            _marks_write(marks, claim)
            status = Batch.objects.filter(pk=batch.pk).values_list("status", flat=True).first()
            if status != Batch.Status.SENDING:
                result.paused = True
                return
        group, addresses = [], set()
        while position < len(claimed) and len(group) < fields.size:
            recipient = claimed[position]
            if recipient.email.lower() in addresses:
                break  # merge data is keyed by address: the same one twice goes in the next call
            position += 1
            language = recipient.language if recipient.language in ("id", "en") else "id"
            if language not in compiled:
                compiled[language] = compile_template(
                    template=batch.template, language=language, organisation=links.organisation
                )
            values = merge_values(recipient, links)
            try:
                rendered = compiled[language].render(values)
                to = (
                    formataddr((merge.check_header(recipient.name), recipient.email))
                    if recipient.name
                    else recipient.email
                )
            except merge.Unrenderable as error:
                marks.failed.append((recipient, _unrenderable_reason(error), ""))
                result.failed += 1
                continue
            addresses.add(recipient.email.lower())
            group.append((recipient, to, rendered, values["unsubscribe_link"]))
        if not group:
            continue
        message = _batch_message(batch, group, fields)
        try:
            mailer.send_messages([message])
        except Exception as error:  # noqa: BLE001 - any provider failure stops the chunk
            result.error = f"{type(error).__name__}: {error}"[:500]
            outcome = send_failure_outcome(error)
            if outcome is Outcome.UNCERTAIN:
                result.uncertain += _mark_uncertain_many([r.pk for r, *_rest in group], claim, result.error)
            logger.warning(
                "batch %s: provider error on a call of %s recipients from %s (%s): %s",
                batch.pk,
                len(group),
                group[0][0].pk,
                outcome,
                result.error,
            )
            return
        for recipient, *_rest in group:
            if _mark_sent(recipient, message, marks):
                result.sent += 1
                if recipient.institution_id:
                    invited.append(recipient.institution_id)
            else:
                result.failed += 1


def _batch_message(batch, group, fields: BatchFields) -> EmailMultiAlternatives:
    """One message to every recipient of ``group``: anymail sends each its own copy, with
    its own merge data (its whole rendered subject, text and HTML), unsubscribe headers
    and metadata (the recipient id the tracking webhooks find it by)."""
    message = EmailMultiAlternatives(
        subject=fields.subject,
        body=fields.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to for _recipient, to, _rendered, _unsubscribe in group],
    )
    if fields.html:
        message.attach_alternative(fields.html, "text/html")
    if fields.template_id:
        message.template_id = fields.template_id
        if not fields.subject:
            message.subject = None  # the stored template's (anymail's convention)
    message.merge_data = {
        recipient.email: {"subject": rendered.subject, "html": rendered.html, "text": rendered.text}
        for recipient, _to, rendered, _unsubscribe in group
    }
    message.merge_headers = {
        recipient.email: {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        for recipient, _to, _rendered, unsubscribe in group
    }
    message.merge_metadata = {
        recipient.email: {"recipient": str(recipient.pk)} for recipient, _to, _rendered, _unsubscribe in group
    }
    message.metadata = {"batch": str(batch.pk)}
    message.tags = ["invitation"]
    return message


def _mark_uncertain_many(pks, claim, error) -> int:
    """The provider may have accepted these messages (one call, or one message): each
    row becomes "uncertain", which no run sends again; its webhook or staff settle it."""
    return Recipient.objects.filter(pk__in=pks, claim=claim, status=Recipient.Status.SENDING).update(
        status=Recipient.Status.UNCERTAIN,
        status_at=timezone.now(),
        claim="",
        error=(
            _(
                "The provider's answer was lost: it may have gone out. Check the provider's "
                "log before sending it again. (%(error)s)"
            )
            % {"error": error}
        )[:500],
    )
