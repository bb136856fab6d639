"""Signal receivers: each hands over to a service and holds no rule of its own."""

from . import services


def purge_page_cache(sender, **kwargs):
    """Something shown on public pages changed: a page was published, unpublished, moved
    or deleted, a model a public page shows was saved or deleted, or a deploy ran
    ``migrate``."""
    services.page_cache_purge()
