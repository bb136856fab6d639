"""Twilio's SMS status callback: the signature (X-Twilio-Signature, checked by Twilio's own
``RequestValidator``) refused when wrong or missing, and the statuses of the fixtures
(``webhooks/twilio``) applied like email and WhatsApp events: once each, the status only
upward, a failure with its error code, a STOP reply suppressing the number for SMS only,
and the channel's funnel counting the delivery."""

import urllib.parse
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from twilio.request_validator import RequestValidator

from campaign.invitations.models import Batch, ChannelSuppression, Recipient, TrackingEvent
from tests.factories import BatchFactory

from .conftest import make_contacts, start

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "webhooks" / "twilio"
URL = "/webhooks/twilio/sms/"
TOKEN = "test-twilio-auth-token"
CALLBACK = "https://jemputbola.example/webhooks/twilio/sms/"


@pytest.fixture(autouse=True)
def twilio_settings(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_STATUS_CALLBACK = CALLBACK


def form(name, recipient, **changes):
    fields = dict(urllib.parse.parse_qsl((FIXTURES / f"{name}.form").read_text(), keep_blank_values=True))
    fields.update(MessageSid=recipient.message_id, SmsSid=recipient.message_id, To=recipient.phone)
    fields.update(changes)
    return fields


def post(fields, *, token=TOKEN, signature=None, url=CALLBACK):
    if signature is None:
        signature = RequestValidator(token).compute_signature(url, fields)
    return Client(enforce_csrf_checks=True).post(
        URL,
        urllib.parse.urlencode(fields),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    make_contacts(2)
    batch = start(
        BatchFactory(
            template=None,
            channel=Batch.Channel.SMS,
            sms_text="BPS NTT: {{ contact_name }}, jadwalkan pendampingan: {{ rsvp_link }}",
        ),
        django_capture_on_commit_callbacks,
    )
    recipients = list(batch.recipients.order_by("pk"))
    assert all(r.status == Recipient.Status.SENT and r.message_id for r in recipients)
    return recipients


def test_a_wrong_or_missing_signature_is_refused_and_changes_nothing(sent):
    fields = form("delivered", sent[0])
    assert post(fields, token="another-token").status_code == 403
    assert post(fields, signature="").status_code == 403
    # Signed for another URL (a callback meant for someone else, replayed here).
    assert post(fields, url="https://elsewhere.example/webhooks/twilio/sms/").status_code == 403
    # A field changed after signing.
    signature = RequestValidator(TOKEN).compute_signature(CALLBACK, fields)
    assert post({**fields, "MessageStatus": "failed"}, signature=signature).status_code == 403
    assert not TrackingEvent.objects.exists()
    sent[0].refresh_from_db()
    assert sent[0].status == Recipient.Status.SENT and sent[0].delivered_at is None


def test_without_an_auth_token_every_callback_is_refused(sent, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    assert post(form("delivered", sent[0]), token="x").status_code == 403


def test_a_delivery_is_applied_once_in_two_statements(sent):
    recipient = sent[0]
    with CaptureQueriesContext(connection) as queries:
        assert post(form("delivered", recipient)).status_code == 204
    data = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("BEGIN", "SAVEPOINT", "RELEASE"))
    ]
    assert len(data) == 2, data
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.DELIVERED and recipient.delivered_at is not None
    event = TrackingEvent.objects.get()
    assert (event.provider, event.event_type, event.recipient) == ("twilio", "delivered", recipient)
    # Twilio retries a callback that got no 2xx: the same one again changes nothing.
    assert post(form("delivered", recipient)).status_code == 204
    assert TrackingEvent.objects.count() == 1
    # A late "sent" never moves a delivered message back.
    assert post(form("sent", recipient)).status_code == 204
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.DELIVERED
    # Twilio's own steps before the carrier are not stored.
    assert post(form("queued", sent[1])).status_code == 204
    assert TrackingEvent.objects.count() == 2


def test_an_undelivered_sms_fails_with_its_error_and_the_funnel_counts_by_channel(sent):
    from campaign.invitations.selectors import batch_funnel, channel_funnel

    assert post(form("delivered", sent[0])).status_code == 204
    assert post(form("undelivered", sent[1])).status_code == 204
    sent[1].refresh_from_db()
    assert sent[1].status == Recipient.Status.FAILED and sent[1].error.startswith("30003")
    assert not ChannelSuppression.objects.exists()  # an unreachable handset may work tomorrow
    funnel = batch_funnel(batch=sent[0].batch)
    assert (funnel.sent, funnel.delivered, funnel.failed) == (2, 1, 1)
    (sms,) = [
        row for row in channel_funnel(recipients=sent[0].batch.recipients.all()) if row.channel == "sms"
    ]
    assert (sms.sent, sms.delivered) == (2, 1)


def test_a_stop_reply_suppresses_the_number_for_sms_only(sent):
    recipient = sent[0]
    assert post(form("failed_stop", recipient)).status_code == 204
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.FAILED and recipient.error.startswith("21610")
    row = ChannelSuppression.objects.get()
    assert (row.channel, row.phone, row.reason, row.source) == ("sms", recipient.phone, "stopped", "twilio")


def test_a_callback_for_a_message_we_did_not_send_is_stored_without_a_recipient(sent):
    fields = form("delivered", sent[0], MessageSid="SM" + "9" * 32, SmsSid="SM" + "9" * 32)
    assert post(fields).status_code == 204
    assert TrackingEvent.objects.get().recipient is None
    sent[0].refresh_from_db()
    assert sent[0].status == Recipient.Status.SENT


@pytest.mark.parametrize(
    "body",
    ["MessageStatus=delivered", "{}", ""],
    ids=["no message sid", "json", "empty"],
)
def test_malformed_callbacks_are_refused(body):
    fields = dict(urllib.parse.parse_qsl(body))
    signature = RequestValidator(TOKEN).compute_signature(CALLBACK, fields)
    response = Client().post(
        URL,
        body,
        content_type="application/x-www-form-urlencoded" if body != "{}" else "application/json",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 400
    assert not TrackingEvent.objects.exists()


def test_get_is_not_allowed():
    assert Client().get(URL).status_code == 405
