from django.apps import AppConfig, apps
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "campaign.core"
    label = "core"
    verbose_name = _("Campaign core")

    def ready(self):
        from wagtail.models import AbstractPage
        from wagtail.permissions import register_permission_policy

        from . import checks, exports, throttle  # noqa: F401 - checks registers itself
        from .offices import OfficePagePermissionPolicy
        from .services import roles_sync_after_migrate

        # Page permissions know offices: a regency office's staff edit their section only.
        register_permission_policy(AbstractPage, OfficePagePermissionPolicy())

        exports.install()  # every CSV export, Wagtail's own included, through one safe writer

        post_migrate.connect(roles_sync_after_migrate, sender=self)
        self._connect_page_cache_purge()
        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="core.login_throttle_failed")
        user_logged_in.connect(throttle.on_logged_in, dispatch_uid="core.login_throttle_success")

    def _connect_page_cache_purge(self):
        """Purge the public page cache (and every worker's memo) when something a public
        page shows changes. Wagtail's page signals cover pages; models of our apps opt in
        with ``purges_page_cache = True``; Wagtail's images, documents, tags, sites and
        view restrictions are listed here."""
        from taggit.models import Tag
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import Page, PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from .receivers import purge_page_cache

        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(purge_page_cache, dispatch_uid=f"core-purge-{id(signal)}")
        watched = [get_image_model(), get_document_model(), Tag, Site, PageViewRestriction]
        watched += [model for model in apps.get_models() if getattr(model, "purges_page_cache", False)]
        for model in watched:
            for signal in (post_save, post_delete):
                uid = f"core-purge-{model._meta.label}-{id(signal)}"
                signal.connect(purge_page_cache, sender=model, dispatch_uid=uid)
        # A deleted page; a page made private for some groups.
        post_delete.connect(purge_page_cache, sender=Page, dispatch_uid="core-purge-page-delete")
        m2m_changed.connect(
            purge_page_cache,
            sender=PageViewRestriction.groups.through,
            dispatch_uid="core-purge-restriction-groups",
        )
        # A deploy runs migrate: pages cached from the old templates go too.
        post_migrate.connect(purge_page_cache, sender=self, dispatch_uid="core-purge-migrate")
