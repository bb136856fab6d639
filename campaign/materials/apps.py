from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaterialsConfig(AppConfig):
    name = "campaign.materials"
    label = "materials"
    verbose_name = _("Materials")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Revision
        from wagtail.signals import page_published, page_unpublished

        from . import carryover, embargo

        carryover.register()  # its steps of ``campaign_carry_over`` (campaign.core.carryover)

        # What the public may fetch changes with every page saved, scheduled, published,
        # unpublished or deleted (campaign.materials.embargo).
        for model in _page_models():
            label = model._meta.label
            post_save.connect(embargo.index_page_now, sender=model, dispatch_uid=f"embargo.index.{label}")
            post_delete.connect(embargo.forget, sender=model, dispatch_uid=f"embargo.delete.{label}")
        post_save.connect(embargo.forget, sender=Revision, dispatch_uid="embargo.revision")
        page_published.connect(embargo.forget, dispatch_uid="embargo.published")
        page_unpublished.connect(embargo.forget, dispatch_uid="embargo.unpublished")


def _page_models():
    from wagtail.models import get_page_models

    return get_page_models()
