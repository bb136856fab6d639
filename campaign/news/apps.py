from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "campaign.news"
    label = "news"
    verbose_name = _("News")

    def ready(self):
        from .receivers import sync_news_workflows

        post_migrate.connect(sync_news_workflows, sender=self)
