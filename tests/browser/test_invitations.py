"""An invitation in Chromium: the sent email as a person sees it (desktop and phone,
screenshots), then its RSVP link (propose another time) and its unsubscribe link."""

import datetime
from pathlib import Path

import pytest
from django.core import mail

from campaign.institutions.models import GuidedSession
from campaign.institutions.services import team_save
from campaign.invitations import services
from campaign.invitations.models import Recipient, Suppression
from tests.factories import BatchFactory, CampaignFactory, ContactFactory, InstitutionFactory, RegionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/invitations")  # noqa: S108 - where reviewers look
WITA = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def sent(settings, live_server):
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    settings.BASE_URL = live_server.url
    mail.outbox = []
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=RegionFactory(code="53", name="NTT"))
    campaign = CampaignFactory(online_start=datetime.date(2031, 2, 1), online_end=datetime.date(2031, 4, 30))
    team = team_save(campaign=campaign, name="Tim 3 Oebobo", area=kupang)
    ContactFactory(
        institution=InstitutionFactory(name="Dinas Kependudukan dan Pencatatan Sipil Kota Kupang"),
        name="Maria Ndun",
        position="Sekretaris Dinas",
    )
    batch = BatchFactory(team=team, proposed_at=datetime.datetime(2031, 2, 26, 9, 0, tzinfo=WITA))
    services.batch_start(batch=batch)
    (message,) = mail.outbox
    return message, Recipient.objects.get(batch=batch)


def test_invitation_email_rsvp_and_unsubscribe(sent, page, phone_page):
    message, recipient = sent
    html = message.alternatives[0].content
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "invitation.html").write_text(html)
    (SHOTS / "invitation.txt").write_text(message.body)
    page.set_viewport_size({"width": 800, "height": 900})
    page.set_content(html)
    page.screenshot(path=str(SHOTS / "email-desktop.png"), full_page=True)
    phone_page.set_content(html)
    phone_page.screenshot(path=str(SHOTS / "email-phone.png"), full_page=True)
    assert page.get_by_text("Maria Ndun").count() >= 1
    rsvp_url = page.get_by_role("link", name="Jawab undangan").get_attribute("href")

    page.goto(rsvp_url)
    assert "Dinas Kependudukan" in page.content()
    page.screenshot(path=str(SHOTS / "rsvp.png"), full_page=True)
    page.get_by_label("Proposed another time").or_(page.get_by_label("Mengusulkan waktu lain")).check()
    page.locator("input[type=datetime-local]").fill("2031-03-03T13:30")
    page.get_by_role("button").filter(has_text="Send my answer").or_(
        page.get_by_role("button").filter(has_text="Kirim jawaban")
    ).click()
    page.wait_for_url("**terima-kasih=1")
    page.screenshot(path=str(SHOTS / "rsvp-done.png"), full_page=True)
    session = GuidedSession.objects.get()
    assert session.status == GuidedSession.Status.PLANNED
    assert session.starts_at == datetime.datetime(2031, 3, 3, 13, 30, tzinfo=WITA)

    unsubscribe_url = message.extra_headers["List-Unsubscribe"].strip("<>")
    page.goto(unsubscribe_url)
    assert not Suppression.objects.exists()  # opening the link changes nothing
    page.locator("form button").click()
    page.wait_for_load_state()
    page.screenshot(path=str(SHOTS / "unsubscribed.png"), full_page=True)
    assert Suppression.objects.get().email == recipient.email
