"""Staff import a day of official figures by clicking: upload, read the check, confirm."""

import pytest

from campaign.core.services import DISSEMINATION_STAFF, regions_load, roles_sync
from campaign.response.models import CountImport, OfficialCount
from tests.browser.conftest import admin_sign_in, screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIGURES = "kode_wilayah;tanggal;penduduk;ruta\n5371;2020-05-28;61.000;15.250\n5301;2020-05-28;9.000;\n"


@pytest.mark.parametrize("background", [False, True], ids=["in-the-request", "in-the-task-worker"])
def test_staff_import_official_figures_through_the_form(live_server, page, settings, background):
    if background:  # the task queue (the immediate backend here) checks and writes the file
        settings.RESPONSE_IMPORT_BACKGROUND_BYTES = 10
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    regions_load()
    user = UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]])
    user.set_password("sandi-staf-1")
    user.save()

    admin_sign_in(page, live_server, "staf", "sandi-staf-1")
    page.goto(live_server.url + "/admin/snippets/response/officialcount/")
    page.locator("#w-slim-header-buttons button.w-dropdown__toggle").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Impor dari lembar kerja").click()
    if not background:
        screenshot(page, "response-import-upload")
    page.set_input_files(
        "input[name=file]", files=[{"name": "angka.csv", "mimeType": "text/csv", "buffer": FIGURES.encode()}]
    )
    page.fill("input[name=source]", "BPS RI, pemantauan SP2020 Online")
    with page.expect_navigation():
        page.get_by_role("button", name="Periksa berkas").click()

    assert "2 baris diperiksa" in page.locator("main").inner_text()
    assert not OfficialCount.objects.exists()
    if not background:
        screenshot(page, "response-import-check")
    with page.expect_navigation():
        page.get_by_role("button", name="Konfirmasi dan impor").click()

    assert "Sudah diimpor" in page.locator("main").inner_text()
    assert CountImport.objects.get().status == CountImport.Status.DONE
    assert dict(OfficialCount.objects.values_list("region__code", "persons")) == {
        "5371": 61_000,
        "5301": 9_000,
    }
    assert (errors, page.csp_violations) == ([], [])
