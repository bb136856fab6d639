from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "campaign.core"
    label = "core"
    verbose_name = _("Campaign core")

    def ready(self):
        from .services import roles_sync_after_migrate

        post_migrate.connect(roles_sync_after_migrate, sender=self)
