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
