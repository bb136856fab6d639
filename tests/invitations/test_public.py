"""The pages an invitation's links open: unsubscribe and RSVP."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from campaign.institutions.models import GuidedSession, Institution
from campaign.invitations import tokens
from campaign.invitations.models import Recipient, RsvpAnswer, Suppression
from tests.factories import RecipientFactory

from .conftest import WITA

pytestmark = pytest.mark.django_db
PROPOSED = datetime.datetime(2031, 2, 26, 9, 0, tzinfo=WITA)


@pytest.fixture
def team(kupang):
    """A team of a campaign that runs when the proposed sessions are (sessions outside
    the campaign are refused)."""
    from campaign.institutions.services import team_save
    from tests.factories import CampaignFactory

    campaign = CampaignFactory(online_start=datetime.date(2031, 2, 1), online_end=datetime.date(2031, 4, 30))
    return team_save(campaign=campaign, name="Tim 1", area=kupang)


@pytest.fixture
def recipient(team):
    return RecipientFactory(
        status=Recipient.Status.SENT, team=team, proposed_at=PROPOSED, sent_at=timezone.now()
    )


def unsubscribe_path(recipient):
    return tokens.unsubscribe_url(recipient.pk).removeprefix("http://testserver")


def rsvp_path(recipient):
    return tokens.rsvp_url(recipient.pk).removeprefix("http://testserver")


# --- Unsubscribe ---------------------------------------------------------------------


def test_unsubscribe_get_shows_a_confirmation_and_changes_nothing(recipient):
    response = Client().get(unsubscribe_path(recipient))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert recipient.email.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    assert not Suppression.objects.exists()


def test_one_click_unsubscribe_works_without_cookies_or_csrf_token(recipient):
    other_pending = RecipientFactory(email=recipient.email, contact=recipient.contact)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_path(recipient),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    suppression = Suppression.objects.get(email=recipient.email)
    assert suppression.reason == Suppression.Reason.UNSUBSCRIBED and suppression.source == "one-click"
    other_pending.refresh_from_db()
    assert other_pending.status == Recipient.Status.SKIPPED
    # Again: still one suppression, still a 200.
    assert client.post(unsubscribe_path(recipient)).status_code == 200
    assert Suppression.objects.count() == 1


def test_the_page_offers_one_channel_by_default_or_every_channel(recipient):
    page = Client().get(unsubscribe_path(recipient)).content.decode()
    assert 'name="scope" value="channel" checked' in page
    assert "Hanya saluran ini (Email)" in page
    assert 'name="scope" value="all">' in page and "Semua saluran: email, WhatsApp, dan SMS" in page


def test_one_channel_by_default_leaves_whatsapp_and_sms(recipient):
    from campaign.invitations.models import ChannelSuppression

    response = Client().post(unsubscribe_path(recipient), {"scope": "channel"})
    page = response.content.decode()
    assert "Anda sudah berhenti berlangganan" in page and "semua saluran" not in page
    assert Suppression.objects.get().email == recipient.email
    assert not ChannelSuppression.objects.exists()


def test_every_channel_stops_email_whatsapp_and_sms_of_the_contact(recipient):
    from campaign.invitations.models import Batch, ChannelSuppression

    phone = str(recipient.contact.phone)
    waiting = RecipientFactory(
        contact=recipient.contact, channel=Batch.Channel.WHATSAPP, email="", phone=phone
    )
    elsewhere = RecipientFactory(channel=Batch.Channel.SMS, email="", phone="+6281299999999")
    response = Client(enforce_csrf_checks=True).post(unsubscribe_path(recipient), {"scope": "all"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Anda sudah berhenti berlangganan dari semua saluran" in page
    assert "melalui email, WhatsApp, maupun SMS" in page
    suppression = Suppression.objects.get()
    assert suppression.email == recipient.email and suppression.reason == Suppression.Reason.UNSUBSCRIBED
    assert "semua saluran" in suppression.detail
    assert sorted(ChannelSuppression.objects.values_list("channel", "phone", "source")) == [
        ("sms", phone, "unsubscribe page, every channel"),
        ("whatsapp", phone, "unsubscribe page, every channel"),
    ]
    waiting.refresh_from_db()
    elsewhere.refresh_from_db()
    assert waiting.status == Recipient.Status.SKIPPED and elsewhere.status == Recipient.Status.PENDING
    # Again: nothing doubles.
    Client().post(unsubscribe_path(recipient), {"scope": "all"})
    assert Suppression.objects.count() == 1 and ChannelSuppression.objects.count() == 2


def test_each_unsubscribe_is_logged_once_as_a_withdrawal_of_consent(recipient):
    """UU 27/2022: a contact may withdraw consent at any time, and the controller records
    it. The personal-data log names the contact and the channels, not the address."""
    from campaign.institutions.models import PersonalDataLog

    def withdrawals():
        return list(
            PersonalDataLog.objects.filter(action=PersonalDataLog.Action.WITHDRAW)
            .order_by("created_at", "pk")
            .values_list("user", "model", "row_count", "detail")
        )

    Client().post(unsubscribe_path(recipient), {"scope": "channel"})
    Client().post(unsubscribe_path(recipient), {"scope": "channel"})  # again: nothing new
    contact = recipient.contact
    ((user, model, rows, detail),) = withdrawals()
    assert (user, model, rows) == (None, "contact", 1)
    assert detail.startswith(f"contact #{contact.pk}: unsubscribed from email (unsubscribe page)")
    assert recipient.email not in detail

    # Every channel later: the email was stopped already, so the entry names the phone channels.
    Client().post(unsubscribe_path(recipient), {"scope": "all"})
    Client().post(unsubscribe_path(recipient), {"scope": "all"})
    assert len(withdrawals()) == 2
    assert withdrawals()[1][3].startswith(f"contact #{contact.pk}: unsubscribed from whatsapp, sms (")
    assert str(contact.phone) not in withdrawals()[1][3]
    # The log's list shows it in Indonesian.
    assert (
        PersonalDataLog(action="withdraw").get_action_display()
        == "Berhenti berlangganan (persetujuan ditarik)"
    )


def test_the_data_protection_officer_reads_withdrawals_in_the_admin_log(recipient, admin_client):
    from django.urls import reverse

    from campaign.institutions.models import PersonalDataLog

    Client().post(unsubscribe_path(recipient), {"scope": "all"})
    entry = PersonalDataLog.objects.get(action="withdraw")
    url = reverse("wagtailsnippets_institutions_personaldatalog:list")
    page = admin_client.get(url, {"action": "withdraw"}).content.decode()
    assert "Log data pribadi" in page and "Berhenti berlangganan (persetujuan ditarik)" in page
    assert f"contact #{recipient.contact_id}: unsubscribed from email, whatsapp, sms" in page
    assert "kontak" in page and "institutions.contact" not in page  # the data named as people read it
    inspect = admin_client.get(
        reverse("wagtailsnippets_institutions_personaldatalog:inspect", args=[entry.pk])
    ).content.decode()
    # Its title in WITA and words, not UTC and codes.
    wita = timezone.localtime(entry.created_at)
    assert f"{wita:%Y-%m-%d %H:%M} · Berhenti berlangganan (persetujuan ditarik) · kontak (1)" in inspect
    # Nobody writes it by hand, the superuser included.
    assert admin_client.get(reverse("wagtailsnippets_institutions_personaldatalog:add")).status_code == 302
    assert (
        admin_client.get(
            reverse("wagtailsnippets_institutions_personaldatalog:edit", args=[entry.pk])
        ).status_code
        == 302
    )
    assert PersonalDataLog.objects.get(pk=entry.pk).detail == entry.detail


def test_a_mail_clients_one_click_never_stops_every_channel(recipient):
    from campaign.invitations.models import ChannelSuppression

    Client().post(
        unsubscribe_path(recipient),
        data="List-Unsubscribe=One-Click&scope=all",
        content_type="application/x-www-form-urlencoded",
    )
    assert Suppression.objects.count() == 1 and not ChannelSuppression.objects.exists()


def test_every_channel_from_an_sms_link_stops_the_email_too(team):
    from campaign.invitations.models import Batch, ChannelSuppression

    sms = RecipientFactory(
        batch__template=None,
        batch__channel=Batch.Channel.SMS,
        batch__sms_text="{{ rsvp_link }}",
        channel=Batch.Channel.SMS,
        email="",
        status=Recipient.Status.SENT,
        sent_at=timezone.now(),
    )
    sms.phone = str(sms.contact.phone)
    sms.save()
    page = Client().get(unsubscribe_path(sms)).content.decode()
    assert "Hanya saluran ini (SMS)" in page
    Client().post(unsubscribe_path(sms), {"scope": "all"})
    assert Suppression.objects.get().email == sms.contact.email
    assert set(ChannelSuppression.objects.values_list("channel", flat=True)) == {"whatsapp", "sms"}


@pytest.mark.parametrize("kind", ["tampered", "wrong_purpose", "expired", "garbage", "deleted"])
def test_broken_links_get_a_friendly_page(recipient, kind, settings):
    if kind == "tampered":
        token = tokens.make("unsubscribe", recipient.pk)[:-2] + "xx"
        path = f"/undangan/berhenti/{token}/"
    elif kind == "wrong_purpose":
        path = f"/undangan/berhenti/{tokens.make('rsvp', recipient.pk)}/"
    elif kind == "expired":
        past = timezone.now() - tokens.RSVP_MAX_AGE - datetime.timedelta(days=1)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("time.time", lambda: past.timestamp())
            stale = tokens.make("rsvp", recipient.pk)
        path = f"/undangan/{stale}/"
    elif kind == "garbage":
        path = "/undangan/%3Cscript%3E/"
    else:
        token = tokens.make("rsvp", recipient.pk)
        Recipient.objects.filter(pk=recipient.pk).delete()
        path = f"/undangan/{token}/"
    for method in ("get", "post"):
        response = getattr(Client(), method)(path)
        assert response.status_code == (410 if kind == "expired" else 404)
        assert b"<h1>" in response.content
    assert not Suppression.objects.exists() and not RsvpAnswer.objects.exists()


# --- RSVP ----------------------------------------------------------------------------------


def test_rsvp_get_never_changes_state(recipient):
    for _ in range(3):
        response = Client().get(rsvp_path(recipient))
        assert response.status_code == 200
    assert b"26 Februari 2031" in response.content
    recipient.refresh_from_db()
    assert recipient.answer == "" and not RsvpAnswer.objects.exists()
    assert not GuidedSession.objects.exists()


def test_accepting_plans_a_session_and_mails_a_calendar_file(recipient, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(rsvp_path(recipient), {"answer": "accept"})
    assert response.status_code == 302 and response["Location"].endswith("?terima-kasih=1")
    recipient.refresh_from_db()
    assert recipient.answer == Recipient.Answer.ACCEPT
    session = recipient.session
    assert session.status == GuidedSession.Status.PLANNED and session.starts_at == PROPOSED
    assert session.team == recipient.team and session.institution == recipient.institution
    assert Institution.objects.get(pk=recipient.institution_id).status == Institution.Status.SESSION_PLANNED

    (confirmation,) = mail.outbox
    assert confirmation.to == [f"{recipient.name} <{recipient.email}>"]
    (attachment,) = confirmation.attachments
    assert attachment.filename == "undangan.ics" and attachment.mimetype.startswith("text/calendar")
    ics = attachment.content if isinstance(attachment.content, str) else attachment.content.decode()
    assert "DTSTART:20310226T010000Z" in ics and "METHOD:PUBLISH" in ics
    assert "BEGIN:VEVENT" in ics and ics.endswith("END:VCALENDAR\r\n")

    page = client.get(response["Location"])
    assert b'role="status"' in page.content


def test_same_answer_twice_is_recorded_once(recipient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            Client().post(rsvp_path(recipient), {"answer": "accept"})
    assert RsvpAnswer.objects.count() == 1 and len(mail.outbox) == 1
    assert GuidedSession.objects.count() == 1


def test_a_second_answer_updates_the_session_and_is_logged(recipient, django_capture_on_commit_callbacks):
    client = Client()
    later = datetime.datetime(2031, 3, 3, 13, 30)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(rsvp_path(recipient), {"answer": "accept"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            rsvp_path(recipient), {"answer": "propose", "proposed_at": later.strftime("%Y-%m-%dT%H:%M")}
        )
    recipient.refresh_from_db()
    assert recipient.answer == Recipient.Answer.PROPOSE
    assert GuidedSession.objects.count() == 1
    assert timezone.localtime(recipient.session.starts_at).replace(tzinfo=None) == later
    assert list(recipient.answers.values_list("answer", flat=True)) == ["accept", "propose"]
    assert len(mail.outbox) == 2
    accepted, proposed = (message.body for message in mail.outbox)
    assert "Pendampingan direncanakan pada:" in accepted
    assert "Kami mencatat waktu yang Anda usulkan" in proposed and "tidak cocok bagi tim kami" in proposed
    assert "Kami mencatat waktu yang Anda usulkan" not in accepted

    with django_capture_on_commit_callbacks(execute=True):
        client.post(rsvp_path(recipient), {"answer": "decline"})
    recipient.refresh_from_db()
    assert recipient.session.status == GuidedSession.Status.CANCELLED
    assert recipient.answers.count() == 3
    assert "METHOD:CANCEL" in mail.outbox[-1].attachments[0].content


def test_proposing_without_a_time_or_in_the_past_shows_the_form_again(recipient):
    client = Client()
    response = client.post(rsvp_path(recipient), {"answer": "propose"})
    assert response.status_code == 200 and b"errorlist" in response.content
    response = client.post(rsvp_path(recipient), {"answer": "propose", "proposed_at": "2020-01-01T09:00"})
    assert response.status_code == 200 and b"errorlist" in response.content
    response = client.post(rsvp_path(recipient), {"answer": "maybe"})
    assert response.status_code == 200
    assert not RsvpAnswer.objects.exists()


def test_media_partner_answer_is_recorded_without_a_session(django_capture_on_commit_callbacks):
    from tests.factories import MediaContactFactory

    contact = MediaContactFactory()
    recipient = RecipientFactory(
        contact=contact, institution=None, media_partner=contact.media_partner, proposed_at=PROPOSED
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post(rsvp_path(recipient), {"answer": "accept"}).status_code == 302
    recipient.refresh_from_db()
    assert recipient.answer == "accept" and recipient.session is None
    assert not GuidedSession.objects.exists()
    assert mail.outbox[0].attachments == []


def test_a_proposed_time_outside_the_campaign_is_refused_with_a_clear_message(client, recipient):
    response = client.post(
        rsvp_path(recipient),
        {"answer": "propose", "proposed_at": "2031-06-02T10:00"},
    )
    assert response.status_code == 200
    assert "di luar masa kampanye" in response.content.decode()
    recipient.refresh_from_db()
    assert recipient.answer == ""


def test_a_proposed_time_that_has_passed_cannot_be_accepted_but_another_can_be_proposed(recipient):
    """An invitation read after the time it offered: the page says so and offers another
    time; accepting is refused (no session is planned in the past), proposing works."""
    Recipient.objects.filter(pk=recipient.pk).update(proposed_at=timezone.now() - datetime.timedelta(hours=1))
    client = Client()
    page = client.get(rsvp_path(recipient)).content.decode()
    assert "Waktu itu sudah lewat" in page
    assert re.search(r'<input[^>]*value="propose"[^>]*checked', page)  # offered first
    refused = client.post(rsvp_path(recipient), {"answer": "accept", "note": ""})
    assert refused.status_code == 200
    assert "Waktu yang kami usulkan sudah lewat" in refused.content.decode()
    recipient.refresh_from_db()
    assert recipient.answer == "" and not GuidedSession.objects.exists()
    later = timezone.localtime(PROPOSED)
    answered = client.post(
        rsvp_path(recipient), {"answer": "propose", "proposed_at": f"{later:%Y-%m-%dT%H:%M}", "note": ""}
    )
    assert answered.status_code == 302
    recipient.refresh_from_db()
    assert recipient.answer == "propose" and recipient.answer_time == PROPOSED


def test_the_unsubscribe_link_opened_again_says_the_channel_is_stopped_already(recipient):
    client = Client()
    first = client.get(unsubscribe_path(recipient)).content.decode()
    assert "Hentikan undangan dan pengingat kami" in first and "sudah berhenti" not in first
    client.post(unsubscribe_path(recipient), {"scope": "channel"})
    again = client.get(unsubscribe_path(recipient)).content.decode()
    assert f"{recipient.email} sudah berhenti berlangganan dari saluran ini" in again
    assert 'value="all"' in again  # every channel can still be stopped


def test_the_language_switch_of_a_contacts_page_keeps_the_link_and_adds_the_language(recipient):
    """The RSVP link lives outside the /en/ prefix (a printed link never changes): its
    language switch adds ?bahasa=en, which the page, its form and its thank-you follow."""
    client = Client()
    path = rsvp_path(recipient)
    indonesian = client.get(path).content.decode()
    assert "<h1>Pendampingan sensus</h1>" in indonesian
    assert f'href="{path}?bahasa=en"' in indonesian
    english = client.get(path + "?bahasa=en").content.decode()
    assert "Census guidance session" in english and f'href="{path}?bahasa=id"' in english
    answered = client.post(path + "?bahasa=en", {"answer": "decline", "note": ""})
    assert answered["Location"] == f"{path}?terima-kasih=1&bahasa=en"
    assert "Thank you" in client.get(answered["Location"]).content.decode()
    assert "Census guidance session" not in client.get(path + "?bahasa=xx").content.decode()
