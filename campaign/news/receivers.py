"""Signal receivers: each hands over to a service and holds no rule of its own."""

from . import services


def purge_page_cache(sender, **kwargs):
    """Something shown on public pages changed: a page was published, unpublished or
    moved, an image, a document, a tag, a site or the campaign settings were saved, or
    a deploy ran ``migrate``."""
    services.page_cache_purge()


def sync_news_workflows(sender, **kwargs):
    """post_migrate: every news index keeps the approval workflow."""
    services.news_workflows_sync()
