"""A contact opens an invitation after the time it proposed has passed: the page says so
and offers another time first; the contact switches the page to English with its
language link, proposes tomorrow morning and is thanked in English; the confirmation
email says the time is the contact's proposal. Anonymous, clicks only; no console error,
no CSP violation."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from campaign.invitations import tokens
from campaign.invitations.models import Recipient
from tests.browser.conftest import screenshot
from tests.browser.test_journey import errors_of
from tests.factories import RecipientFactory
from tests.fieldapp.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_contact_proposes_another_time_in_english_when_the_offered_one_has_passed(
    live_server, page, settings
):
    settings.BASE_URL = live_server.url
    world = build_world()
    institution = world.institutions[0][0]
    recipient = RecipientFactory(
        contact=institution.contacts.get(),
        institution=institution,
        team=world.teams[0],
        status=Recipient.Status.SENT,
        sent_at=timezone.now() - datetime.timedelta(days=2),
        proposed_at=timezone.now() - datetime.timedelta(hours=2),
    )
    errors = errors_of(page)
    page.goto(tokens.rsvp_url(recipient.pk))
    assert "Waktu itu sudah lewat" in page.locator("p.notice").inner_text()
    assert page.get_by_label("Mengusulkan waktu lain").is_checked()
    screenshot(page, "rsvp-passed-time")

    with page.expect_navigation():
        page.locator("a[hreflang=en]").click()
    assert "bahasa=en" in page.url
    assert page.get_by_role("heading", name="Census guidance session").is_visible()
    assert "That time has passed" in page.locator("p.notice").inner_text()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.locator("input[type=datetime-local]").fill(f"{tomorrow:%Y-%m-%d}T10:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answer").click()
    assert "terima-kasih=1" in page.url and "bahasa=en" in page.url
    thanked = page.locator("main").inner_text()
    assert "Thank you" in thanked and "That time has passed" not in thanked  # answered now
    screenshot(page, "rsvp-passed-time-thanks-en")

    recipient.refresh_from_db()
    assert recipient.answer == Recipient.Answer.PROPOSE
    assert timezone.localtime(recipient.answer_time).date() == tomorrow
    (confirmation,) = mail.outbox
    html = confirmation.alternatives[0][0]
    assert "Kami mencatat waktu yang Anda usulkan" in html  # the contact's own language
    assert errors == [] and page.csp_violations == []
    # The email as a mail client shows it (a blank page: the site's CSP is not the client's).
    mail_view = page.context.new_page()
    mail_view.set_content(html)
    screenshot(mail_view, "rsvp-proposal-confirmation-email")
