"""Answers to an invitation (accept, decline, propose a date) and their confirmation
mail; an answer moves or cancels the planned guided session."""

import logging
from dataclasses import dataclass
from email.utils import formataddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from campaign.institutions.models import GuidedSession

from .. import merge, tokens
from ..models import (
    Recipient,
    RsvpAnswer,
    Suppression,
)

logger = logging.getLogger(__name__)


@dataclass
class RsvpResult:
    recipient: Recipient
    changed: bool
    answer: RsvpAnswer | None = None


def rsvp_record(
    *, recipient: Recipient, answer: str, proposed_at=None, note: str = "", now=None, channel: str = ""
) -> RsvpResult:
    """Record a contact's answer. The same answer again changes nothing; a different one
    replaces it, is logged, and moves (or cancels) the planned guided session. ``channel``
    is the one the link named (the recipient's own when empty)."""
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
    if answer == Recipient.Answer.ACCEPT and recipient.proposed_at and recipient.proposed_at <= now:
        # The time the invitation offered is behind us: a session there cannot be planned.
        raise ValidationError(
            {"answer": _("The time we proposed has already passed: please propose another time.")}
        )
    with transaction.atomic():
        recipient = (
            Recipient.objects.select_for_update(of=("self",))
            .select_related("institution", "team", "session", "batch")
            .get(pk=recipient.pk)
        )
        if recipient.answer == answer and recipient.answer_time == proposed_at:
            return RsvpResult(recipient=recipient, changed=False)
        logged = RsvpAnswer.objects.create(
            recipient=recipient,
            answer=answer,
            proposed_at=proposed_at,
            note=note[:500],
            channel=channel or recipient.channel,
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
    from ..tasks import rsvp_confirmation_task

    rsvp_confirmation_task.enqueue(answer_id)


def rsvp_confirmation_send(*, answer_id: int) -> bool:
    """Mail the contact what we recorded, with the session as an .ics attachment."""
    from ..ics import session_ics

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
    if not recipient.email:  # a letter's addressee answered through its QR code
        return False
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
