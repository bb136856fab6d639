from django.dispatch import Signal

# Sent after new or corrected official figures are written (public pages purge on it).
figures_changed = Signal()


def purge_public_pages(sender, **kwargs):
    """New or corrected figures: the public progress page and widget (and every other
    cached public page, the cache knows no finer purge) render again on the next visit.
    Imports send ``figures_changed`` once per write, after the commit."""
    from campaign.core.services import page_cache_purge

    page_cache_purge()
