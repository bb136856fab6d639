from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponseConfig(AppConfig):
    name = "campaign.response"
    label = "response"
    verbose_name = _("Official online response")

    def ready(self):
        from . import carryover
        from .signals import figures_changed, purge_public_pages

        carryover.register()  # its steps of ``campaign_carry_over`` (campaign.core.carryover)

        figures_changed.connect(purge_public_pages, dispatch_uid="response-purge-public-pages")
