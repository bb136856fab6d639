import pytest
from wagtail.models import Page, Site

from tests.factories import HomePageFactory


@pytest.fixture
def home_page(db):
    """A HomePage as the root of the default site, as a real installation has."""
    root = Page.get_first_root_node()
    home = HomePageFactory(parent=root)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page": home,
            "site_name": "Jemput Bola",
        },
    )
    # Wagtail's initial welcome page is not part of our tree.
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    return home
