"""Follow-up after a visit, by clicking: dissemination staff find the institution's
"staff progress" link in the admin, the institution (no account) reports 40 of 50 staff
done through it, and staff see 80% and the institution completed."""

import pytest

from campaign.core.services import DISSEMINATION_STAFF, roles_sync
from campaign.institutions.models import Institution
from tests.browser.conftest import admin_sign_in, screenshot
from tests.factories import InstitutionFactory, RegionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_an_institution_reports_its_staff_progress_and_staff_see_it(live_server, browser, page, settings):
    settings.BASE_URL = live_server.url
    settings.INSTITUTION_COMPLETION_THRESHOLD_PERCENT = 75
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=RegionFactory(code="53", name="NTT"))
    institution = InstitutionFactory(
        name="Dinas Kesehatan Kota Kupang", region=kupang, status=Institution.Status.GUIDED, employees=50
    )
    staff = UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]])
    staff.set_password("sandi-staf-1")
    staff.save()
    staff_errors = _watch(page)

    admin_sign_in(page, live_server, "staf", "sandi-staf-1")
    page.goto(live_server.url + f"/admin/snippets/institutions/institution/inspect/{institution.pk}/")
    assert page.get_by_text("Belum ada laporan.").count() == 1
    link = page.locator(".completion-link").input_value()
    assert link.startswith(live_server.url + "/lapor-progres/")

    # The institution's head opens the link on a phone, without an account.
    contact = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="id-ID")
    phone = contact.new_page()
    contact_errors = _watch(phone)
    violations = []
    phone.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    phone.goto(link)
    assert phone.get_by_role("heading", level=1).inner_text() == "Progres pegawai Anda dalam sensus"
    assert phone.get_by_label("Jumlah seluruh pegawai instansi").input_value() == "50"
    # A slip of the finger first: more done than there are staff.
    phone.get_by_label("Pegawai yang sudah mengisi formulir sensus online").fill("60")
    phone.get_by_role("button", name="Kirim laporan").click()
    phone.wait_for_load_state()
    assert phone.get_by_text("Angka ini lebih banyak dari seluruh pegawai instansi.").count() == 1
    phone.get_by_label("Pegawai yang sudah mengisi formulir sensus online").fill("40")
    phone.get_by_role("button", name="Kirim laporan").click()
    phone.wait_for_selector("p.notice")
    assert "40 dari 50" in phone.locator(".completion-current").inner_text()
    assert "80%" in phone.locator(".completion-current").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "completion-report-360")
    assert contact_errors == [] and violations == []
    contact.close()

    page.reload()
    assert "40 dari 50" in page.locator(".completion-figure").inner_text()
    assert page.get_by_text("Penyelesaian dilaporkan").count() >= 1  # the status, by itself
    screenshot(page, "completion-institution-inspect")
    page.goto(live_server.url + "/admin/snippets/institutions/institution/")
    assert page.get_by_role("cell", name="40/50 (80%)").count() == 1
    assert staff_errors == [] and page.csp_violations == []
