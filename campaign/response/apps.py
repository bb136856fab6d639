from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponseConfig(AppConfig):
    name = "campaign.response"
    label = "response"
    verbose_name = _("Official online response")
