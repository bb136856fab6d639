"""District guide packs (a background task) and the admin pages around materials."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaign.core.services import DISSEMINATION_STAFF, FIELD_TEAM, roles_sync
from campaign.materials import codes, services
from campaign.materials.models import GuidePack
from tests.factories import InstitutionFactory, RegionFactory, ScanFactory, UserFactory
from tests.http import drain
from tests.materials.pdftools import decode_qr, pdf_page_count, pdf_text, pdf_to_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_institutions(regions):
    names = ["Kantor Camat Oebobo", "SMA Negeri 1 Kupang", "R&D <Unit", "Bank NTT Cabang Oebobo"]
    made = [InstitutionFactory(name=name, region=regions["5371030"]) for name in names]
    InstitutionFactory(name="Kantor Camat Kota Raja", region=regions["5371031"])
    return made


@pytest.fixture
def staff(client):
    user = UserFactory(username="editor", groups=[roles_sync()[DISSEMINATION_STAFF]])
    client.force_login(user)
    return user


def test_a_district_pack_is_built_by_the_task(
    guide, regions, district_institutions, staff, django_capture_on_commit_callbacks, tmp_path
):
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.guide_pack_start(guide=guide, region=regions["5371030"], user=staff)
        assert pack.status == GuidePack.Status.PENDING and pack.total == 4

    pack.refresh_from_db()
    assert pack.status == GuidePack.Status.DONE
    assert (pack.done, pack.progress_percent) == (4, 100)
    data = pack.file.read()
    pack.file.close()
    assert pack.file_size == len(data)
    assert pdf_page_count(data, tmp_path) == 4
    text = pdf_text(data, tmp_path)
    # Sorted by name, one page each, the hostile name printed literally.
    assert text.index("Bank NTT Cabang Oebobo") < text.index("Kantor Camat Oebobo") < text.index("R&D <Unit")
    assert "Kota Raja" not in text and b"/URI" not in data
    pages = pdf_to_png(data, tmp_path)
    assert decode_qr(pages[0]) == [codes.for_institution(guide.pk, district_institutions[3].pk).url]


def test_a_regency_pack_includes_its_districts(
    guide, regions, district_institutions, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.guide_pack_start(guide=guide, region=regions["5371"], size="a5")
    pack.refresh_from_db()
    assert (pack.status, pack.total) == (GuidePack.Status.DONE, 5)


def test_a_pack_needs_a_published_guide_and_institutions(guide, regions, district_institutions):
    with pytest.raises(ValidationError, match="tidak memiliki instansi"):
        services.guide_pack_start(guide=guide, region=RegionFactory(code="5301", name="Sumba Barat"))
    with pytest.raises(ValidationError):
        services.guide_pack_start(guide=guide, region=regions["53"])  # a whole province
    guide.unpublish()
    with pytest.raises(ValidationError, match="sudah terbit"):
        services.guide_pack_start(guide=guide, region=regions["5371030"])
    assert not GuidePack.objects.exists()


def test_a_pack_is_built_once_even_if_the_task_runs_twice(guide, regions, district_institutions):
    pack = GuidePack.objects.create(guide=guide, region=regions["5371030"], total=4)
    services.guide_pack_build(pack_id=pack.pk)
    name = GuidePack.objects.get(pk=pack.pk).file.name
    services.guide_pack_build(pack_id=pack.pk)
    assert GuidePack.objects.get(pk=pack.pk).file.name == name


def test_a_pack_fails_cleanly_when_the_guide_was_unpublished(guide, regions, district_institutions):
    pack = GuidePack.objects.create(guide=guide, region=regions["5371030"], total=4)
    guide.unpublish()
    with pytest.raises(ValueError):
        services.guide_pack_build(pack_id=pack.pk)
    pack.refresh_from_db()
    assert pack.status == GuidePack.Status.FAILED and "no longer published" in pack.error


def test_staff_start_a_pack_in_the_admin_and_download_it(
    client, guide, regions, district_institutions, staff, django_capture_on_commit_callbacks
):
    page = client.get(reverse("materials_packs"))
    assert page.status_code == 200
    assert guide.title in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("materials_packs"), {"guide": guide.pk, "region": regions["5371030"].pk, "size": "a4"}
        )
    pack = GuidePack.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("materials_pack", args=[pack.pk])

    detail = client.get(response["Location"]).content.decode()
    assert reverse("materials_pack_download", args=[pack.pk]) in detail
    download = client.get(reverse("materials_pack_download", args=[pack.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    drain(download)


def test_the_progress_page_refreshes_while_the_pack_is_built(client, guide, regions, staff):
    pack = GuidePack.objects.create(
        guide=guide, region=regions["5371030"], total=200, done=50, status="running"
    )
    html = client.get(reverse("materials_pack", args=[pack.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert 'value="25"' in html
    assert client.get(reverse("materials_pack_download", args=[pack.pk])).status_code == 404


def test_the_pack_form_shows_errors(client, guide, regions, staff):
    response = client.post(
        reverse("materials_packs"), {"guide": guide.pk, "region": regions["5371031"].pk, "size": "a4"}
    )
    assert response.status_code == 200
    assert not GuidePack.objects.exists()


def test_field_teams_download_packs_but_do_not_start_them(client, guide, regions):
    client.force_login(UserFactory(username="tim1", groups=[roles_sync()[FIELD_TEAM]]))
    assert client.get(reverse("materials_packs")).status_code == 200
    response = client.post(reverse("materials_packs"), {"guide": guide.pk, "region": regions["5371030"].pk})
    assert response.status_code == 302 and response["Location"] == "/admin/"  # Wagtail's "permission denied"
    assert not GuidePack.objects.exists()


def test_the_scan_reports_list_guides_and_institutions_in_bounded_queries(
    client, guide, regions, district_institutions, staff, django_assert_max_num_queries
):
    ScanFactory(guide=guide, material="i", institution=district_institutions[0])
    ScanFactory(guide=guide, material="p")
    shown = {"materials_scans_guides": guide.title, "materials_scans_institutions": "Kantor Camat Oebobo"}
    for url_name, row in shown.items():
        client.get(reverse(url_name))
        with django_assert_max_num_queries(40) as few:
            response = client.get(reverse(url_name))
        first = len(few.captured_queries)
        assert response.status_code == 200
        for institution in district_institutions[1:]:
            ScanFactory(guide=guide, material="i", institution=institution)
        with django_assert_max_num_queries(first):
            response = client.get(reverse(url_name))
        html = response.content.decode()
        assert row in html, url_name
    assert "R&amp;D &lt;Unit" in html  # escaped in the admin too
    export = client.get(reverse("materials_scans_institutions") + "?export=csv")
    assert export.status_code == 200
    assert "Kantor Camat Oebobo" in b"".join(export.streaming_content).decode()


def test_the_materials_menu_shows_what_a_role_may_use(client, staff):
    html = client.get("/admin/").content.decode()
    for url_name in ("materials_packs", "materials_scans_guides", "materials_press_links"):
        assert reverse(url_name) in html
    client.force_login(UserFactory(username="tim1", groups=[roles_sync()[FIELD_TEAM]]))
    html = client.get("/admin/").content.decode()
    assert reverse("materials_packs") in html and reverse("materials_press_links") not in html


def _worker_dies_while_building(monkeypatch, pack):
    """The worker claims the pack, draws 50 sheets and is killed: no clean-up runs
    (KeyboardInterrupt is not an Exception, as SIGKILL is not anything)."""
    from campaign.materials import printing

    def killed(*, progress, **kwargs):
        progress(50)
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(printing, "pack_pdf", killed)
        with pytest.raises(KeyboardInterrupt):
            services.guide_pack_build(pack_id=pack.pk)
    pack.refresh_from_db()
    assert (pack.status, pack.done) == (GuidePack.Status.RUNNING, 50)


def test_a_pack_whose_worker_died_is_built_again(
    guide, regions, district_institutions, monkeypatch, django_capture_on_commit_callbacks
):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    pack = GuidePack.objects.create(guide=guide, region=regions["5371030"], total=4)
    _worker_dies_while_building(monkeypatch, pack)
    # Still within the heartbeat: a slow worker is left alone.
    assert services.guide_packs_recover() == {"requeued": 0, "failed": 0, "lost_tasks": 0}
    later = timezone.now() + services.PACK_STALE_AFTER + datetime.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.guide_packs_recover(now=later) == {"requeued": 1, "failed": 0, "lost_tasks": 0}
    pack.refresh_from_db()
    assert (pack.status, pack.done, pack.attempts) == (GuidePack.Status.DONE, 4, 2)
    assert pack.file_size > 0
    call_command("recover_guide_packs", stdout=(out := __import__("io").StringIO()))
    assert out.getvalue().startswith("0 pack(s) queued again")


def test_a_pack_that_keeps_killing_its_worker_fails_with_the_reason(
    client, guide, regions, district_institutions, staff, monkeypatch
):
    import datetime

    from django.utils import timezone

    pack = GuidePack.objects.create(guide=guide, region=regions["5371030"], total=4)
    for attempt in range(1, services.PACK_MAX_ATTEMPTS + 1):
        _worker_dies_while_building(monkeypatch, pack)
        assert pack.attempts == attempt
        later = timezone.now() + services.PACK_STALE_AFTER + datetime.timedelta(seconds=1)
        result = services.guide_packs_recover(now=later)
        if attempt < services.PACK_MAX_ATTEMPTS:
            assert result == {"requeued": 1, "failed": 0, "lost_tasks": 0}
            # (in production the queued task would run; here the next attempt is the kill)
        else:
            assert result == {"requeued": 0, "failed": 1, "lost_tasks": 0}
    pack.refresh_from_db()
    assert pack.status == GuidePack.Status.FAILED and pack.finished_at is not None
    html = client.get(reverse("materials_pack", args=[pack.pk])).content.decode()
    assert "Proses pembuatnya berhenti 3 kali" in html and 'http-equiv="refresh"' not in html
