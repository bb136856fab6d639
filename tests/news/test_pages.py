import re
from urllib.parse import unquote

import pytest
import wagtail_factories
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from campaign.core.models import HomePage
from campaign.news.models import NewsIndexPage, NewsPage, NewsPageRelatedLink
from campaign.news.selectors import news_related
from tests.factories import HomePageFactory, NewsIndexPageFactory, NewsPageFactory

pytestmark = pytest.mark.django_db


def _titles(html):
    return re.findall(r'class="news-card-title"><a href="[^"]+">([^<]+)</a>', html)


class NewsTreeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        root = Page.get_first_root_node()
        cls.home = HomePageFactory(parent=root)
        Site.objects.update_or_create(
            is_default_site=True, defaults={"hostname": "localhost", "root_page": cls.home}
        )
        cls.index = NewsIndexPageFactory(parent=cls.home)

    def setUp(self):
        self.login()

    def test_news_lives_under_the_home_page_and_posts_under_the_index(self):
        self.assertAllowedParentPageTypes(NewsIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage})
        self.assertAllowedParentPageTypes(NewsPage, {NewsIndexPage})
        self.assertAllowedSubpageTypes(NewsPage, set())
        self.assertCanNotCreateAt(HomePage, NewsPage)
        self.assertCanNotCreateAt(NewsPage, NewsPage)

    def test_a_post_can_be_written_in_the_admin(self):
        image = wagtail_factories.ImageFactory()
        self.assertCanCreate(
            self.index,
            NewsPage,
            nested_form_data(
                {
                    "title": "Enam tim pendamping",
                    "slug": "enam-tim",
                    "date": "2020-02-17",
                    "lead": "Enam tim BPS menjemput bola ke kantor-kantor.",
                    "hero_image": image.pk,
                    "body": streamfield(
                        [
                            ("paragraph", rich_text("<p>Setiap tim 10–11 instansi.</p>")),
                            ("image", {"image": image.pk, "caption": "Tim", "credit": "BPS"}),
                            ("quote", {"text": "Mencatat Indonesia", "attribution": "BPS"}),
                        ]
                    ),
                    "reporter": "Maria Ndun",
                    "editor": "Yohanes Bria",
                    "tags": "jemput bola, kupang",
                    "related_links": inline_formset([]),
                }
            ),
        )
        post = NewsPage.objects.get(slug="enam-tim")
        assert sorted(tag.name for tag in post.tags.all()) == ["jemput bola", "kupang"]

    def test_index_and_post_render_and_preview(self):
        image = wagtail_factories.ImageFactory()
        post = NewsPageFactory(parent=self.index, hero_image=image, tags=["sensus online"])
        self.assertPageIsRenderable(self.index)
        self.assertPageIsPreviewable(self.index)
        self.assertPageIsRenderable(post)
        # Wagtail 8 builds StreamField inputs in JavaScript, so the form data is given.
        self.assertPageIsPreviewable(
            post,
            post_data=nested_form_data(
                {
                    "title": post.title,
                    "slug": post.slug,
                    "date": "2020-03-31",
                    "lead": post.lead,
                    "hero_image": image.pk,
                    "body": streamfield([("paragraph", rich_text("<p>Pratinjau</p>"))]),
                    "tags": "sensus online",
                    "related_links": inline_formset([]),
                }
            ),
        )


# --- The index: listing, pagination, filters, search -----------------------------------


def test_index_lists_live_public_posts_newest_first(client, news_index):
    older = NewsPageFactory(parent=news_index, title="Sensus dibuka", date="2020-02-15")
    newer = NewsPageFactory(parent=news_index, title="Sensus diperpanjang", date="2020-03-31")
    NewsPageFactory(parent=news_index, title="Draf rahasia", live=False)
    hidden = NewsPageFactory(parent=news_index, title="Khusus pegawai")
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)

    html = client.get(news_index.url).content.decode()

    assert _titles(html) == [newer.title, older.title]
    assert f'href="{newer.url}"' in html
    assert "31 Maret 2020" in html


def test_home_page_links_the_news_index(client, news_index):
    html = client.get("/").content.decode()
    assert f'href="{news_index.url}"' in html


def test_index_paginates_ten_posts_a_page(client, news_index):
    for day in range(1, 13):
        NewsPageFactory(parent=news_index, title=f"Kabar hari {day:02d}", date=f"2020-03-{day:02d}")

    first = client.get(news_index.url).content.decode()
    second = client.get(news_index.url, {"page": 2}).content.decode()

    assert _titles(first) == [f"Kabar hari {day:02d}" for day in range(12, 2, -1)]
    assert _titles(second) == ["Kabar hari 02", "Kabar hari 01"]
    assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
    assert f'rel="prev" href="{news_index.url}"' in second and 'rel="next"' not in second
    assert client.get(news_index.url, {"page": 3}).status_code == 404
    assert client.get(news_index.url, {"page": "x"}).status_code == 404


def test_index_filters_by_tag_and_by_region_including_the_regions_inside(client, news_index, regions):
    city = NewsPageFactory(parent=news_index, title="Kota", region=regions["5371"], tags=["jemput bola"])
    regency = NewsPageFactory(parent=news_index, title="Kabupaten", region=regions["5303"], tags=["rakorcam"])
    province = NewsPageFactory(
        parent=news_index, title="Provinsi", region=regions["53"], tags=["jemput bola"]
    )
    NewsPageFactory(parent=news_index, title="Nasional")

    def titles(**query):
        response = client.get(news_index.url, query)
        assert response.status_code == 200
        return set(_titles(response.content.decode()))

    assert titles(tag="jemput-bola") == {city.title, province.title}
    assert titles(region="5371") == {city.title}
    assert titles(region="53") == {city.title, regency.title, province.title}
    assert titles(region="53", tag="rakorcam") == {regency.title}
    # The filter form offers only the regions and tags in use.
    html = client.get(news_index.url).content.decode()
    assert '<option value="5303">Kabupaten Kupang</option>' in html
    assert '<option value="rakorcam">rakorcam</option>' in html
    # Unknown filters are a 404, not an empty (and cacheable) page.
    assert client.get(news_index.url, {"tag": "tidak-ada"}).status_code == 404
    assert client.get(news_index.url, {"region": "99"}).status_code == 404
    assert client.get(news_index.url, {"region": "53; drop"}).status_code == 404


def test_tag_page_advertises_the_tag_feed(client, news_index):
    NewsPageFactory(parent=news_index, tags=["rakorcam"])
    html = client.get(news_index.url, {"tag": "rakorcam"}).content.decode()
    assert 'type="application/rss+xml"' in html
    assert 'href="/feeds/news/tag/rakorcam/rss.xml"' in html
    assert 'href="/feeds/news/tag/rakorcam/atom.xml"' in html


@pytest.mark.parametrize("posts", [3, 12])
def test_index_queries_do_not_grow_with_the_number_of_posts(
    client, news_index, regions, posts, django_assert_max_num_queries
):
    image = wagtail_factories.ImageFactory()
    for number in range(posts):
        NewsPageFactory(
            parent=news_index,
            hero_image=image,
            region=regions["5371"],
            tags=["sensus online", f"topik {number}"],
        )
    client.get(news_index.url)  # renditions are generated on the first view

    with django_assert_max_num_queries(16):
        response = client.get(news_index.url)
    assert len(_titles(response.content.decode())) == min(posts, 10)


def test_search_finds_posts_by_words_in_title_lead_and_body(client, news_index, regions):
    rakorcam = NewsPageFactory(
        parent=news_index,
        title="Rapat koordinasi kecamatan",
        lead="Camat diajak menggerakkan warga.",
        region=regions["5303"],
    )
    NewsPageFactory(
        parent=news_index,
        title="Sensus diperpanjang",
        body=[{"type": "paragraph", "value": "<p>Ditutup 29 Mei pukul 23.59 WIB.</p>"}],
    )

    def titles(**query):
        return _titles(client.get(news_index.url, query).content.decode())

    assert titles(q="camat") == [rakorcam.title]
    assert titles(q="23.59") == ["Sensus diperpanjang"]
    assert titles(q="camat", region="5303") == [rakorcam.title]
    assert titles(q="camat", region="5371") == []
    assert titles(q="pemilu") == []


# --- A post ---------------------------------------------------------------------------


def test_post_shows_byline_tags_region_and_an_indonesian_date(client, news_index, regions):
    post = NewsPageFactory(
        parent=news_index,
        title="981.552 Warga NTT Sudah Isi Sensus Online",
        date="2020-05-29",
        region=regions["53"],
        tags=["hasil"],
    )

    html = client.get(post.url).content.decode()

    assert "<h1>981.552 Warga NTT Sudah Isi Sensus Online</h1>" in html
    assert "29 Mei 2020" in html
    assert "Maria Ndun" in html and "Yohanes Bria" in html
    assert f'href="{news_index.url}?tag=hasil"' in html
    assert f'href="{news_index.url}?region=53"' in html


def test_post_has_link_previews_share_links_and_no_inline_script_or_style(client, news_index):
    post = NewsPageFactory(
        parent=news_index,
        title="Sensus Penduduk Online Diperpanjang",
        lead="Ditutup 29 Mei 2020.",
        hero_image=wagtail_factories.ImageFactory(file__width=1600, file__height=900),
    )

    html = client.get(post.url).content.decode()
    url = f"http://testserver{post.url}"

    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Sensus Penduduk Online Diperpanjang">' in html
    assert '<meta property="og:description" content="Ditutup 29 Mei 2020.">' in html
    assert re.search(r'<meta property="og:image" content="http://testserver/[^"]+\.jpg">', html)
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    wa = re.search(r'href="(https://wa\.me/\?text=[^"]+)"', html).group(1)
    assert unquote(wa.split("text=", 1)[1]) == f"Sensus Penduduk Online Diperpanjang\n{url}"
    # Without JavaScript the link can be copied from a read-only field; the copy button
    # is shown by a static script.
    assert f'<input id="share-link" type="url" value="{url}" readonly>' in html
    assert re.search(r'<button [^>]*data-copy="share-link"[^>]*hidden>', html)
    assert re.search(r'<script src="/static/news/share\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert "<style" not in html and " style=" not in html


def test_hero_loads_at_once_and_body_images_lazily_as_webp_srcsets(client, news_index):
    hero = wagtail_factories.ImageFactory(file__width=1600, file__height=900)
    photo = wagtail_factories.ImageFactory(file__width=1200, file__height=800)
    post = NewsPageFactory(
        parent=news_index,
        hero_image=hero,
        body=[
            {"type": "paragraph", "value": "<p>Tim pendamping.</p>"},
            {"type": "image", "value": {"image": photo.pk, "caption": "Tim", "credit": "BPS"}},
        ],
    )

    html = client.get(post.url).content.decode()
    images = re.findall(r"<img [^>]+>", html)
    hero_tag = next(tag for tag in images if 'fetchpriority="high"' in tag)
    body_tag = next(tag for tag in images if "width-" in tag and tag != hero_tag)

    assert 'loading="lazy"' not in hero_tag
    assert 'loading="lazy"' in body_tag
    for tag in (hero_tag, body_tag):
        assert re.search(r'srcset="[^"]+\.webp 480w, [^"]+\.webp 800w, [^"]+\.webp 1200w"', tag)
        assert "sizes=" in tag and "width=" in tag and "height=" in tag
    assert '<figcaption>Tim <span class="credit">BPS</span></figcaption>' in html


def test_read_also_puts_the_editors_picks_first_then_posts_sharing_most_tags(news_index):
    post = NewsPageFactory(parent=news_index, tags=["sensus online", "kupang", "hasil"])
    pick = NewsPageFactory(parent=news_index, title="Pilihan editor", date="2019-12-05")
    two_tags = NewsPageFactory(parent=news_index, tags=["sensus online", "kupang"], date="2020-01-01")
    one_tag_newer = NewsPageFactory(parent=news_index, tags=["hasil"], date="2020-06-01")
    NewsPageFactory(parent=news_index, tags=["kupang"], date="2020-01-02")
    NewsPageFactory(parent=news_index, tags=["lain"], date="2020-07-01")
    NewsPageRelatedLink.objects.create(page=post, related=pick, sort_order=0)

    related = news_related(post=post)

    assert [p.pk for p in related] == [pick.pk, two_tags.pk, one_tag_newer.pk]


def test_read_also_skips_unpublished_picks_and_shows_on_the_page(client, news_index):
    post = NewsPageFactory(parent=news_index, tags=["sensus online"])
    draft = NewsPageFactory(parent=news_index, title="Masih draf", live=False)
    sibling = NewsPageFactory(parent=news_index, title="Berita serupa", tags=["sensus online"])
    NewsPageRelatedLink.objects.create(page=post, related=draft, sort_order=0)

    html = client.get(post.url).content.decode()

    assert 'id="related-title"' in html
    assert _titles(html) == [sibling.title]
    assert [p.pk for p in news_related(post=post)] == [sibling.pk]


def test_read_also_in_a_preview_uses_the_unsaved_picks(news_index):
    post = NewsPageFactory(parent=news_index)
    pick = NewsPageFactory(parent=news_index, title="Dipilih dalam pratinjau")
    post.related_links = [NewsPageRelatedLink(related=pick, sort_order=0)]  # not saved

    assert [p.pk for p in news_related(post=post)] == [pick.pk]


def test_read_also_leaves_out_private_posts_and_keeps_picks_in_the_editors_order(news_index):
    post = NewsPageFactory(parent=news_index, tags=["sensus online"])
    private = NewsPageFactory(parent=news_index, title="Khusus pegawai", tags=["sensus online"])
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    first, second = NewsPageFactory(parent=news_index), NewsPageFactory(parent=news_index)
    NewsPageRelatedLink.objects.create(page=post, related=second, sort_order=0)
    NewsPageRelatedLink.objects.create(page=post, related=first, sort_order=1)
    NewsPageRelatedLink.objects.create(page=post, related=private, sort_order=2)

    assert [p.pk for p in news_related(post=post)] == [second.pk, first.pk]
    assert news_related(post=NewsPageFactory(parent=news_index)) == []
