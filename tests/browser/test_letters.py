"""Dissemination staff write a letter template, make a letter batch through the admin
choosers, number it and download the batch's PDF: a letter per institution, as printed."""

import re

import pytest
from django.contrib.auth.models import Group

from campaign.core.services import DISSEMINATION_STAFF
from campaign.invitations.models import Batch, Letter, LetterTemplate
from tests.browser.conftest import admin_sign_in, screenshot
from tests.browser.test_fieldapp import wait_until
from tests.browser.test_journey import choose, errors_of, save
from tests.factories import AudienceFactory, UserFactory
from tests.fieldapp.world import PASSWORD, build_world
from tests.materials.pdftools import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = "Kami mohon dukungan Bapak/Ibu agar seluruh pegawai mengisi Sensus Penduduk Online."


def test_staff_write_number_and_print_letters(live_server, page, settings, tmp_path):
    settings.BASE_URL = live_server.url
    world = build_world()
    from campaign.institutions.models import Institution

    assert world.institutions
    institutions = list(Institution.objects.filter(contacts__isnull=False).distinct())
    AudienceFactory(name="Semua instansi")
    editor = UserFactory(username="editor", groups=[Group.objects.get(name=DISSEMINATION_STAFF)])
    editor.set_password(PASSWORD)
    editor.save()
    errors = errors_of(page)
    admin_sign_in(page, live_server, "editor", PASSWORD)

    # 1. The letter template.
    page.goto(live_server.url + "/admin/snippets/invitations/lettertemplate/add/")
    page.fill("#id_name", "Surat permohonan dukungan")
    assert page.input_value("#id_number_format") == "B-{seq}/{office_code}/HM.340/{month_roman}/{year}"
    page.fill("#id_number_format", "B-{seq}/5300/HM.340/{month_roman}/{year}")
    page.fill("#id_attachments", "1 (satu) berkas")
    page.fill("#id_subject", "Permohonan Dukungan Sensus Penduduk Online 2020")
    editor_box = page.locator(".public-DraftEditor-content").first
    editor_box.wait_for(state="visible")
    editor_box.click()
    page.keyboard.type(BODY)
    page.locator("#id_name").click()
    wait_until(lambda: "Kami mohon dukungan" in page.input_value("#id_body"), timeout=10)
    page.fill("#id_signatory_name", "Darwis Sitorus, S.Si., M.M.")
    page.fill("#id_signatory_nip", "19700101 199003 1 001")
    page.fill("#id_signatory_position", "Kepala Badan Pusat Statistik Provinsi Nusa Tenggara Timur")
    screenshot(page, "letter-template-form")
    save(page, "letter-template")
    template = LetterTemplate.objects.get(name="Surat permohonan dukungan")
    assert template.signatory_nip == "19700101 199003 1 001"

    # 2. The letter batch: the channel, then the letter template and audience choosers.
    page.goto(live_server.url + "/admin/snippets/invitations/batch/add/")
    page.fill("#id_name", "Surat ke instansi Kota Kupang")
    page.select_option("#id_channel", "letter")
    choose(page, "letter_template", "Surat permohonan dukungan")
    choose(page, "audience", "Semua instansi")
    screenshot(page, "letter-batch-form")
    save(page, "letter-batch")
    batch = Batch.objects.get(name="Surat ke instansi Kota Kupang")
    assert batch.channel == "letter" and batch.template_id is None
    count = len(institutions)
    assert page.locator(".letter-count").inner_text().startswith(f"{count} surat")

    # 3. Numbering (the test task backend runs it at once), then the batch's PDF.
    page.get_by_role("button", name="Beri nomor dan tulis surat").click()
    page.wait_for_selector(".batch-letters table")
    assert Letter.objects.filter(batch=batch).count() == count
    assert page.locator(".batch-letters tbody tr").count() == count
    screenshot(page, "letter-batch-report")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh semua surat untuk dicetak (PDF)").click()
    download = download_info.value
    path = tmp_path / "surat.pdf"
    download.save_as(path)
    text = pdf_text(path.read_bytes(), tmp_path)
    assert len(re.findall(r"B-\d+/5300/HM\.340/[IVXL]+/\d{4}", text)) == count
    assert text.count("Yth.") == count
    assert "Kami mohon dukungan Bapak/Ibu" in text and "NIP. 19700101 199003 1 001" in text

    # 4. The register lists them.
    page.goto(live_server.url + f"/admin/snippets/invitations/letter/?batch={batch.pk}")
    assert page.locator("table.listing tbody tr").count() == count
    screenshot(page, "letter-register")
    assert errors == [] and page.csp_violations == []
