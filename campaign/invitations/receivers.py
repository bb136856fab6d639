"""The one anymail tracking receiver: every provider's events go through it.

It must be fast (a slow answer makes the provider retry) and must raise on a real
failure (anymail answers 500, the provider retries, and the duplicate check makes the
retry harmless).
"""

from anymail.signals import tracking
from django.dispatch import receiver

from campaign.institutions.signals import contact_erased


@receiver(tracking, dispatch_uid="jemputbola.invitations.tracking")
def tracking_received(sender, event, esp_name, **kwargs):
    from .services import tracking_event_apply

    tracking_event_apply(event=event, esp_name=esp_name)


@receiver(contact_erased, dispatch_uid="jemputbola.invitations.contact_erased")
def contact_erased_received(sender, contact, email, **kwargs):
    from .services import recipients_erase

    recipients_erase(contact=contact, email=email)
