import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.core.services import DISSEMINATION_STAFF, FIELD_TEAM, roles_sync
from campaign.response.models import CountImport, OfficialCount
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_upload_preview_and_confirm(client, regions):
    client.force_login(UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]]))
    upload = SimpleUploadedFile("angka.csv", b"kode_wilayah;tanggal;penduduk\n5371;2020-05-28;61.000\n")

    response = client.post(reverse("response_import"), {"file": upload, "source": "BPS RI"})

    run = CountImport.objects.get()
    assert response.url == reverse("response_import_run", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert "Konfirmasi" in page or "Confirm" in page
    assert not OfficialCount.objects.exists()

    client.post(reverse("response_import_run", args=[run.pk]))

    assert OfficialCount.objects.get().persons == 61_000
    assert client.get(reverse("wagtailsnippets_response_officialcount:list")).status_code == 200


def test_a_bad_file_shows_row_and_column(client, regions):
    client.force_login(UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]]))
    upload = SimpleUploadedFile("angka.csv", b"kode_wilayah;tanggal;penduduk\n5371;2020-05-28;banyak\n")
    response = client.post(reverse("response_import"), {"file": upload, "source": "BPS RI"}, follow=True)
    page = response.content.decode()
    assert "<td>2</td><td><code>persons</code></td>" in page and "banyak" in page
    assert not OfficialCount.objects.exists()


def test_field_team_cannot_import(client, regions):
    client.force_login(UserFactory(username="tim", groups=[roles_sync()[FIELD_TEAM]]))
    assert client.get(reverse("response_import")).status_code in (302, 403)


def test_dashboard_area_section_within_the_query_budget(client, area_figures, django_assert_max_num_queries):
    client.force_login(UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]]))
    url = reverse("institutions_dashboard") + "?week=2020-03-02"
    client.get(url)
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert "Sumba Barat" in page and "jb-rag--red" in page and "jb-rag--green" in page
    assert "31.000" in page  # the province figure: the regencies' sum, each counted once
    assert page.index("Sumba Barat") < page.index("Kota Kupang", page.index('id="areas"'))


def test_weekly_pdf_has_the_area_section(client, area_figures, tmp_path):
    from tests.materials.pdftools import pdf_text

    client.force_login(UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]]))
    response = client.get(reverse("institutions_weekly_report") + "?week=2020-03-02")
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "Sumba Barat" in text and "Kota Kupang" in text
    assert text.index("Sumba Barat") < text.index("Kota Kupang")  # furthest behind first
    assert "31.000" in text  # the official count, not added to anything


def test_figures_list_shows_the_latest_day_first_naming_regions_in_one_query(
    client, area_figures, django_assert_max_num_queries
):
    import datetime

    from django.utils import timezone

    from campaign.core.models import Region

    kupang = Region.objects.get(code="5371")
    OfficialCount.objects.create(
        region=kupang, date=datetime.date(2020, 3, 1), persons=7_000, imported_at=timezone.now()
    )
    client.force_login(UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]]))
    url = reverse("wagtailsnippets_response_officialcount:list")
    client.get(url)
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert "Lamboya" in page and "Kota Kupang" in page
    # Each row's label is the figure's str(): region, day, persons.
    assert page.index("2020-03-08: 12000") < page.index("2020-03-01: 7000")  # the latest day first
