from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "campaign.institutions"
    label = "institutions"
    verbose_name = _("Institutions")

    def ready(self):
        from . import carryover

        carryover.register()  # its steps of ``campaign_carry_over`` (campaign.core.carryover)
