"""The per-process memo of public pages: no queries on a repeat visit, yet a published
edit, a new view restriction or another worker's purge shows at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from campaign.core import memo, pagecache
from campaign.core.models import CampaignSettings
from campaign.news.models import NewsPage
from tests.factories import NewsPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_memo():
    memo.clear()
    yield
    memo.clear()


@pytest.fixture
def post(news_index):
    CampaignSettings.for_site(news_index.get_site())
    post = NewsPageFactory(parent=news_index, title="Sensus dibuka 15 Februari")
    post.save_revision().publish()
    return post


def test_a_repeat_visit_reads_nothing_from_the_database(client, post):
    assert client.get(post.url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(post.url)
    assert response.status_code == 200 and "Sensus dibuka 15 Februari" in response.content.decode()
    assert len(queries) == 0, [query["sql"] for query in queries]


def test_a_published_edit_shows_at_once(client, post):
    client.get(post.url)
    # A change that bypasses publishing is not seen: the page really comes from the memo.
    NewsPage.objects.filter(pk=post.pk).update(title="Diubah diam-diam")
    assert "Sensus dibuka 15 Februari" in client.get(post.url).content.decode()
    post.title = "Sensus diperpanjang hingga 29 Mei 2020"
    post.save_revision().publish()
    assert "Sensus diperpanjang hingga 29 Mei 2020" in client.get(post.url).content.decode()


def test_unpublishing_is_a_404_at_once(client, post):
    client.get(post.url)
    post.unpublish()
    assert client.get(post.url).status_code == 404


def test_a_new_view_restriction_is_enforced_at_once(client, post, news_index):
    assert client.get(post.url).status_code == 200
    restriction = PageViewRestriction.objects.create(
        page=news_index, restriction_type=PageViewRestriction.LOGIN
    )
    assert client.get(post.url).status_code == 302  # to the login page
    restriction.delete()
    assert client.get(post.url).status_code == 200


def test_restrictions_are_checked_on_every_request_not_remembered_as_passed(client, post, django_user_model):
    PageViewRestriction.objects.create(page=post, restriction_type=PageViewRestriction.LOGIN)
    user = django_user_model.objects.create_user("editor", password="x")
    client.force_login(user)
    assert client.get(post.url).status_code == 200
    client.logout()
    assert client.get(post.url).status_code == 302


def test_another_workers_purge_reaches_this_process(client, post):
    """A purge elsewhere only changes the shared generation token: that is enough."""
    client.get(post.url)
    NewsPage.objects.filter(pk=post.pk).update(title="Diubah di tempat lain")
    pagecache.start_new_generation()  # what another host's publish does to the shared cache
    assert "Diubah di tempat lain" in client.get(post.url).content.decode()


def test_a_value_is_kept_only_for_requests_of_its_generation(rf):
    first, second = rf.get("/"), rf.get("/")
    first._page_cache_generation = "a"
    second._page_cache_generation = "b"
    assert memo.get_or_compute(first, "k", lambda: 1) == 1
    assert memo.get_or_compute(second, "k", lambda: 2) == 2
    assert memo.get_or_compute(first, "k", lambda: 3) == 3


def test_the_index_reads_nothing_on_a_repeat_visit_and_shows_a_new_post_at_once(client, post, news_index):
    assert client.get(news_index.url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(news_index.url).status_code == 200
    assert len(queries) == 0, [query["sql"] for query in queries]
    NewsPageFactory(parent=news_index, title="Tim jemput bola tiba di Kupang").save_revision().publish()
    assert "Tim jemput bola tiba di Kupang" in client.get(news_index.url).content.decode()


def test_an_unknown_filter_or_page_stays_a_404(client, post, news_index):
    for _ in range(2):
        assert client.get(news_index.url + "?tag=tidak-ada").status_code == 404
        assert client.get(news_index.url + "?page=9").status_code == 404


def test_remembered_cards_are_per_language(client, news_index):
    import datetime

    CampaignSettings.for_site(news_index.get_site())
    NewsPageFactory(parent=news_index, date=datetime.date(2020, 5, 29)).save_revision().publish()
    assert "29 Mei 2020" in client.get(news_index.url).content.decode()
    english = client.get("/en" + news_index.url).content.decode()
    assert "29 May 2020" in english and "29 Mei 2020" not in english
