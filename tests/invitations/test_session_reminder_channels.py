"""The reminder the day before a session goes by the contact's channel: WhatsApp (only
with an opt-in and a phone), SMS, or else email; once per contact and session across
channels, one batch per day and channel, exactly once through a provider failure. The
providers are doubles at the HTTP layer (``phone_fakes``)."""

import datetime
from collections import Counter

import pytest
from django.core import mail

from campaign.invitations import services
from campaign.invitations.models import Batch, Recipient
from campaign.invitations.services.suppression import phone_unsubscribe
from tests.factories import BatchFactory, EmailTemplateFactory

from .conftest import WITA, make_contacts, start
from .test_phone_channels import OPTED_IN, digits, whatsapp_batch

pytestmark = pytest.mark.django_db

SESSION = datetime.datetime(2020, 3, 3, 10, 0, tzinfo=WITA)  # a Tuesday
MONDAY_MORNING = datetime.datetime(2020, 3, 2, 8, 5, tzinfo=WITA)
REMINDER = "<p>Yth. {{ contact_name }}, tim {{ team }} datang besok, {{ session_date }}.</p>"
SMS_TEXT = "BPS NTT: {{ contact_name }}, tim {{ team }} datang besok {{ session_date }}. {{ rsvp_link }}"


@pytest.fixture
def reminder(db):
    return EmailTemplateFactory(
        name="Pengingat sesi",
        body_id=REMINDER,
        for_session_reminders=True,
        whatsapp_template="pengingat_sesi",
        sms_text=SMS_TEXT,
    )


def invite_and_accept(team, capture, contacts, batch=None):
    """Invite ``contacts`` (by email unless ``batch`` says otherwise) for SESSION and
    have each accept; returns their recipient rows by contact."""
    batch = start(batch or BatchFactory(team=team, proposed_at=SESSION), capture)
    rows = {}
    for contact in contacts:
        recipient = batch.recipients.get(contact=contact)
        services.rsvp_record(
            recipient=recipient,
            answer=Recipient.Answer.ACCEPT,
            now=datetime.datetime(2020, 2, 28, 9, 0, tzinfo=WITA),
        )
        rows[contact.pk] = recipient
    mail.outbox = []
    return rows


def queue(capture, now=MONDAY_MORNING):
    with capture(execute=True):
        return services.session_reminders_queue(now=now)


def session_batch(channel):
    return Batch.objects.get(kind=Batch.Kind.SESSION, channel=channel)


def test_whatsapp_with_opt_in_gets_a_whatsapp_reminder_and_no_email(
    team, reminder, cloud_api, django_capture_on_commit_callbacks
):
    (contact,) = make_contacts(1, preferred_channel="whatsapp", **OPTED_IN)
    invite_and_accept(team, django_capture_on_commit_callbacks, [contact])

    assert queue(django_capture_on_commit_callbacks) == 1
    assert mail.outbox == []
    ((_request, body),) = cloud_api.requests
    assert body["to"] == digits(contact.phone) and body["template"]["name"] == "pengingat_sesi"
    name, team_name, when = (p["text"] for p in body["template"]["components"][0]["parameters"])
    assert (name, team_name, when) == (contact.name, "Tim 1", "Selasa, 3 Maret 2020, 10.00 WITA")
    batch = session_batch("whatsapp")
    assert batch.name == "Pengingat sesi untuk 3 Maret 2020 lewat WhatsApp"
    assert batch.status == Batch.Status.DONE
    assert batch.recipients.get().status == Recipient.Status.SENT
    assert not Batch.objects.filter(kind=Batch.Kind.SESSION, channel="email").exists()


def test_the_whatsapp_reminder_speaks_the_contacts_language_when_the_template_is_approved_in_it(
    team, reminder, cloud_api, django_capture_on_commit_callbacks
):
    reminder.whatsapp_language = "id, en"
    reminder.save()
    indonesian, english = make_contacts(2, preferred_channel="whatsapp", **OPTED_IN)
    english.preferred_language = "en"
    english.save()
    invite_and_accept(team, django_capture_on_commit_callbacks, [indonesian, english])

    assert queue(django_capture_on_commit_callbacks) == 2
    sent = {
        body["to"]: (
            body["template"]["language"]["code"],
            body["template"]["components"][0]["parameters"][2]["text"],
        )
        for _request, body in cloud_api.requests
    }
    assert sent == {
        digits(indonesian.phone): ("id", "Selasa, 3 Maret 2020, 10.00 WITA"),
        digits(english.phone): ("en", "Tuesday, 3 March 2020, 10.00 WITA"),
    }
    assert session_batch("whatsapp").whatsapp_language == "id, en"


def test_whatsapp_without_opt_in_gets_the_email(
    team, reminder, cloud_api, django_capture_on_commit_callbacks
):
    (contact,) = make_contacts(1, preferred_channel="whatsapp")
    invite_and_accept(team, django_capture_on_commit_callbacks, [contact])

    assert queue(django_capture_on_commit_callbacks) == 1
    assert cloud_api.requests == []
    assert [m.to for m in mail.outbox] == [[f"{contact.name} <{contact.email}>"]]
    assert session_batch("email").name == "Pengingat sesi untuk 3 Maret 2020"
    assert not Batch.objects.filter(kind=Batch.Kind.SESSION, channel="whatsapp").exists()


def test_sms_preference_gets_an_sms_with_a_short_link(
    team, reminder, twilio_api, django_capture_on_commit_callbacks
):
    (contact,) = make_contacts(1, preferred_channel="sms", name="Yohanes Benu")
    invite_and_accept(team, django_capture_on_commit_callbacks, [contact])

    assert queue(django_capture_on_commit_callbacks) == 1
    assert mail.outbox == []
    (form,) = twilio_api.sent
    assert form["To"] == str(contact.phone)
    assert form["Body"].startswith("BPS NTT: Yohanes Benu, tim Tim 1 datang besok Selasa, 3 Maret 2020")
    assert "http://testserver/r/" in form["Body"]
    assert session_batch("sms").name == "Pengingat sesi untuk 3 Maret 2020 lewat SMS"


def test_each_channel_its_own_batch_and_rerunning_adds_nothing(
    team, reminder, cloud_api, twilio_api, django_capture_on_commit_callbacks
):
    whatsapp = make_contacts(2, preferred_channel="whatsapp", **OPTED_IN)
    sms = make_contacts(2, preferred_channel="sms")
    email = make_contacts(2)
    invite_and_accept(team, django_capture_on_commit_callbacks, whatsapp + sms + email)

    assert queue(django_capture_on_commit_callbacks) == 6
    for hour in (9, 12, 18):
        assert queue(django_capture_on_commit_callbacks, now=MONDAY_MORNING.replace(hour=hour)) == 0
    assert Counter(cloud_api.sent_to()) == {digits(c.phone): 1 for c in whatsapp}
    assert Counter(form["To"] for form in twilio_api.sent) == {str(c.phone): 1 for c in sms}
    assert Counter(m.to[0] for m in mail.outbox) == {f"{c.name} <{c.email}>": 1 for c in email}
    assert Counter(Batch.objects.filter(kind=Batch.Kind.SESSION).values_list("channel", flat=True)) == {
        "email": 1,
        "whatsapp": 1,
        "sms": 1,
    }
    # A contact who changes preference after being reminded is not reminded again.
    sms[0].preferred_channel = "email"
    sms[0].save()
    assert queue(django_capture_on_commit_callbacks, now=MONDAY_MORNING.replace(hour=19)) == 0
    assert mail.outbox and len(mail.outbox) == 2


def test_a_whatsapp_invitee_who_answered_by_whatsapp_but_prefers_email_is_reminded_by_email(
    team, reminder, cloud_api, django_capture_on_commit_callbacks
):
    (contact,) = make_contacts(1, **OPTED_IN)
    invite_and_accept(
        team,
        django_capture_on_commit_callbacks,
        [contact],
        batch=whatsapp_batch(team=team, proposed_at=SESSION),
    )
    cloud_api.requests.clear()
    assert queue(django_capture_on_commit_callbacks) == 1
    assert cloud_api.requests == []
    assert [m.to for m in mail.outbox] == [[f"{contact.name} <{contact.email}>"]]


def test_an_unsubscribed_phone_channel_falls_back_to_email_and_nobody_reachable_is_kept_as_not_sent(
    team, reminder, twilio_api, django_capture_on_commit_callbacks
):
    (stopped,) = make_contacts(1, preferred_channel="sms")
    (no_email,) = make_contacts(1, preferred_channel="whatsapp", email="")  # no opt-in either
    rows = invite_and_accept(team, django_capture_on_commit_callbacks, [stopped])
    letter_like = make_contacts(1, preferred_channel="sms", email="")[0]
    sms_invites = invite_and_accept(
        team,
        django_capture_on_commit_callbacks,
        [no_email, letter_like],
        batch=BatchFactory(
            template=None,
            channel=Batch.Channel.SMS,
            sms_text="{{ rsvp_link }}",
            team=team,
            proposed_at=SESSION,
        ),
    )
    twilio_api.sent.clear()
    sms_recipient = Recipient(channel="sms", phone=str(stopped.phone), batch=rows[stopped.pk].batch)
    phone_unsubscribe(recipient=sms_recipient)

    assert queue(django_capture_on_commit_callbacks) == 2
    assert [m.to for m in mail.outbox] == [[f"{stopped.name} <{stopped.email}>"]]
    assert [form["To"] for form in twilio_api.sent] == [str(letter_like.phone)]
    lost = session_batch("email").recipients.get(contact=no_email)
    assert lost.status == Recipient.Status.SKIPPED and "Tidak ada saluran" in lost.error
    assert session_batch("email").status == Batch.Status.DONE
    assert sms_invites  # the invitations went by SMS
    # Kept once, not added again every minute.
    assert queue(django_capture_on_commit_callbacks, now=MONDAY_MORNING.replace(hour=10)) == 0
    assert Recipient.objects.filter(batch__kind=Batch.Kind.SESSION, contact=no_email).count() == 1


def test_an_answer_with_neither_contact_nor_address_is_kept_once_as_not_sent(
    team, reminder, django_capture_on_commit_callbacks
):
    """A media partner's desk accepted, then its address was removed (no contact row
    either): the reminder is not silently forgotten but kept once as not sent."""
    from tests.factories import MediaPartnerFactory

    (contact,) = make_contacts(1)
    rows = invite_and_accept(team, django_capture_on_commit_callbacks, [contact])
    desk = MediaPartnerFactory()
    Recipient.objects.filter(pk=rows[contact.pk].pk).update(
        contact=None, institution=None, media_partner=desk, email=""
    )

    assert queue(django_capture_on_commit_callbacks) == 0  # nobody to send to
    assert mail.outbox == []
    lost = session_batch("email").recipients.get()
    assert (lost.media_partner, lost.contact) == (desk, None)
    assert lost.status == Recipient.Status.SKIPPED and "Tidak ada saluran" in lost.error
    assert queue(django_capture_on_commit_callbacks, now=MONDAY_MORNING.replace(hour=10)) == 0
    assert Recipient.objects.filter(batch__kind=Batch.Kind.SESSION).count() == 1


def test_whatsapp_failure_at_reminder_37_then_rerun_reaches_each_exactly_once(
    team, reminder, cloud_api, django_capture_on_commit_callbacks
):
    contacts = make_contacts(100, preferred_channel="whatsapp", **OPTED_IN)
    invite_and_accept(team, django_capture_on_commit_callbacks, contacts)
    cloud_api.fail[digits(contacts[36].phone)] = (500, 131000)

    assert queue(django_capture_on_commit_callbacks) == 100
    batch = session_batch("whatsapp")
    # The failing number stops every chunk until the batch pauses (5 errors in a row).
    assert batch.status == Batch.Status.PAUSED
    assert Counter(batch.recipients.values_list("status", flat=True)) == {
        Recipient.Status.SENT: 36,
        Recipient.Status.PENDING: 64,
    }
    # The minute's runs add nobody, and email is not a way around the pause.
    assert queue(django_capture_on_commit_callbacks, now=MONDAY_MORNING.replace(hour=9)) == 0
    assert mail.outbox == []

    cloud_api.fail.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.batch_resume(batch=batch)
    assert queue(django_capture_on_commit_callbacks, now=MONDAY_MORNING.replace(hour=10)) == 0
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    sent = Counter(cloud_api.sent_to())
    assert sent == {digits(c.phone): 1 for c in contacts}
    assert services.batch_send_chunk(batch_id=batch.pk).sent == 0
    assert mail.outbox == [] and Batch.objects.filter(kind=Batch.Kind.SESSION).count() == 1


def test_an_opt_in_withdrawn_after_queueing_is_honoured_at_sending(
    team, reminder, cloud_api, django_capture_on_commit_callbacks
):
    from campaign.institutions.services import contact_save

    (contact,) = make_contacts(1, preferred_channel="whatsapp", **OPTED_IN)
    invite_and_accept(team, django_capture_on_commit_callbacks, [contact])
    with django_capture_on_commit_callbacks(execute=False):
        services.session_reminders_queue(now=MONDAY_MORNING)
    contact.whatsapp_opt_in_at = None
    contact_save(contact=contact)
    services.batch_send_chunk(batch_id=session_batch("whatsapp").pk)
    assert cloud_api.requests == []
    assert session_batch("whatsapp").recipients.get().status == Recipient.Status.SKIPPED
