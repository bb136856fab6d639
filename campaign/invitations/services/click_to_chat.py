"""WhatsApp click-to-chat from the batch's recipient list: staff open ``wa.me`` with the
contact's personal RSVP link written in, and their own WhatsApp sends it (no provider,
so no opt-in template; an unsubscribe from WhatsApp is still honoured). Each tap is kept
as a message sent by WhatsApp, by that user (``ChatTap``), and the link says "whatsapp",
so the answer it brings is attributed to it."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from .. import tokens
from ..models import ChannelSuppression, ChatTap, Recipient


def click_to_chat_phone(recipient: Recipient) -> str:
    """The number click-to-chat would open: the row's own (a WhatsApp or SMS batch's), else
    its contact's; empty when there is none or the contact cannot be reached."""
    contact = recipient.contact
    if contact is None or contact.erased_at is not None or contact.opted_out_at is not None:
        return ""
    return recipient.phone or contact.phone or ""


def click_to_chat_text(recipient: Recipient) -> str:
    language = recipient.language if recipient.language in ("id", "en") else "id"
    organisation = recipient.organisation
    with translation.override(language):
        return _(
            "Dear %(name)s, %(sender)s invites %(institution)s to a guided session for the online "
            "census. Please answer here: %(url)s"
        ) % {
            "name": recipient.name,
            "sender": _("BPS"),
            "institution": str(organisation) if organisation else "",
            "url": tokens.rsvp_url(recipient.pk, "whatsapp"),
        }


def chat_tap_record(*, recipient: Recipient, user) -> str:
    """Record the tap and return the wa.me URL to open; ValidationError when the contact
    has no number, opted out, was erased or unsubscribed from WhatsApp."""
    phone = click_to_chat_phone(recipient)
    if not phone:
        raise ValidationError(_("This contact has no phone number that may be used."))
    if ChannelSuppression.objects.filter(channel="whatsapp", phone=phone).exists():
        raise ValidationError(_("This number unsubscribed from WhatsApp."))
    ChatTap.objects.create(
        recipient=recipient, user=user if getattr(user, "is_authenticated", False) else None
    )
    return f"https://wa.me/{phone.lstrip('+')}?{urlencode({'text': click_to_chat_text(recipient)})}"
