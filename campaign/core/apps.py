from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "campaign.core"
    label = "core"
    verbose_name = _("Campaign core")

    def ready(self):
        from . import checks, exports, throttle  # noqa: F401 - checks registers itself
        from .services import roles_sync_after_migrate

        exports.install()  # every CSV export, Wagtail's own included, through one safe writer

        post_migrate.connect(roles_sync_after_migrate, sender=self)
        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="core.login_throttle_failed")
        user_logged_in.connect(throttle.on_logged_in, dispatch_uid="core.login_throttle_success")
