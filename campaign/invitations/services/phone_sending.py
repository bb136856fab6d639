"""WhatsApp and SMS batches: who they reach (contacts with a phone; for WhatsApp only
those who opted in), the text of each message, and the chunk that sends them through the
channel's backend (``campaign.invitations.channels``).

The chunk keeps the email path's exactly-once rules (see the package docstring): it
sends only the rows it claimed, writes the "sent" marks together with ``_marks_write``
(one UPDATE per ``_MARK_EVERY`` messages, always before unsent claims are put back), a
refusal stops the chunk and releases the rest, an ambiguous failure (a timeout after the
request went out) makes that one row "uncertain". A refusal about one number only (not a
WhatsApp account, an invalid number) fails that row and the chunk goes on.
"""

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.core.delivery import Outcome, send_failure_outcome
from campaign.institutions.services import institutions_mark_invited

from .. import merge, tokens
from ..channels import PhoneMessage, get_backend
from ..channels.segments import sms_plain
from ..models import Audience, Batch, ChannelSuppression, Recipient
from ..models.messaging import whatsapp_language_for
from ..selectors import audience_contacts, latest_plans, purposes_confirmed
from .sending import (
    ChunkResult,
    MessageLinks,
    _mark_uncertain,
    _Marks,
    _marks_write,
    _release,
    _unrenderable_reason,
    chunk_finish,
    claim_filter,
    merge_values,
)

logger = logging.getLogger(__name__)

NO_OPT_IN = "no_whatsapp_opt_in"


def phone_recipients_for_audience(batch: Batch) -> tuple[list[Recipient], dict]:
    """Recipient rows (unsaved) of a WhatsApp or SMS batch: one per contact with a phone
    (and one per number). A WhatsApp batch adds the contacts without an opt-in as rows
    "not sent" with the reason, so staff see whom to ask; it never sends to them."""
    from .batches import _session_time

    audience = batch.audience
    channel = batch.channel
    confirmed = purposes_confirmed(campaign=audience.campaign)
    suppressed = set(ChannelSuppression.objects.filter(channel=channel).values_list("phone", flat=True))
    contacts = (
        audience_contacts(audience=audience, office=batch.office)
        .order_by("pk")
        .values_list(
            "pk",
            "phone",
            "name",
            "preferred_language",
            "institution_id",
            "media_partner_id",
            "opted_out_at",
            "erased_at",
            "whatsapp_opt_in_at",
        )
    )
    plans = {}
    if audience.target == Audience.Target.INSTITUTIONS:
        plans = latest_plans(
            institutions=audience_contacts(audience=audience, office=batch.office).values("institution_id"),
            week=audience.week,
        )
    rows, excluded, seen, selected = [], {}, set(), 0
    now = timezone.now()
    for (
        pk,
        phone,
        name,
        language,
        institution_id,
        media_partner_id,
        opted_out,
        erased,
        opt_in,
    ) in contacts.iterator(chunk_size=5000):
        selected += 1
        reason = None
        if erased is not None:
            reason = "erased"
        elif opted_out is not None:
            reason = "opted_out"
        elif confirmed is not None and pk not in confirmed:
            reason = "purpose_unconfirmed"
        elif not phone:
            reason = "no_phone"
        elif phone in suppressed:
            reason = "suppressed_phone"
        elif phone in seen:
            reason = "duplicate_phone"
        if reason:
            excluded[reason] = excluded.get(reason, 0) + 1
            continue
        seen.add(phone)
        team_id, day = plans.get(institution_id, (batch.team_id, None))
        row = Recipient(
            batch=batch,
            channel=channel,
            contact_id=pk,
            institution_id=institution_id,
            media_partner_id=media_partner_id,
            team_id=team_id or batch.team_id,
            phone=phone,
            name=name,
            language=language or "id",
            proposed_at=_session_time(day, batch.proposed_at),
        )
        if channel == Batch.Channel.WHATSAPP and opt_in is None:
            row.status = Recipient.Status.SKIPPED
            row.status_at = now
            row.error = _("No WhatsApp opt-in recorded for this contact: not sent.")
            excluded[NO_OPT_IN] = excluded.get(NO_OPT_IN, 0) + 1
        rows.append(row)
    return rows, {"selected": selected, "excluded": excluded}


def compile_phone(batch: Batch) -> merge.Compiled:
    """What a recipient's message needs, for the missing-values check and the SMS text."""
    if batch.channel == Batch.Channel.WHATSAPP:
        return merge.Compiled(
            subject="", html="", text=" ".join("{{ " + n + " }}" for n in batch.whatsapp_fields())
        )
    return merge.Compiled(subject="", html="", text=sms_plain(batch.sms_text))


def phone_language(batch: Batch, recipient: Recipient) -> str:
    """The language a WhatsApp or SMS message is written in: the template's version for
    the contact's language when it is approved in it, else its first; an SMS text has one
    version, in the site's language. Its dates follow it."""
    if batch.channel == Batch.Channel.WHATSAPP:
        return whatsapp_language_for(batch.whatsapp_language, recipient.language)
    return settings.LANGUAGE_CODE


def phone_values(recipient: Recipient, links: MessageLinks, language: str = "") -> dict[str, str]:
    """The merge values of a WhatsApp or SMS message: an RSVP link that says its channel
    (for SMS the short one), no unsubscribe link (the channels have their own STOP)."""
    values = merge_values(recipient, links, language.split("_")[0])
    if recipient.channel == Batch.Channel.SMS:
        values["rsvp_link"] = tokens.short_url(recipient.pk, "sms")
    else:
        values["rsvp_link"] = tokens.rsvp_url(recipient.pk, recipient.channel)
    return values


def phone_message(*, batch: Batch, recipient: Recipient, compiled: merge.Compiled, links) -> PhoneMessage:
    """Raises merge.Unrenderable when a required value is missing."""
    language = phone_language(batch, recipient)
    values = phone_values(recipient, links, language)
    rendered = compiled.render(values)
    message = PhoneMessage(
        recipient_id=recipient.pk,
        batch_id=batch.pk,
        channel=batch.channel,
        to=recipient.phone,
        text=rendered.text,
    )
    if batch.channel == Batch.Channel.WHATSAPP:
        message.template = batch.whatsapp_template
        message.language = language
        message.parameters = [values.get(name, "") for name in batch.whatsapp_fields()]
        message.text = " | ".join(message.parameters)
    return message


def phone_chunk(batch: Batch, claim: str, result: ChunkResult, started: float) -> ChunkResult:
    """Send a WhatsApp or SMS batch's claimed rows (``batch_send_chunk`` claimed them)."""
    now = timezone.now()
    claimed = list(
        Recipient.objects.filter(claim_filter(claim))
        .select_related("contact", "institution", "media_partner", "team")
        .order_by("pk")
    )
    # Checked again at sending time: an unsubscribe or a withdrawn opt-in since the start.
    suppressed = set(
        ChannelSuppression.objects.filter(
            channel=batch.channel, phone__in=[r.phone for r in claimed]
        ).values_list("phone", flat=True)
    )
    skipped = {r.pk: _("Number is suppressed for this channel") for r in claimed if r.phone in suppressed}
    if batch.channel == Batch.Channel.WHATSAPP:
        for r in claimed:
            if r.pk not in skipped and (r.contact is None or r.contact.whatsapp_opt_in_at is None):
                skipped[r.pk] = _("No WhatsApp opt-in recorded for this contact: not sent.")
    for reason in set(skipped.values()):
        result.skipped += Recipient.objects.filter(
            claim_filter(claim), pk__in=[pk for pk, why in skipped.items() if why == reason]
        ).update(status=Recipient.Status.SKIPPED, status_at=now, claim="", error=reason)
    claimed = [r for r in claimed if r.pk not in skipped]

    links = MessageLinks(batch)
    compiled = compile_phone(batch)
    invited = []
    marks = _Marks()
    backend = None
    try:
        backend = get_backend(batch.channel)
        backend.open()
        for recipient in claimed:
            if marks.due():
                _marks_write(marks, claim)
                status = Batch.objects.filter(pk=batch.pk).values_list("status", flat=True).first()
                if status != Batch.Status.SENDING:
                    result.paused = True
                    break
            try:
                message = phone_message(batch=batch, recipient=recipient, compiled=compiled, links=links)
            except merge.Unrenderable as error:
                marks.failed.append((recipient, _unrenderable_reason(error), ""))
                result.failed += 1
                continue
            try:
                message_id = backend.send(message)
            except Exception as error:  # noqa: BLE001 - any provider failure stops the chunk
                refused = backend.refuses_recipient(error)
                if refused:
                    marks.failed.append((recipient, refused, ""))
                    result.failed += 1
                    continue
                result.error = f"{type(error).__name__}: {error}"[:500]
                outcome = send_failure_outcome(error)
                if outcome is Outcome.UNCERTAIN:
                    result.uncertain += _mark_uncertain(recipient, claim, result.error)
                logger.warning(
                    "%s batch %s: provider error at recipient %s (%s): %s",
                    batch.channel,
                    batch.pk,
                    recipient.pk,
                    outcome,
                    result.error,
                )
                break
            marks.sent.append((recipient.pk, str(message_id or "")[:255]))
            result.sent += 1
            if recipient.institution_id:
                invited.append(recipient.institution_id)
    except Exception as error:  # noqa: BLE001 - a backend that cannot start puts the chunk back
        if not result.error:
            result.error = f"{type(error).__name__}: {error}"[:500]
            logger.warning("%s batch %s: %s", batch.channel, batch.pk, result.error)
    finally:
        if backend is not None:
            backend.close()
        _marks_write(marks, claim)
        _release(claim, error=result.error)
        if invited:
            institutions_mark_invited(institution_ids=invited)
    return chunk_finish(batch, result, started)
