"""WhatsApp (Cloud API through pywa) and SMS (Twilio) batches: who they reach, the
exactly-once rules of the email path (a provider failure at recipient 37 of 100 then a
re-run reaches each exactly once; a timeout makes its row uncertain), opt-in, per-channel
suppression, short links and attribution. The providers are doubles at the HTTP layer
(``phone_fakes``): pywa and the Twilio client run for real."""

import datetime
import re
from collections import Counter

import httpx
import pytest
import requests
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaign.core.delivery import Outcome, send_failure_outcome
from campaign.institutions.models import PersonalDataLog
from campaign.institutions.services import contact_erase, contact_save
from campaign.invitations import services, tokens
from campaign.invitations.channels.segments import sms_segments
from campaign.invitations.models import Batch, ChannelSuppression, OutboxMessage, Recipient, RsvpAnswer
from campaign.invitations.services.suppression import phone_unsubscribe
from tests.factories import BatchFactory, ContactFactory, InstitutionFactory, LetterBatchFactory

from .conftest import make_contacts, start

pytestmark = pytest.mark.django_db

OPTED_IN = {
    "whatsapp_opt_in_at": datetime.datetime(2020, 2, 10, 9, 0, tzinfo=datetime.UTC),
    "whatsapp_opt_in_source": "Daftar hadir Rakorcam Oebobo",
}


def whatsapp_batch(**kwargs):
    kwargs.setdefault("chunk_size", 50)
    return BatchFactory(
        template=None, channel=Batch.Channel.WHATSAPP, whatsapp_template="undangan_pendampingan", **kwargs
    )


def sms_batch(**kwargs):
    kwargs.setdefault("chunk_size", 50)
    return BatchFactory(
        template=None,
        channel=Batch.Channel.SMS,
        sms_text="BPS NTT: {{ contact_name }}, jadwalkan pendampingan Sensus Online: {{ rsvp_link }}",
        **kwargs,
    )


def digits(phone):
    return phone.lstrip("+")


def test_whatsapp_failure_at_recipient_37_then_rerun_reaches_each_exactly_once(
    cloud_api, django_capture_on_commit_callbacks
):
    contacts = make_contacts(100, **OPTED_IN)
    cloud_api.fail[digits(contacts[36].phone)] = (500, 131000)
    batch = start(whatsapp_batch(max_consecutive_errors=1), django_capture_on_commit_callbacks)

    assert batch.status == Batch.Status.PAUSED
    assert "131000" in batch.last_error or "simulated" in batch.last_error
    counts = Counter(batch.recipients.values_list("status", flat=True))
    assert counts == {Recipient.Status.SENT: 36, Recipient.Status.PENDING: 64}
    assert len(cloud_api.requests) == 36
    first = batch.recipients.get(contact=contacts[0])
    assert first.phone == contacts[0].phone and first.channel == "whatsapp"
    assert first.message_id == "wamid.TEST000001"

    cloud_api.fail.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.batch_resume(batch=batch)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    sent = Counter(cloud_api.sent_to())
    assert len(sent) == 100 and set(sent.values()) == {1}
    assert set(sent) == {digits(c.phone) for c in contacts}
    assert set(batch.recipients.values_list("status", flat=True)) == {Recipient.Status.SENT}
    assert services.batch_send_chunk(batch_id=batch.pk).sent == 0
    assert len(cloud_api.requests) == 100


def test_whatsapp_request_is_an_approved_template_with_the_personal_rsvp_link(
    cloud_api, client, django_capture_on_commit_callbacks
):
    (contact,) = make_contacts(1, **OPTED_IN)
    start(whatsapp_batch(), django_capture_on_commit_callbacks)
    ((request, body),) = cloud_api.requests
    assert request.url.path == "/v26.0/106540352242922/messages" or request.url.path.endswith(
        "/106540352242922/messages"
    )
    assert request.headers["Authorization"] == "Bearer test-token"
    assert body["type"] == "template" and body["to"] == digits(contact.phone)
    template = body["template"]
    assert template["name"] == "undangan_pendampingan" and template["language"] == {"code": "id"}
    name, institution, link = (p["text"] for p in template["components"][0]["parameters"])
    assert name == contact.name and institution == contact.institution.name
    recipient = Recipient.objects.get()
    assert tokens.read_with_channel("rsvp", link.rsplit("/", 2)[-2]) == (recipient.pk, "whatsapp")

    # The answer through that link is attributed to WhatsApp.
    page = client.get(link)
    assert page.status_code == 200
    client.post(link, {"answer": "decline", "note": ""})
    assert RsvpAnswer.objects.get().channel == "whatsapp"


def test_whatsapp_sends_each_contact_the_template_version_of_their_language_and_dates_in_it(
    cloud_api, django_capture_on_commit_callbacks
):
    """A template approved in Indonesian and English ("id, en"): a contact who prefers
    English gets the English version, with its dates in English; everyone else the first
    (Indonesian), with Indonesian dates, also an English speaker when only "id" is approved."""
    when = datetime.datetime(2020, 2, 18, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    indonesian, english = make_contacts(2, **OPTED_IN)
    english.preferred_language = "en"
    english.save()
    fields = {"whatsapp_parameters": "contact_name, session_date", "proposed_at": when}

    def sent(languages):
        cloud_api.requests.clear()
        start(whatsapp_batch(whatsapp_language=languages, **fields), django_capture_on_commit_callbacks)
        return {
            body["to"]: (
                body["template"]["language"]["code"],
                body["template"]["components"][0]["parameters"][1]["text"],
            )
            for _request, body in cloud_api.requests
        }

    assert sent("id, en") == {
        digits(indonesian.phone): ("id", "Selasa, 18 Februari 2020, 10.00 WITA"),
        digits(english.phone): ("en", "Tuesday, 18 February 2020, 10.00 WITA"),
    }
    assert sent("id") == {
        digits(indonesian.phone): ("id", "Selasa, 18 Februari 2020, 10.00 WITA"),
        digits(english.phone): ("id", "Selasa, 18 Februari 2020, 10.00 WITA"),
    }


@pytest.mark.parametrize(
    ("languages", "valid"),
    [
        ("id", True),
        ("id, en", True),
        ("en_US,id", True),
        ("id; en", False),
        ("Indonesian", False),
        ("id,", False),
    ],
)
def test_a_batchs_whatsapp_languages_are_language_codes_separated_by_commas(languages, valid):
    batch = whatsapp_batch(whatsapp_language=languages)
    if valid:
        batch.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            batch.full_clean()
        assert "whatsapp_language" in error.value.message_dict


def test_a_timeout_after_the_request_makes_that_recipient_uncertain_and_it_is_never_resent(
    cloud_api, django_capture_on_commit_callbacks
):
    contacts = make_contacts(100, **OPTED_IN)
    cloud_api.fail[digits(contacts[36].phone)] = httpx.ReadTimeout("read timed out")
    batch = start(whatsapp_batch(max_consecutive_errors=1), django_capture_on_commit_callbacks)
    counts = Counter(batch.recipients.values_list("status", flat=True))
    assert counts == {Recipient.Status.SENT: 36, Recipient.Status.UNCERTAIN: 1, Recipient.Status.PENDING: 63}
    assert batch.recipients.get(contact=contacts[36]).status == Recipient.Status.UNCERTAIN

    cloud_api.fail.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_resume(batch=batch)
    sent = Counter(cloud_api.sent_to())
    assert len(sent) == 100 and set(sent.values()) == {1}
    assert Counter(batch.recipients.values_list("status", flat=True)) == {
        Recipient.Status.SENT: 99,
        Recipient.Status.UNCERTAIN: 1,
    }


def test_a_connection_never_made_puts_the_claims_back(cloud_api, django_capture_on_commit_callbacks):
    contacts = make_contacts(3, **OPTED_IN)
    cloud_api.fail[digits(contacts[0].phone)] = httpx.ConnectError("connection refused")
    batch = start(whatsapp_batch(max_consecutive_errors=1), django_capture_on_commit_callbacks)
    assert set(batch.recipients.values_list("status", flat=True)) == {Recipient.Status.PENDING}
    assert cloud_api.requests == []


def test_a_number_without_whatsapp_fails_alone_and_the_chunk_goes_on(
    cloud_api, django_capture_on_commit_callbacks
):
    contacts = make_contacts(3, **OPTED_IN)
    cloud_api.fail[digits(contacts[1].phone)] = (400, 131026)
    batch = start(whatsapp_batch(), django_capture_on_commit_callbacks)
    assert batch.status == Batch.Status.DONE
    failed = batch.recipients.get(contact=contacts[1])
    assert failed.status == Recipient.Status.FAILED and "131026" in failed.error
    assert batch.recipients.filter(status=Recipient.Status.SENT).count() == 2


def test_whatsapp_never_goes_to_a_contact_without_opt_in(cloud_api, django_capture_on_commit_callbacks):
    opted = make_contacts(2, **OPTED_IN)
    (silent,) = make_contacts(1)
    (no_phone,) = make_contacts(1, phone="", **{k: None if k.endswith("_at") else "" for k in OPTED_IN})
    batch = start(whatsapp_batch(), django_capture_on_commit_callbacks)
    assert sorted(cloud_api.sent_to()) == sorted(digits(c.phone) for c in opted)
    skipped = batch.recipients.get(contact=silent)
    assert skipped.status == Recipient.Status.SKIPPED and "persetujuan WhatsApp" in skipped.error
    assert not batch.recipients.filter(contact=no_phone).exists()
    assert batch.excluded["excluded"] == {"no_whatsapp_opt_in": 1, "no_phone": 1}

    # An opt-in withdrawn after the start is honoured at sending time.
    (late,) = make_contacts(1, **OPTED_IN)
    again = whatsapp_batch()
    with django_capture_on_commit_callbacks(execute=False):
        services.batch_start(batch=again)
    late.whatsapp_opt_in_at = None
    contact_save(contact=late)
    services.batch_send_chunk(batch_id=again.pk)
    assert again.recipients.get(contact=late).status == Recipient.Status.SKIPPED
    assert digits(late.phone) not in cloud_api.sent_to()


def test_sms_failure_at_recipient_37_then_rerun_reaches_each_exactly_once(
    twilio_api, django_capture_on_commit_callbacks
):
    contacts = make_contacts(100)
    twilio_api.fail[contacts[36].phone] = (503, 20500)
    batch = start(sms_batch(max_consecutive_errors=1), django_capture_on_commit_callbacks)
    assert batch.status == Batch.Status.PAUSED
    assert Counter(batch.recipients.values_list("status", flat=True)) == {
        Recipient.Status.SENT: 36,
        Recipient.Status.PENDING: 64,
    }
    assert batch.recipients.get(contact=contacts[0]).message_id.startswith("SM")

    twilio_api.fail.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_resume(batch=batch)
    sent = Counter(form["To"] for form in twilio_api.sent)
    assert len(sent) == 100 and set(sent.values()) == {1}
    assert {form["From"] for form in twilio_api.sent} == {"BPS NTT"}
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE


def test_sms_read_timeout_is_uncertain(twilio_api, django_capture_on_commit_callbacks):
    contacts = make_contacts(3)
    twilio_api.fail[contacts[1].phone] = requests.ReadTimeout("read timed out")
    batch = start(sms_batch(max_consecutive_errors=1), django_capture_on_commit_callbacks)
    assert batch.recipients.get(contact=contacts[1]).status == Recipient.Status.UNCERTAIN
    assert batch.recipients.get(contact=contacts[0]).status == Recipient.Status.SENT


def test_sms_text_has_a_short_link_that_opens_the_rsvp_page_for_sms(
    twilio_api, client, django_capture_on_commit_callbacks
):
    (contact,) = make_contacts(1, name="Yohanes Benu")
    start(sms_batch(), django_capture_on_commit_callbacks)
    (form,) = twilio_api.sent
    body = form["Body"]
    link = re.search(r"http://testserver/r/\S+", body).group(0)
    assert body.startswith("BPS NTT: Yohanes Benu, jadwalkan")
    info = sms_segments(body)
    assert info.encoding == "GSM-7" and info.parts == 1 and len(body) <= 160
    response = client.get(link)
    assert response.status_code == 302
    recipient = Recipient.objects.get()
    token = response["Location"].rsplit("/", 2)[-2]
    assert tokens.read_with_channel("rsvp", token) == (recipient.pk, "sms")
    assert client.get(link[:-1] + ("0" if link[-1] != "0" else "1")).status_code == 404
    client.post(response["Location"], {"answer": "accept", "note": ""})
    assert RsvpAnswer.objects.get().channel == "sms"


def test_sms_segments_gsm7_and_ucs2():
    assert sms_segments("a" * 160) == sms_segments("a" * 160) and sms_segments("a" * 160).parts == 1
    assert sms_segments("a" * 161).parts == 2
    assert sms_segments("a" * 306).parts == 2 and sms_segments("a" * 307).parts == 3
    euro = sms_segments("€" * 80)
    assert (euro.encoding, euro.length, euro.parts) == ("GSM-7", 160, 1)
    assert sms_segments("€" * 81).parts == 2
    emoji = sms_segments("Halo 👋" + "a" * 63)
    assert emoji.encoding == "UCS-2" and emoji.length == 70 and emoji.parts == 1
    assert sms_segments("Halo 👋" + "a" * 64).parts == 2


def test_outbox_backends_keep_what_they_would_send(django_capture_on_commit_callbacks):
    contacts = make_contacts(2, **OPTED_IN)
    start(whatsapp_batch(), django_capture_on_commit_callbacks)
    start(sms_batch(), django_capture_on_commit_callbacks)
    kept = OutboxMessage.objects.order_by("pk")
    assert [m.to for m in kept] == [c.phone for c in contacts] * 2
    assert kept[0].headers["X-Template"] == "undangan_pendampingan"
    assert kept[2].subject.startswith("SMS, ") and "1 bagian, GSM-7" in kept[2].subject
    statuses = set(Recipient.objects.values_list("status", flat=True))
    assert statuses == {Recipient.Status.SENT}
    assert set(Recipient.objects.filter(channel="whatsapp").values_list("message_id", flat=True)) == {
        m.message_id for m in kept[:2]
    }


def test_email_letter_and_whatsapp_batches_to_one_audience_reach_each_once_per_channel(
    cloud_api, django_capture_on_commit_callbacks, settings
):
    institutions = [InstitutionFactory() for _ in range(3)]
    heads = [ContactFactory(institution=i, position="Kepala Dinas", **OPTED_IN) for i in institutions]
    staff = [ContactFactory(institution=i, position="Staf") for i in institutions]
    email = start(BatchFactory(), django_capture_on_commit_callbacks)
    letter = start(LetterBatchFactory(audience=email.audience), django_capture_on_commit_callbacks)
    whatsapp = start(whatsapp_batch(audience=email.audience), django_capture_on_commit_callbacks)
    for batch in (email, letter, whatsapp):
        assert batch.status == Batch.Status.DONE, batch.channel
    assert Counter(m.to[0].rsplit("<", 1)[-1].rstrip(">") for m in mail.outbox) == {
        c.email: 1 for c in heads + staff
    }
    assert sorted(letter.recipients.values_list("contact_id", flat=True)) == sorted(c.pk for c in heads)
    assert Counter(cloud_api.sent_to()) == {digits(c.phone): 1 for c in heads}
    assert whatsapp.recipients.filter(status=Recipient.Status.SKIPPED).count() == len(staff)
    # Run again: nothing more goes out on any channel.
    for batch in (email, letter, whatsapp):
        assert services.batch_send_chunk(batch_id=batch.pk).sent == 0
    assert len(mail.outbox) == 6 and len(cloud_api.requests) == 3


def test_unsubscribing_from_whatsapp_leaves_sms_unless_asked(django_capture_on_commit_callbacks):
    (contact,) = make_contacts(1, **OPTED_IN)
    whatsapp = start(whatsapp_batch(), django_capture_on_commit_callbacks)
    recipient = whatsapp.recipients.get()
    assert phone_unsubscribe(recipient=recipient) == ["whatsapp"]
    assert list(ChannelSuppression.objects.values_list("channel", "phone")) == [("whatsapp", contact.phone)]

    sms = start(sms_batch(), django_capture_on_commit_callbacks)
    assert sms.recipients.get().status == Recipient.Status.SENT
    again = start(whatsapp_batch(), django_capture_on_commit_callbacks)
    assert not again.recipients.exists()
    assert again.excluded["excluded"] == {"suppressed_phone": 1}

    phone_unsubscribe(recipient=recipient, all_channels=True)
    later = start(sms_batch(), django_capture_on_commit_callbacks)
    assert not later.recipients.exists()

    # Each withdrawal is in the personal-data log once, by contact id, without the number.
    entries = list(
        PersonalDataLog.objects.filter(action=PersonalDataLog.Action.WITHDRAW)
        .order_by("created_at", "pk")
        .values_list("detail", flat=True)
    )
    assert len(entries) == 2
    assert entries[0].startswith(f"contact #{contact.pk}: unsubscribed from whatsapp (")
    assert entries[1].startswith(f"contact #{contact.pk}: unsubscribed from sms (")
    assert not any(contact.phone in entry or contact.phone.lstrip("+") in entry for entry in entries)


def test_whatsapp_opt_in_is_recorded_with_who_and_how_and_logged(admin_user):
    (contact,) = make_contacts(1)
    with pytest.raises(ValidationError) as error:
        contact_save(contact=contact, user=admin_user, whatsapp_opt_in_at=timezone.now())
    assert "whatsapp_opt_in_source" in error.value.message_dict
    contact.refresh_from_db()
    contact_save(
        contact=contact,
        user=admin_user,
        whatsapp_opt_in_at=datetime.datetime(2020, 2, 10, 1, 30, tzinfo=datetime.UTC),
        whatsapp_opt_in_source="Pesan WhatsApp ke kantor",
    )
    contact.refresh_from_db()
    assert contact.whatsapp_opt_in_by == admin_user
    entry = PersonalDataLog.objects.get(action=PersonalDataLog.Action.OPT_IN)
    assert entry.user == admin_user and f"contact #{contact.pk}" in entry.detail
    # The time as staff read it: in WITA.
    assert "given 2020-02-10 09:30 WITA (Pesan WhatsApp ke kantor)" in entry.detail

    contact_save(contact=contact, user=admin_user, whatsapp_opt_in_at=None)
    contact.refresh_from_db()
    assert contact.whatsapp_opt_in_source == "" and contact.whatsapp_opt_in_by is None
    assert PersonalDataLog.objects.filter(action=PersonalDataLog.Action.OPT_IN).count() == 2
    assert "withdrawn" in PersonalDataLog.objects.filter(action="opt_in").first().detail


def test_erasure_clears_the_phone_and_opt_in_everywhere(django_capture_on_commit_callbacks):
    (contact,) = make_contacts(1, **OPTED_IN)
    start(sms_batch(), django_capture_on_commit_callbacks)
    assert OutboxMessage.objects.filter(to=contact.phone).exists()
    contact_erase(contact=contact)
    contact.refresh_from_db()
    assert contact.phone == "" and contact.whatsapp_opt_in_at is None and contact.whatsapp_opt_in_source == ""
    assert Recipient.objects.get().phone == ""
    assert not OutboxMessage.objects.exists()


def test_batch_validation_per_channel():
    with pytest.raises(ValidationError) as error:
        Batch(name="x", channel="whatsapp").full_clean()
    assert "whatsapp_template" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        Batch(
            name="x", channel="whatsapp", whatsapp_template="t", whatsapp_parameters="rsvp_link, nope"
        ).full_clean()
    assert "whatsapp_parameters" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        Batch(name="x", channel="sms", sms_text="{{ nope }}").full_clean()
    assert "sms_text" in error.value.message_dict


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (httpx.ConnectError("refused"), Outcome.NOT_SENT),
        (httpx.ConnectTimeout("connect"), Outcome.NOT_SENT),
        (httpx.ReadTimeout("read"), Outcome.UNCERTAIN),
        (httpx.RemoteProtocolError("dropped"), Outcome.UNCERTAIN),
        (requests.ReadTimeout("read"), Outcome.UNCERTAIN),
    ],
)
def test_transport_errors_of_the_phone_libraries(error, outcome):
    assert send_failure_outcome(error) is outcome


def test_provider_answers_are_refusals():
    from pywa.errors import WhatsAppError
    from twilio.base.exceptions import TwilioRestException

    answered = WhatsAppError.from_dict(
        error={"code": 131000, "message": "x"},
        response=httpx.Response(500, request=httpx.Request("POST", "http://x")),
    )
    assert send_failure_outcome(answered) is Outcome.NOT_SENT
    assert send_failure_outcome(TwilioRestException(400, "http://x", "bad", code=21211)) is Outcome.NOT_SENT


def test_the_unsubscribe_link_of_an_sms_recipient_stops_sms_only(client, django_capture_on_commit_callbacks):
    from campaign.invitations.models import Suppression

    (contact,) = make_contacts(1, **OPTED_IN)
    sms = start(sms_batch(), django_capture_on_commit_callbacks)
    recipient = sms.recipients.get()
    page = client.get(tokens.unsubscribe_url(recipient.pk)).content.decode()
    assert f"Hentikan undangan dan pengingat kami ke {contact.phone}?" in page
    assert client.post(tokens.unsubscribe_url(recipient.pk)).status_code == 200
    assert list(ChannelSuppression.objects.values_list("channel", "phone")) == [("sms", contact.phone)]
    assert not Suppression.objects.exists()  # the email address still gets email


def test_staff_find_a_suppressed_number_in_the_notation_they_were_told(admin_client):
    from django.urls import reverse

    ChannelSuppression.objects.create(channel="sms", phone="+6281234560099", reason="manual")
    ChannelSuppression.objects.create(channel="whatsapp", phone="+6281299990000", reason="unsubscribed")
    url = reverse("wagtailsnippets_invitations_channelsuppression:list")
    for query in ("0812-3456-0099", "+62 812 3456 0099", "560099"):
        page = admin_client.get(url, {"q": query}).content.decode()
        assert "+6281234560099" in page and "+6281299990000" not in page, query
