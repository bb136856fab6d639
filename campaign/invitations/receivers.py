"""The one anymail tracking receiver: every provider's events go through it.

It must be fast (a slow answer makes the provider retry) and must raise on a real
failure (anymail answers 500, the provider retries, and the duplicate check makes the
retry harmless).
"""

from anymail.signals import tracking
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from campaign.core.models import Campaign, CampaignExtension
from campaign.institutions.signals import contact_erased


@receiver(tracking, dispatch_uid="jemputbola.invitations.tracking")
def tracking_received(sender, event, esp_name, **kwargs):
    from .services import tracking_event_apply

    tracking_event_apply(event=event, esp_name=esp_name)


@receiver(contact_erased, dispatch_uid="jemputbola.invitations.contact_erased")
def contact_erased_received(sender, contact, email, **kwargs):
    from .services import recipients_erase

    recipients_erase(contact=contact, email=email)


@receiver(post_save, sender=Campaign, dispatch_uid="jemputbola.invitations.campaign_saved")
@receiver(post_save, sender=CampaignExtension, dispatch_uid="jemputbola.invitations.extension_saved")
@receiver(post_delete, sender=CampaignExtension, dispatch_uid="jemputbola.invitations.extension_deleted")
def campaign_end_may_have_moved(sender, **kwargs):
    """Batches set "N days before the online phase closes" follow its end."""
    if kwargs.get("raw"):
        return  # loaddata

    def reschedule():
        from .services import batches_reschedule_relative

        batches_reschedule_relative()

    transaction.on_commit(reschedule)
