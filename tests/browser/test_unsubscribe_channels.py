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

    assert Suppression.objects.get().email == contact.email
    assert set(ChannelSuppression.objects.values_list("channel", "phone")) == {
        ("whatsapp", "+6281234500077"),
        ("sms", "+6281234500077"),
    }
    assert errors == [] and page.csp_violations == []
