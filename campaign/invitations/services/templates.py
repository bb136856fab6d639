"""Email templates and audiences: what a batch says and to whom; the preview and the
test send an editor checks a template with."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from campaign.core.offices import office_of
from campaign.core.services import validated_save

from .. import merge
from ..models import (
    Audience,
    EmailTemplate,
    Recipient,
)
from .batches import DEFAULT_SESSION_HOUR
from .sending import MessageLinks, compile_template, merge_values


@transaction.atomic
def email_template_save(*, template: EmailTemplate | None = None, user=None, **fields) -> EmailTemplate:
    template = template or EmailTemplate()
    for name, value in fields.items():
        setattr(template, name, value)
    return validated_save(template, user=user)


@transaction.atomic
def audience_save(
    *, audience: Audience | None = None, kinds=None, regions=None, teams=None, user=None, **fields
) -> Audience:
    audience = audience or Audience()
    for name, value in fields.items():
        setattr(audience, name, value)
    if audience.pk is None and audience.office_id is None:
        audience.office = office_of(user)
    validated_save(audience, user=user)
    if kinds is not None:
        audience.kinds.set(kinds)
    if regions is not None:
        audience.regions.set(regions)
    if teams is not None:
        audience.teams.set(teams)
    return audience


# --- Test send -------------------------------------------------------------------------


def template_preview(*, template: EmailTemplate, recipient: Recipient | None = None, language: str = "id"):
    """The rendered message for a chosen recipient (or sample values), without sending."""
    links = MessageLinks()
    if recipient is not None:
        language = recipient.language if recipient.language in ("id", "en") else "id"
        values = merge_values(recipient, links)
    else:
        values = sample_values(language=language, links=links)
    compiled = compile_template(template=template, language=language, organisation=links.organisation)
    # A preview shows what a recipient lacks instead of refusing (``rendered.missing``).
    return compiled.render(values, strict=False), values


def sample_values(*, language="id", links: MessageLinks | None = None) -> dict[str, str]:
    """Values for a preview without a recipient: dates on today's calendar (a session next
    Monday at nine, the active campaign's end), so the sample reads like a real message."""
    base = settings.BASE_URL
    links = links or MessageLinks()
    now = timezone.localtime()
    monday = (now + datetime.timedelta(days=7 - now.weekday())).replace(
        hour=DEFAULT_SESSION_HOUR, minute=0, second=0, microsecond=0
    )
    campaign_end = links.campaign_end(language)
    if not campaign_end:  # no active campaign: four weeks on
        with translation.override(language):
            campaign_end = formats.date_format(now.date() + datetime.timedelta(days=28), "j F Y")
    return {
        "contact_name": "Maria Ndun",
        "contact_position": "Sekretaris Dinas",
        "institution": "Dinas Kependudukan dan Pencatatan Sipil Kota Kupang",
        "team": "Tim 1",
        "session_date": links.date(monday, language),
        "campaign_end": campaign_end,
        "rsvp_link": f"{base}/undangan/contoh/",
        "guide_link": f"{base}/materi/panduan-instansi/contoh/",
        "progress_link": f"{base}/lapor-progres/contoh/",
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
