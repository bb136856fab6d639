import datetime
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from campaign.core.services import DISSEMINATION_STAFF, FIELD_TEAM, roles_sync
from campaign.response import services
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


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]]))
    return client


def _upload(staff_client, content):
    upload = SimpleUploadedFile("angka.csv", content)
    return staff_client.post(reverse("response_import"), {"file": upload, "source": "BPS RI"})


def test_a_large_upload_is_checked_and_written_by_the_task_worker(
    staff_client, regions, settings, django_capture_on_commit_callbacks
):
    """Over the limit, the request only stores the file: the check and the write run in
    the task worker (the immediate backend here), and the run page says so meanwhile."""
    settings.RESPONSE_IMPORT_BACKGROUND_BYTES = 10
    content = b"kode_wilayah;tanggal;penduduk\n5371;2020-05-28;61.000\n5301;2020-05-28;9.000\n"
    with django_capture_on_commit_callbacks() as queued:
        response = _upload(staff_client, content)
    run = CountImport.objects.get()
    assert (run.status, len(queued)) == (CountImport.Status.CHECKING, 1)
    page = staff_client.get(response.url).content.decode()
    assert "Pekerja tugas sedang memeriksa setiap baris berkas." in page
    assert '<meta http-equiv="refresh" content="3">' in page

    queued[0]()  # the worker picks the task up
    run.refresh_from_db()
    assert (run.status, run.report["rows"]) == (CountImport.Status.VALID, 2)
    assert "Konfirmasi dan impor" in staff_client.get(response.url).content.decode()

    with django_capture_on_commit_callbacks() as queued:
        staff_client.post(reverse("response_import_run", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == CountImport.Status.WRITING and not OfficialCount.objects.exists()
    assert "Pekerja tugas sedang mengimpor angka." in staff_client.get(response.url).content.decode()

    queued[0]()
    queued[0]()  # delivered twice: written once
    run.refresh_from_db()
    assert run.status == CountImport.Status.DONE
    assert dict(OfficialCount.objects.values_list("region__code", "persons")) == {
        "5371": 61_000,
        "5301": 9_000,
    }
    assert '<meta http-equiv="refresh"' not in staff_client.get(response.url).content.decode()


def test_a_background_import_that_breaks_keeps_the_stored_figures_and_says_so(
    staff_client, regions, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.RESPONSE_IMPORT_BACKGROUND_BYTES = 10
    _upload(staff_client, b"kode_wilayah;tanggal;penduduk\n5371;2020-05-27;50.000\n")
    CountImport.objects.update(status=CountImport.Status.WRITING)
    services.count_import_process(run_id=CountImport.objects.get().pk)
    assert OfficialCount.objects.get().persons == 50_000

    with django_capture_on_commit_callbacks() as queued:
        response = _upload(staff_client, b"kode_wilayah;tanggal;penduduk\n5371;2020-05-27;55.000\n")
    queued[0]()
    run = CountImport.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
    with django_capture_on_commit_callbacks() as queued:
        staff_client.post(reverse("response_import_run", args=[run.pk]))

    def broken_disk(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "_store", broken_disk)
    queued[0]()  # the worker records the task as failed
    run.refresh_from_db()
    assert run.status == CountImport.Status.FAILED
    assert OfficialCount.objects.get().persons == 50_000
    page = staff_client.get(response.url).content.decode()
    assert "Impor berhenti karena galat." in page and "OSError: disk full" in page


def test_an_import_whose_worker_died_is_queued_again_then_failed_after_three_workers(
    staff_client, regions, settings, django_capture_on_commit_callbacks
):
    """A worker killed mid-check leaves the run "being checked": the minute's recovery
    queues it again once it is stale (never a fresh one), and gives up after three."""
    settings.RESPONSE_IMPORT_BACKGROUND_BYTES = 10
    with django_capture_on_commit_callbacks() as lost:  # the worker dies: never run
        _upload(staff_client, b"kode_wilayah;tanggal;penduduk\n5371;2020-05-28;61.000\n")
    run = CountImport.objects.get()
    assert (run.status, run.attempts, len(lost)) == (CountImport.Status.CHECKING, 1, 1)
    assert services.count_imports_recover()["requeued"] == 0  # still young: its worker may be busy

    later = timezone.now() + datetime.timedelta(minutes=31)
    with django_capture_on_commit_callbacks() as queued:
        assert services.count_imports_recover(now=later)["requeued"] == 1
    assert services.count_imports_recover(now=later)["requeued"] == 0  # queued once
    queued[0]()
    run.refresh_from_db()
    assert (run.status, run.attempts) == (CountImport.Status.VALID, 2)

    CountImport.objects.update(status=CountImport.Status.WRITING, attempts=3, queued_at=later)
    result = services.count_imports_recover(now=later + datetime.timedelta(minutes=31))
    run.refresh_from_db()
    assert (result["failed"], run.status) == (1, CountImport.Status.FAILED)
    assert not OfficialCount.objects.exists()
    page = staff_client.get(reverse("response_import_run", args=[run.pk])).content.decode()
    assert "Pekerja tugas berhenti 3 kali pada berkas ini; tidak ada yang diimpor." in page
    call_command("recover_count_imports", stdout=(out := StringIO()))
    assert out.getvalue().startswith("0 import(s) queued again, 0 failed")


def test_figures_list_shows_the_latest_day_first_naming_regions_in_one_query(
    client, area_figures, django_assert_max_num_queries
):
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
