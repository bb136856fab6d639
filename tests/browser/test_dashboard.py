import subprocess
from io import StringIO

import pytest
from django.core.management import call_command

from campaign.core.models import Campaign
from tests.browser.conftest import SCREENSHOTS, admin_sign_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_desktop_phone_and_weekly_pdf(live_server, page, phone_page, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    settings.DEBUG = False
    # The demo's fourth week (2 March 2020 in the SP2020 case, moved onto today's calendar).
    week = Campaign.objects.get(is_active=True).weeks()[3].isoformat()

    admin_sign_in(page, live_server, "editor", "jemputbola-editor")
    page.goto(live_server.url + f"/admin/campaign/dashboard/?week={week}")
    assert page.get_by_role("heading", name="Dasbor kampanye").is_visible()
    # The fourth week: the six Kupang teams planned 63 institutions.
    assert page.locator(".jb-kpi").nth(1).inner_text().startswith("63")
    assert page.locator("svg.chart").count() == 3
    # The regencies from the official figures, furthest behind first, each with its RAG.
    assert page.locator("#areas .jb-table tbody tr").count() == 22
    assert (
        page.locator("#areas .jb-rag--red").count() > 0 and page.locator("#areas .jb-rag--green").count() > 0
    )
    assert page.csp_violations == []
    screenshot(page, "dashboard-desktop")

    admin_sign_in(phone_page, live_server, "tim4", "jemputbola-tim")
    phone_page.goto(live_server.url + f"/admin/campaign/dashboard/?week={week}")
    # A field member's own team comes first.
    assert "Tim 4" in phone_page.locator("#teams .jb-table tbody tr").first.inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone_page, "dashboard-phone")

    response = page.request.get(live_server.url + f"/admin/campaign/dashboard/report.pdf?week={week}")
    assert response.headers["content-type"] == "application/pdf"
    pdf = SCREENSHOTS / "weekly-report.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(SCREENSHOTS / "weekly-report")], check=True)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Laporan kemajuan mingguan" in text and "Tim 6" in text
