import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from campaign.core.models import CampaignExtension, HomePage
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


class HomePageTreeTests(WagtailPageTestCase):
    def setUp(self):
        self.login()

    def test_home_page_sits_under_the_root_only(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_home_page_can_be_created_under_the_root(self):
        root = Page.get_first_root_node()
        self.assertCanCreateAt(Page, HomePage)
        self.assertCanCreate(
            root,
            HomePage,
            nested_form_data(
                {
                    "title": "Beranda",
                    "slug": "beranda-baru",
                    "cta_label": "Isi sensus",
                    "intro": rich_text("<p>Selamat datang</p>"),
                    "body": streamfield([("heading", {"text": "Langkah", "size": "h2"})]),
                }
            ),
        )


def test_home_shows_the_active_campaign_and_the_call_to_action(client, home_page):
    campaign = CampaignFactory(target_url="https://sensus.bps.go.id/")
    CampaignExtension.objects.create(campaign=campaign, new_end="2020-05-29", reason="COVID-19")

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "15 Februari 2020" in html and "29 Mei 2020" in html
    assert "Diperpanjang hingga 29 Mei 2020." in html
    assert 'href="https://sensus.bps.go.id/"' in html
    assert home_page.cta_label in html
    # 23% of 5.4 million, with Indonesian digit grouping.
    assert "1.242.000" in html


def test_home_without_a_campaign_still_points_to_the_census_form(client, home_page):
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="https://sensus.bps.go.id"' in response.content.decode()


def test_home_links_live_sections_in_menus_only(client, home_page):
    shown = home_page.add_child(instance=Page(title="Berita", slug="berita", show_in_menus=True))
    home_page.add_child(instance=Page(title="Rahasia", slug="rahasia", show_in_menus=False))
    draft = Page(title="Draf", slug="draf", show_in_menus=True, live=False)
    home_page.add_child(instance=draft)

    html = client.get("/").content.decode()

    assert shown.url in html and "Berita" in html
    assert "Rahasia" not in html and "Draf" not in html


def test_english_version_under_en_prefix(client, home_page):
    CampaignFactory()
    response = client.get("/en/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Online phase" in html and "15 February 2020" in html
    # The language switch points back to the Indonesian page.
    assert 'href="/" hreflang="id"' in html


def test_unknown_page_gets_a_friendly_translated_404(client, home_page):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_public_pages_carry_a_strict_content_security_policy(client, home_page):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
