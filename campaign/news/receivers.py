"""Signal receivers: each hands over to a service and holds no rule of its own."""

from . import services


def sync_news_workflows(sender, **kwargs):
    """post_migrate: every news index keeps the approval workflow."""
    services.news_workflows_sync()
