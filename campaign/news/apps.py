from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "campaign.news"
    label = "news"
    verbose_name = _("News")

    def ready(self):
        from taggit.models import Tag
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import Page, PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from campaign.core.models import Campaign, CampaignSettings

        from .receivers import purge_page_cache, sync_news_workflows

        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(purge_page_cache, dispatch_uid=f"news-purge-{id(signal)}")
        # Page view restrictions: a page made private must leave the page cache and the
        # per-process memo (``memo``) of every worker at once. Page: a deleted page.
        watched = (
            get_image_model(),
            get_document_model(),
            Tag,
            Site,
            Campaign,
            CampaignSettings,
            PageViewRestriction,
        )
        for model in watched:
            for signal in (post_save, post_delete):
                signal.connect(
                    purge_page_cache,
                    sender=model,
                    dispatch_uid=f"news-purge-{model._meta.label}-{id(signal)}",
                )
        post_delete.connect(purge_page_cache, sender=Page, dispatch_uid="news-purge-page-delete")
        m2m_changed.connect(
            purge_page_cache,
            sender=PageViewRestriction.groups.through,
            dispatch_uid="news-purge-restriction-groups",
        )
        post_migrate.connect(sync_news_workflows, sender=self)
        # A deploy runs migrate: pages cached from the old templates go too.
        post_migrate.connect(purge_page_cache, sender=self, dispatch_uid="news-purge-migrate")
