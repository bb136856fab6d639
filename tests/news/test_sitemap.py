import re

import pytest
from wagtail.models import PageViewRestriction

from tests.factories import NewsPageFactory

pytestmark = pytest.mark.django_db


def test_sitemap_lists_every_live_public_page_and_nothing_else(client, home_page, news_index):
    live = NewsPageFactory(parent=news_index, title="Terbit")
    draft = NewsPageFactory(parent=news_index, title="Draf", live=False)
    private = NewsPageFactory(parent=news_index, title="Khusus pegawai")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    secret = NewsPageFactory(parent=news_index, title="Berkata sandi")
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="rahasia"
    )
    unpublished = NewsPageFactory(parent=news_index, title="Ditarik")
    unpublished.unpublish()

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    locations = re.findall(r"<loc>([^<]+)</loc>", response.content.decode())
    assert sorted(locations) == sorted(
        f"http://localhost{page.url}" for page in (home_page, news_index, live)
    )
    for page in (draft, private, secret, unpublished):
        assert not any(location.endswith(f"/{page.slug}/") for location in locations)
