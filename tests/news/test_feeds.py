import datetime

import feedparser
import pytest
from wagtail.models import PageViewRestriction

from tests.factories import NewsPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(news_index):
    return {
        "dibuka": NewsPageFactory(
            parent=news_index,
            title="Sensus Penduduk Online Dibuka",
            lead="Isi di sensus.bps.go.id dengan KK & NIK.",
            date=datetime.date(2020, 2, 15),
            tags=["sensus online"],
        ),
        "rakorcam": NewsPageFactory(
            parent=news_index,
            title="Rakorcam di Kabupaten Kupang",
            date=datetime.date(2020, 3, 2),
            tags=["rakorcam"],
        ),
        "diperpanjang": NewsPageFactory(
            parent=news_index,
            title="Sensus Online Diperpanjang hingga 29 Mei 2020",
            date=datetime.date(2020, 3, 31),
            tags=["sensus online", "perpanjangan"],
        ),
    }


def _parse(client, url, content_type):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize(
    ("url", "content_type", "version"),
    [
        ("/feeds/news/rss.xml", "application/rss+xml", "rss20"),
        ("/feeds/news/atom.xml", "application/atom+xml", "atom10"),
    ],
)
def test_feeds_list_live_posts_newest_first(client, posts, news_index, url, content_type, version):
    NewsPageFactory(parent=news_index, title="Draf", live=False)
    private = NewsPageFactory(parent=news_index, title="Khusus pegawai")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    feed = _parse(client, url, content_type)

    assert feed.version == version
    assert feed.feed.link == f"http://testserver{news_index.url}"
    assert [entry.title for entry in feed.entries] == [
        posts["diperpanjang"].title,
        posts["rakorcam"].title,
        posts["dibuka"].title,
    ]
    first = feed.entries[0]
    assert first.link == f"http://testserver{posts['diperpanjang'].url}"
    assert first.published_parsed[:3] == (2020, 3, 31)
    assert {tag.term for tag in first.tags} == {"sensus online", "perpanjangan"}
    assert first.author == "Maria Ndun"
    assert feed.entries[2].summary == "Isi di sensus.bps.go.id dengan KK & NIK."
    # Ids survive a change of slug.
    assert first.id == f"news-page-{posts['diperpanjang'].pk}"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_tag_feeds_list_only_that_tag(client, posts, kind):
    feed = _parse(client, f"/feeds/news/tag/sensus-online/{kind}.xml", "application/")
    assert [entry.title for entry in feed.entries] == [
        posts["diperpanjang"].title,
        posts["dibuka"].title,
    ]
    assert "sensus online" in feed.feed.title
    assert feed.feed.link.endswith("/berita/?tag=sensus-online")
    assert client.get(f"/feeds/news/tag/tidak-ada/{kind}.xml").status_code == 404


def test_english_feed_lives_under_en_with_english_links(client, posts):
    path = posts["diperpanjang"].url  # before the request activates English
    feed = _parse(client, "/en/feeds/news/rss.xml", "application/rss+xml")
    assert feed.feed.title.endswith(" news")
    assert feed.entries[0].link == f"http://testserver/en{path}"


def test_feed_without_news_is_still_valid(client, home_page):
    feed = _parse(client, "/feeds/news/atom.xml", "application/atom+xml")
    assert feed.entries == []


@pytest.mark.parametrize("url", ["/", "/berita/", "/berita/{slug}/"])
def test_home_index_and_posts_advertise_both_feeds(client, posts, url):
    html = client.get(url.format(slug=posts["dibuka"].slug)).content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/feeds/news/rss.xml"' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/feeds/news/atom.xml"' in html
