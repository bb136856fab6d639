"""Issue 16 in the browser, as dissemination staff: set a district's map centre on the
region form, read the campaign map on the dashboard and zoom into a regency, get the
weekly PDF with the map, and read the "Did it work?" report; as head of section, switch
the campaign to the shaped trajectory. No console error, no CSP violation."""

import datetime
import subprocess
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaign.core.models import Campaign, Region
from campaign.institutions.models import GuidedSession, Institution
from tests.browser.conftest import SCREENSHOTS, admin_sign_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch_console(page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def test_map_pdf_and_after_sessions_report(live_server, page, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    settings.DEBUG = False
    campaign = Campaign.objects.get(is_active=True)
    week = campaign.weeks()[3].isoformat()
    # The demo's Kupang institutions located around the city (registry data carries
    # coordinates; the demo's has none): a spread of about 10 km, fixed by their ids.
    for institution in Institution.objects.filter(region__code__startswith="5371"):
        step = institution.pk * 7919
        institution.latitude = Decimal("-10.175") + Decimal((step % 97) - 48) / 1000
        institution.longitude = Decimal("123.600") + Decimal((step // 97 % 101) - 50) / 1000
        institution.save(update_fields=["latitude", "longitude"])
    errors = _watch_console(page)

    admin_sign_in(page, live_server, "editor", "jemputbola-editor")
    # The region form: Alak's centre, typed by staff.
    alak = Region.objects.get(code="5371010")
    page.goto(live_server.url + f"/admin/snippets/core/region/edit/{alak.pk}/")
    page.fill("input[name=latitude]", "-10.1650")
    page.fill("input[name=longitude]", "123.5400")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan").first.click()
    alak.refresh_from_db()
    assert (alak.latitude, alak.longitude) == (Decimal("-10.165000"), Decimal("123.540000"))

    page.goto(live_server.url + f"/admin/campaign/dashboard/?week={week}")
    area_map = page.locator("#map svg.jb-map")
    assert area_map.get_attribute("role") == "img"
    assert "Peta wilayah kampanye" in area_map.locator("title").first.text_content()
    # 22 regencies at their seats; the located Kupang institutions as dots.
    assert area_map.locator("a > circle").count() == 22
    assert area_map.locator("text", has_text="Sumba Timur").count() == 1
    assert page.csp_violations == [] and errors == []
    area_map.scroll_into_view_if_needed()
    screenshot(page, "dashboard-map")

    # Zoom into Kota Kupang: its districts, Alak at the centre staff set.
    with page.expect_navigation():
        area_map.locator("a", has=page.locator("title", has_text="Kota Kupang")).click()
    zoomed = page.locator("#map svg.jb-map")
    assert "Kecamatan di Kota Kupang" in page.locator("#map figcaption").inner_text()
    assert zoomed.locator("text", has_text="Alak").count() == 1
    assert page.csp_violations == [] and errors == []
    screenshot(page, "dashboard-map-kupang")

    response = page.request.get(live_server.url + f"/admin/campaign/dashboard/report.pdf?week={week}")
    pdf = SCREENSHOTS / "weekly-report-map.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "80",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(SCREENSHOTS / "weekly-report-map"),
        ],
        check=True,
    )
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Luas lingkaran: jumlah penduduk" in text and "Sumba Timur" in text

    # The report, from the Reports menu, for the latest week with guided sessions held
    # and figures after them (the demo's figures stop yesterday).
    held_weeks = GuidedSession.objects.filter(status=GuidedSession.Status.HELD).values_list("week", flat=True)
    past_week = max(
        w for w in held_weeks if w < timezone.localdate() - datetime.timedelta(days=1)
    ).isoformat()
    page.goto(live_server.url + "/admin/")
    page.get_by_role("button", name="Laporan").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Apakah berhasil? Setelah pendampingan").click()
    page.select_option("#uplift-week", past_week)
    with page.expect_navigation():
        page.locator("form:has(#uplift-week)").get_by_role("button", name="Tampilkan").click()
    assert "asosiasi, bukan bukti" in page.locator("#listing-results").inner_text()
    rows = page.locator("#listing-results table tbody tr")
    assert rows.count() == 22
    assert "Kota Kupang" in rows.first.inner_text()  # the one regency with sessions
    assert page.csp_violations == [] and errors == []
    screenshot(page, "report-after-sessions")
    export = page.request.get(live_server.url + f"/admin/reports/after-sessions/?week={past_week}&export=csv")
    assert export.text().splitlines()[0].startswith('"Kode BPS","Wilayah"')

    # Head of section: the campaign compared with the province's own curve.
    head = page.context.browser.new_context(locale="id-ID", timezone_id="Asia/Makassar").new_page()
    head_errors = _watch_console(head)
    admin_sign_in(head, live_server, "kepala", "jemputbola-kepala")
    head.goto(live_server.url + f"/admin/snippets/core/campaign/edit/{campaign.pk}/")
    head.select_option("select[name=trajectory]", "shaped")
    with head.expect_navigation():
        head.get_by_role("button", name="Simpan").first.click()
    campaign.refresh_from_db()
    assert campaign.trajectory == Campaign.Trajectory.SHAPED
    head.goto(live_server.url + f"/admin/campaign/dashboard/?week={week}")
    assert "mengikuti kurva provinsi sendiri" in head.locator("#areas").inner_text()
    assert head_errors == []
    head.context.close()
