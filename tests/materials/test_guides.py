"""Guide pages: tree rules, the phone page, printable PDFs and their cache."""

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, streamfield
from wagtail_factories import ImageFactory

from campaign.core.models import HomePage
from campaign.materials import printing
from campaign.materials.models import GuideIndexPage, GuidePage, Scan
from tests.factories import GuidePageFactory, HomePageFactory, UserFactory
from tests.materials.pdftools import pdf_text

pytestmark = pytest.mark.django_db


class GuideTreeTests(WagtailPageTestCase):
    def setUp(self):
        self.login()
        self.home = HomePageFactory(parent=Page.get_first_root_node(), slug="home-guides")

    def test_tree_rules(self):
        self.assertAllowedParentPageTypes(GuideIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(GuideIndexPage, {GuidePage})
        self.assertAllowedParentPageTypes(GuidePage, {GuideIndexPage})
        self.assertAllowedSubpageTypes(GuidePage, set())

    def test_an_editor_can_create_a_guide(self):
        index = GuideIndexPage(title="Panduan", slug="panduan")
        self.home.add_child(instance=index)
        step = {
            "title": "Buka situs",
            "text": "Buka sensus.bps.go.id.",
            "tip": "",
            "image": "",
            "on_poster": "on",
        }
        self.assertCanCreate(
            index,
            GuidePage,
            nested_form_data(
                {
                    "title": "Cara mengisi",
                    "slug": "cara-mengisi",
                    "intro": "Enam langkah.",
                    "steps": streamfield([("step", step)]),
                    "closing": "",
                    "cta_label": "Isi sekarang",
                    "target_url": "",
                    "hotline": "",
                    "poster_headline": "",
                }
            ),
        )


def test_the_home_page_links_the_guides(client, guide):
    html = client.get("/").content.decode()
    assert 'href="/panduan/"' in html


def test_the_guide_page_reads_on_a_phone_and_links_its_printables(client, guide, campaign):
    image = ImageFactory(title="Tangkapan layar")
    steps = list(guide.steps.raw_data)
    steps[0]["value"]["image"] = image.pk
    guide.steps = steps
    guide.save_revision().publish()

    response = client.get("/panduan/cara-mengisi/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert html.count('class="step"') == 3
    assert "Masukkan Nomor Kartu Keluarga dan NIK" in html
    assert 'loading="lazy"' in html and "srcset=" in html
    assert 'href="https://sensus.bps.go.id/isi"' in html  # the campaign's form
    assert 'href="tel:0380826289"' in html
    for kind, size in (("sheet", "a4"), ("sheet", "a5"), ("poster", "a3"), ("poster", "a4")):
        assert f'href="/materi/panduan/{guide.pk}/{kind}-{size}.pdf"' in html
    assert " style=" not in html and "<style" not in html


def test_the_guide_index_lists_live_guides_in_a_bounded_number_of_queries(
    client, guide_index, guide, django_assert_max_num_queries
):
    client.get("/panduan/")  # warm Wagtail's site and settings caches
    with django_assert_max_num_queries(12) as few:
        response = client.get("/panduan/")
    first = len(few.captured_queries)
    for _ in range(6):
        GuidePageFactory(parent=guide_index)
    draft = GuidePageFactory(parent=guide_index, title="Panduan rahasia", live=False)
    with django_assert_max_num_queries(first):
        response = client.get("/panduan/")
    html = response.content.decode()
    assert html.count('class="card"') == 7
    assert draft.title not in html


@pytest.mark.parametrize(
    ("kind", "size"), [("sheet", "a4"), ("sheet", "a5"), ("poster", "a3"), ("poster", "a4")]
)
def test_the_printables_of_a_published_guide(client, guide, kind, size, tmp_path):
    response = client.get(f"/materi/panduan/{guide.pk}/{kind}-{size}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="cara-mengisi-{kind}-{size}.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    assert "BPS Provinsi Nusa Tenggara Timur" in text and "#MencatatIndonesia" in text
    assert not Scan.objects.exists()


def test_no_printables_for_a_draft_or_an_unknown_variant(client, guide):
    assert client.get(f"/materi/panduan/{guide.pk}/sheet-a3.pdf").status_code == 404
    assert client.get(f"/materi/panduan/{guide.pk}/flyer-a4.pdf").status_code == 404
    guide.unpublish()
    assert client.get(f"/materi/panduan/{guide.pk}/sheet-a4.pdf").status_code == 404


def test_a_cached_sheet_is_replaced_when_the_guide_is_republished(client, guide, tmp_path):
    url = f"/materi/panduan/{guide.pk}/sheet-a4.pdf"
    first = client.get(url).content
    assert client.get(url).content == first  # from the cache

    guide.intro = "Sekarang dengan penjelasan baru untuk kantor Anda."
    guide.save_revision().publish()

    assert "penjelasan baru" in pdf_text(client.get(url).content, tmp_path)


def test_a_cached_institution_sheet_is_replaced_when_the_institution_changes(guide, institution, tmp_path):
    before = printing.sheet_pdf(guide=guide, institution=institution)
    assert "Dinas Kependudukan dan Pencatatan Sipil" in pdf_text(before, tmp_path)

    institution.name = "Dinas Kependudukan Kota Kupang (baru)"
    institution.save()

    text = pdf_text(printing.sheet_pdf(guide=guide, institution=institution), tmp_path)
    assert "Dinas Kependudukan Kota Kupang (baru)" in text


def test_a_sheet_renders_once_then_comes_from_the_cache(guide, institution, monkeypatch):
    calls = []
    original = printing.pdf.guide_sheet
    monkeypatch.setattr(printing.pdf, "guide_sheet", lambda *a, **k: calls.append(1) or original(*a, **k))
    for _ in range(3):
        printing.sheet_pdf(guide=guide, institution=institution)
    assert len(calls) == 1
    with translation.override("en"):  # labels change with the language: another PDF
        printing.sheet_pdf(guide=guide, institution=institution)
    assert len(calls) == 2


def test_staff_download_an_institutions_sheet_from_the_admin(client, guide, institution, tmp_path):
    from campaign.core.services import FIELD_TEAM, roles_sync

    url = reverse("materials_institution_guide", args=[institution.pk])
    assert url == f"/admin/materials/institutions/{institution.pk}/guide.pdf"
    assert client.get(url).status_code == 302  # to the login page

    client.force_login(UserFactory(groups=[roles_sync()[FIELD_TEAM]]))
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert institution.name in pdf_text(response.content, tmp_path)
    assert client.get(url + "?size=a5").status_code == 200
    assert client.get(url + "?guide=999999").status_code == 404
    assert client.get(url + "?guide=abc").status_code == 404

    client.force_login(UserFactory(username="no-role", groups=[]))
    assert client.get(url).status_code in (302, 403)
