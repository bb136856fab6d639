from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "campaign.invitations"
    label = "invitations"
    verbose_name = _("Invitations")

    def ready(self):
        from . import carryover, receivers  # noqa: F401 - connects the anymail tracking receiver

        carryover.register()  # its steps of ``campaign_carry_over`` (campaign.core.carryover)
