"""A contact opens the unsubscribe link of an email and chooses to stop every channel:
the page offers this channel (the default) or every channel, and confirms; email,
WhatsApp and SMS are suppressed. Anonymous, clicks only; no console error, no CSP
violation."""

import pytest
from django.utils import timezone

from campaign.invitations import tokens
from campaign.invitations.models import ChannelSuppression, Recipient, Suppression
from tests.browser.conftest import screenshot
from tests.browser.test_journey import errors_of
from tests.factories import ContactFactory, RecipientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_contact_stops_every_channel_from_the_unsubscribe_link(live_server, page, phone_page, settings):
    settings.BASE_URL = live_server.url
    contact = ContactFactory(name="Maria Ndun", email="maria.ndun@kupangkota.go.id", phone="+6281234500077")
    recipient = RecipientFactory(contact=contact, status=Recipient.Status.SENT, sent_at=timezone.now())
    url = tokens.unsubscribe_url(recipient.pk)
    errors = errors_of(page)

    phone_page.goto(url)
    screenshot(phone_page, "unsubscribe-choice-phone")

    page.goto(url)
    only = page.get_by_label("Hanya saluran ini (Email)")
    every = page.get_by_label("Semua saluran: email, WhatsApp, dan SMS")
    assert only.is_checked() and not every.is_checked()
    screenshot(page, "unsubscribe-choice")
    assert not Suppression.objects.exists()  # opening the link changes nothing

    every.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Ya, hentikan langganan saya").click()
    assert page.get_by_role(
        "heading", name="Anda sudah berhenti berlangganan dari semua saluran"
    ).is_visible()
    assert "email, WhatsApp, maupun SMS" in page.locator("main").inner_text()
    screenshot(page, "unsubscribe-every-channel-done")

    # The link opened again: the page says the channel is stopped already.
    page.goto(url)
    notice = page.locator("p.notice")
    assert f"{contact.email} sudah berhenti berlangganan dari saluran ini" in notice.inner_text()
    assert page.get_by_label("Semua saluran: email, WhatsApp, dan SMS").is_visible()
    screenshot(page, "unsubscribe-already")

    assert Suppression.objects.get().email == contact.email
    assert set(ChannelSuppression.objects.values_list("channel", "phone")) == {
        ("whatsapp", "+6281234500077"),
        ("sms", "+6281234500077"),
    }
    assert errors == [] and page.csp_violations == []


def test_staff_stop_sms_to_a_number_by_hand_from_the_admin(live_server, page, settings):
    """A contact telephoned the office to stop SMS: a member of the dissemination staff
    opens "Suppressed phone numbers" from the Invitations menu, types the number as it
    was dictated, is told when it is not a number, saves it; the SMS still waiting for
    that number is skipped, WhatsApp is not touched."""
    from django.contrib.auth.models import Group

    from campaign.core.services import DISSEMINATION_STAFF, roles_sync
    from campaign.invitations.models import Batch
    from tests.browser.conftest import admin_sign_in
    from tests.factories import UserFactory

    settings.BASE_URL = live_server.url
    roles_sync()
    editor = UserFactory(username="penyebar", groups=[Group.objects.get(name=DISSEMINATION_STAFF)])
    editor.set_password("kata-sandi-uji-1")
    editor.save()
    contact = ContactFactory(name="Yosef Bria", phone="+6281234560099")
    waiting_sms = RecipientFactory(
        contact=contact,
        channel=Batch.Channel.SMS,
        email="",
        phone=contact.phone,
        status=Recipient.Status.PENDING,
    )
    waiting_whatsapp = RecipientFactory(
        contact=contact,
        channel=Batch.Channel.WHATSAPP,
        email="",
        phone=contact.phone,
        status=Recipient.Status.PENDING,
    )
    errors = errors_of(page)
    admin_sign_in(page, live_server, "penyebar", "kata-sandi-uji-1")

    page.get_by_role("button", name="Undangan").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Nomor telepon yang diblokir").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Tambah nomor telepon yang diblokir").first.click()
    assert [o.strip() for o in page.locator("#id_channel option").all_inner_texts()] == ["WhatsApp", "SMS"]
    page.select_option("#id_channel", label="SMS")
    page.fill("#id_phone", "12345")
    page.fill("#id_source", "Telepon ke kantor BPS Kota Kupang")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan").first.click()
    assert page.get_by_text("Nomor telepon tidak sah.").first.is_visible()
    screenshot(page, "channel-suppression-invalid")
    assert not ChannelSuppression.objects.exists()

    page.fill("#id_phone", "0812-3456-0099")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan").first.click()
    assert "/admin/snippets/invitations/channelsuppression/" in page.url
    listing = page.locator("table.listing").inner_text()
    assert "+6281234560099" in listing and "SMS" in listing and "Ditambahkan petugas" in listing
    screenshot(page, "channel-suppression-list")

    row = ChannelSuppression.objects.get()
    assert (row.channel, row.phone, row.reason) == ("sms", "+6281234560099", "manual")
    assert row.source == "Telepon ke kantor BPS Kota Kupang"
    waiting_sms.refresh_from_db()
    waiting_whatsapp.refresh_from_db()
    assert waiting_sms.status == Recipient.Status.SKIPPED
    assert waiting_whatsapp.status == Recipient.Status.PENDING
    assert errors == [] and page.csp_violations == []
