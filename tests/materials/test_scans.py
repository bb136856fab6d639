"""QR codes: from a printed sheet, through a real decoder, to a counted scan."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from campaign.core.models import Campaign
from campaign.materials import codes, selectors, tokens
from campaign.materials.models import Scan
from tests.factories import InstitutionFactory, ScanFactory
from tests.materials.pdftools import decode_qr, pdf_to_png

pytestmark = pytest.mark.django_db


def test_codes_round_trip_and_reject_anything_else():
    for code in (codes.for_guide(71), codes.for_guide(71, poster=True), codes.for_institution(71, 1000)):
        assert codes.parse(str(code)) == code
    assert str(codes.for_institution(71, 1000)) == "i1z-rs"
    assert codes.parse("I1Z-RS") == codes.for_institution(71, 1000)  # typed by hand
    for bad in ("", "x1", "s", "i1z", "s1z-rs", "s1z/../", "s" + "z" * 13, "p0-"):
        assert codes.parse(bad) is None, bad


def test_the_qr_code_of_an_institutions_sheet_leads_to_the_form_and_counts_the_scan(
    client, guide, institution, campaign, tmp_path
):
    """The whole journey: a contact downloads the sheet through the token link, a phone
    scans the printed code, the scan is counted for the institution."""
    link = tokens.guide_download_url(guide_id=guide.pk, institution_id=institution.pk)
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    sheet = client.get(urlsplit(link).path + "a4.pdf")
    assert sheet["Content-Type"] == "application/pdf"

    [png] = pdf_to_png(sheet.content, tmp_path)
    [url] = decode_qr(png)
    assert url == f"http://testserver/q/{codes.for_institution(guide.pk, institution.pk)}"

    response = client.get(urlsplit(url).path)

    assert response.status_code == 302
    assert response["Location"] == "https://sensus.bps.go.id/isi"
    assert "no-store" in response["Cache-Control"]
    scan = Scan.objects.get()
    assert (scan.guide_id, scan.institution_id, scan.material) == (guide.pk, institution.pk, "i")
    assert selectors.scans_for_institutions(institution_ids=[institution.pk]) == {institution.pk: 1}


def test_the_general_sheet_and_the_poster_count_as_different_materials(client, guide, campaign):
    client.get(f"/q/{codes.for_guide(guide.pk)}")
    client.get(f"/q/{codes.for_guide(guide.pk, poster=True)}")
    client.get(f"/q/{codes.for_guide(guide.pk, poster=True)}")
    assert sorted(Scan.objects.values_list("material", flat=True)) == ["p", "p", "s"]
    assert not Scan.objects.filter(institution__isnull=False).exists()


def test_a_scan_stores_no_ip_address_or_user_agent(client, guide, campaign):
    client.get(f"/q/{codes.for_guide(guide.pk)}", HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 10)")
    fields = {field.name for field in Scan._meta.get_fields()}
    assert fields == {"id", "scanned_at", "material", "guide", "institution"}
    assert "Android" not in str(Scan.objects.values().get())


def test_without_an_active_campaign_the_code_leads_to_the_form_in_the_settings(client, guide):
    Campaign.objects.update(is_active=False)
    response = client.get(f"/q/{codes.for_guide(guide.pk)}")
    assert response["Location"] == "https://sensus.bps.go.id/formulir"


def test_a_guide_with_its_own_target_leads_there(client, guide, campaign):
    guide.target_url = "https://sensus.bps.go.id/bantuan"
    guide.save()
    assert client.get(f"/q/{codes.for_guide(guide.pk)}")["Location"] == "https://sensus.bps.go.id/bantuan"


def test_an_unpublished_guide_still_redirects_because_paper_outlives_pages(client, guide, campaign):
    guide.unpublish()
    assert client.get(f"/q/{codes.for_guide(guide.pk)}").status_code == 302
    assert Scan.objects.count() == 1


def test_a_deleted_institution_keeps_the_scan_without_it(client, guide, institution, campaign):
    code = codes.for_institution(guide.pk, institution.pk)
    institution.delete()
    assert client.get(f"/q/{code}").status_code == 302
    assert Scan.objects.get().institution_id is None


@pytest.mark.parametrize("code", ["zzz", "s999999", "i1-1-1", "%3Cscript%3E"])
def test_an_unknown_code_gets_a_friendly_page_with_the_form(client, guide, campaign, code):
    response = client.get(f"/q/{code}")

    assert response.status_code == 404
    html = response.content.decode()
    assert 'lang="id"' in html
    assert 'href="https://sensus.bps.go.id/isi"' in html
    assert "<script>" not in html
    assert not Scan.objects.exists()


def test_scans_by_day_use_local_dates_and_filters(guide, institution, regions):
    other = InstitutionFactory(region=regions["5371031"])
    wita = timezone.get_fixed_timezone(8 * 60)
    # 23.30 UTC on 1 March is 07.30 WITA on 2 March.
    ScanFactory(guide=guide, scanned_at=datetime.datetime(2020, 3, 1, 23, 30, tzinfo=datetime.UTC))
    ScanFactory(
        guide=guide,
        material="i",
        institution=institution,
        scanned_at=datetime.datetime(2020, 3, 2, 9, 0, tzinfo=wita),
    )
    ScanFactory(
        guide=guide,
        material="i",
        institution=other,
        scanned_at=datetime.datetime(2020, 3, 3, 9, 0, tzinfo=wita),
    )

    assert selectors.scans_count_by_day() == [(datetime.date(2020, 3, 2), 2), (datetime.date(2020, 3, 3), 1)]
    assert selectors.scans_count_by_day(since=datetime.date(2020, 3, 3)) == [(datetime.date(2020, 3, 3), 1)]
    assert selectors.scans_count_by_day(region=regions["5371030"]) == [(datetime.date(2020, 3, 2), 1)]
    assert selectors.scans_count_by_day(institution_ids=[other.pk]) == [(datetime.date(2020, 3, 3), 1)]
    assert selectors.scans_for_institutions(institution_ids=[institution.pk, other.pk]) == {
        institution.pk: 1,
        other.pk: 1,
    }
    assert selectors.scans_total(region=regions["5371"]) == 2


def test_scans_for_many_institutions_take_one_query(django_assert_num_queries, guide, regions):
    institutions = [InstitutionFactory(region=regions["5371030"]) for _ in range(5)]
    for institution in institutions:
        ScanFactory(guide=guide, material="i", institution=institution)
    with django_assert_num_queries(1):
        counts = selectors.scans_for_institutions(institution_ids=[i.pk for i in institutions])
    assert sum(counts.values()) == 5


def test_a_script_scanning_in_a_loop_is_led_on_but_not_counted(client, guide, campaign, monkeypatch):
    """Every scan reaches the form; past the budget of one address, scans stop counting,
    so reports cannot be inflated from one machine. Other addresses still count."""
    from django.core.cache import cache

    from campaign.materials import views

    cache.clear()
    monkeypatch.setattr(views, "SCAN_COUNT_LIMIT", 3)
    url = f"/q/{codes.for_guide(guide.pk)}"
    answers = [client.get(url, REMOTE_ADDR="198.51.100.7").status_code for _ in range(5)]
    assert answers == [302] * 5
    assert Scan.objects.count() == 3
    assert client.get(url, REMOTE_ADDR="198.51.100.8").status_code == 302
    assert Scan.objects.count() == 4
    # Nothing of the address is kept: the counter's key is a keyed hash (test cache: locmem).
    keys = [str(key) for key in cache._cache]
    assert any(":rl:" in key for key in keys) and not any("198.51.100" in key for key in keys)
