"""Dissemination staff record a contact's WhatsApp opt-in and preferred channel, make a
WhatsApp batch and an SMS batch through the admin forms, send them (outbox backends), read
the report by channel and open click-to-chat from the batch's recipients: all through the
UI, signed in as a member of the dissemination staff."""

import pytest
from django.contrib.auth.models import Group

from campaign.core.services import DISSEMINATION_STAFF
from campaign.institutions.models import Contact, PersonalDataLog
from campaign.invitations.models import Batch, ChatTap, OutboxMessage, Recipient
from tests.browser.conftest import admin_sign_in, screenshot
from tests.browser.test_journey import choose, errors_of, save
from tests.factories import AudienceFactory, UserFactory
from tests.fieldapp.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _close_pickers(page):
    """The date picker opens a moment after its field takes the focus: click it away
    until it stays closed."""
    for _attempt in range(10):
        page.locator("#id_name").click()
        page.wait_for_timeout(300)
        if not page.locator(".xdsoft_datetimepicker:visible").count():
            break
    assert not page.locator(".xdsoft_datetimepicker:visible").count()


def test_staff_opt_in_send_whatsapp_and_sms_and_click_to_chat(live_server, page, settings):
    settings.BASE_URL = live_server.url
    build_world()
    AudienceFactory(name="Semua instansi")
    editor = UserFactory(username="editor", groups=[Group.objects.get(name=DISSEMINATION_STAFF)])
    editor.set_password(PASSWORD)
    editor.save()
    contacts = list(Contact.objects.exclude(phone="").order_by("pk"))
    assert len(contacts) >= 2
    contact = contacts[0]
    errors = errors_of(page)
    admin_sign_in(page, live_server, "editor", PASSWORD)

    # 1. The contact's WhatsApp opt-in (when, how) and preferred channel; who is recorded.
    page.goto(live_server.url + f"/admin/snippets/institutions/contact/edit/{contact.pk}/")
    page.select_option("#id_preferred_channel", "whatsapp")
    page.fill("#id_whatsapp_opt_in_at", "2020-02-10 09:00")
    _close_pickers(page)
    page.fill("#id_whatsapp_opt_in_source", "Daftar hadir sosialisasi Kecamatan Oebobo")
    screenshot(page, "contact-whatsapp-opt-in")
    save(page, "contact-opt-in")
    contact.refresh_from_db()
    assert contact.preferred_channel == "whatsapp" and contact.whatsapp_opt_in_by == editor
    assert contact.whatsapp_opt_in_source == "Daftar hadir sosialisasi Kecamatan Oebobo"
    log = PersonalDataLog.objects.get(action=PersonalDataLog.Action.OPT_IN)
    assert log.user == editor and f"contact #{contact.pk}" in log.detail

    # 2. A WhatsApp batch: the channel, the approved template, the audience.
    page.goto(live_server.url + "/admin/snippets/invitations/batch/add/")
    page.fill("#id_name", "WhatsApp ke instansi")
    page.select_option("#id_channel", "whatsapp")
    page.fill("#id_whatsapp_template", "undangan_pendampingan")
    # Approved in Indonesian and English (the first for everyone else).
    page.get_by_label("Bahasa templat WhatsApp").fill("id, en")
    choose(page, "audience", "Semua instansi")
    screenshot(page, "whatsapp-batch-form")
    save(page, "whatsapp-batch")
    batch = Batch.objects.get(name="WhatsApp ke instansi")
    assert batch.channel == "whatsapp" and batch.template_id is None
    assert batch.whatsapp_language == "id, en"
    assert page.locator(".phone-count").inner_text().startswith("1 nomor")
    assert "Tanpa persetujuan WhatsApp" in page.locator("main").inner_text()
    screenshot(page, "whatsapp-batch-draft")
    with page.expect_navigation():
        page.get_by_role("button", name="Mulai kirim").click()
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    assert list(batch.recipients.filter(status="sent").values_list("contact", flat=True)) == [contact.pk]
    (kept,) = OutboxMessage.objects.filter(to=contact.phone)
    assert kept.subject.endswith("(id)")  # the contact prefers Indonesian
    page.reload()
    row = page.locator("table.channel-funnel tr[data-channel=whatsapp]")
    assert row.locator("td").nth(1).inner_text() == "1"
    screenshot(page, "whatsapp-batch-report")

    # 3. Click-to-chat from the batch's recipients: the tap is recorded, WhatsApp opens.
    page.get_by_role("link", name="Klik-untuk-chat WhatsApp").click()
    page.wait_for_selector("table.click-to-chat")
    screenshot(page, "whatsapp-click-to-chat")
    target = page.locator(f"tr[data-recipient='{batch.recipients.get(contact=contact).pk}']")
    # The tap opens a new tab: its POST answers 303 to wa.me (which this machine cannot
    # reach: the redirect's target is read from the answer, not loaded).
    tapped = lambda response: "/whatsapp/" in response.url and response.request.method == "POST"  # noqa: E731
    with page.context.expect_event("response", predicate=tapped) as response_info:
        with page.expect_popup() as popup_info:
            target.get_by_role("button", name="Buka WhatsApp").click()
    response = response_info.value
    assert response.status == 303
    assert response.headers["location"].startswith(f"https://wa.me/{contact.phone.lstrip('+')}?text=")
    popup_info.value.close()
    assert list(ChatTap.objects.values_list("user", flat=True)) == [editor.pk]
    page.reload()
    assert "1 kali" in target.locator(".taps").inner_text()

    # 4. An SMS batch: without a text the form says so; with one it sends to every number.
    page.goto(live_server.url + "/admin/snippets/invitations/batch/add/")
    page.fill("#id_name", "SMS ke instansi")
    page.select_option("#id_channel", "sms")
    choose(page, "audience", "Semua instansi")
    page.locator("form button[type=submit]").filter(has_text="Simpan").first.click()
    page.wait_for_selector(".w-field--error")
    assert "Gelombang SMS memerlukan teks." in page.locator("main").inner_text()
    page.fill("#id_sms_text", "BPS NTT: {{ contact_name }}, pilih jadwal pendampingan: {{ rsvp_link }}")
    save(page, "sms-batch")
    with page.expect_navigation():
        page.get_by_role("button", name="Mulai kirim").click()
    sms = Batch.objects.get(name="SMS ke instansi")
    assert sms.status == Batch.Status.DONE
    assert sms.recipients.filter(status=Recipient.Status.SENT).count() == len(contacts)
    assert "/r/" in OutboxMessage.objects.filter(subject__startswith="SMS").first().text
    screenshot(page, "sms-batch-report")

    # 5. Every batch by channel.
    page.get_by_role("link", name="Semua gelombang per saluran").click()
    page.wait_for_selector("table.channel-funnel")
    sent = {
        row.get_attribute("data-channel"): row.locator("td").nth(1).inner_text()
        for row in page.locator("table.channel-funnel tbody tr").all()
    }
    assert sent == {"whatsapp": "1", "sms": str(len(contacts))}
    screenshot(page, "channels-report")
    assert errors == [] and page.csp_violations == []
