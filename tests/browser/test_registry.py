from io import StringIO

import pytest
from django.core.management import call_command

from campaign.institutions.models import Institution
from tests.browser.conftest import admin_sign_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD_CSV = (
    b"nama;jenis;kode_wilayah;email_kontak;nama_kontak\n"
    b"Kantor Lurah Baru;Kantor Pemerintah;5371030;lurah@example.org;Ina Bria\n"
    b";Swasta;5371;;\n"
    b"Toko Maju;Toko;9999;bukan-email;Yosef\n"
)


@pytest.fixture
def signed_in_editor(live_server, page, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    settings.DEBUG = False
    admin_sign_in(page, live_server, "editor", "jemputbola-editor")
    return page


def test_staff_browse_import_with_errors_and_inspect(live_server, signed_in_editor):
    page = signed_in_editor
    before = Institution.objects.count()

    page.goto(live_server.url + "/admin/snippets/institutions/institution/")
    assert page.get_by_role("link", name="DPRD Kota Kupang", exact=True).is_visible()
    screenshot(page, "institutions-list")

    # The header's "more" menu links the import.
    page.locator("#w-slim-header-buttons button.w-dropdown__toggle").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Impor dari lembar kerja").click()
    page.set_input_files(
        "input[name=file]", files=[{"name": "daftar.csv", "mimeType": "text/csv", "buffer": BAD_CSV}]
    )
    page.fill("input[name=source]", "Setda Kota Kupang")
    with page.expect_navigation():
        page.get_by_role("button", name="Periksa berkas").click()

    screenshot(page, "institutions-import-errors")
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == 4  # row 3: name; row 4: kind, region code, email
    assert "Nama tidak diisi." in rows.nth(0).inner_text()
    assert "Jenis “Toko” tidak dikenal." in page.content()
    assert Institution.objects.count() == before  # nothing half-imported

    unc = Institution.objects.get(name="Universitas Nusa Cendana")
    page.goto(live_server.url + f"/admin/snippets/institutions/institution/inspect/{unc.pk}/")
    assert page.get_by_role("heading", name="Kontak").is_visible()
    screenshot(page, "institutions-inspect")
