"""The WhatsApp Cloud API webhook: Meta's verification handshake, the signature
(X-Hub-Signature-256) refused when wrong or missing, and the statuses of the recorded
payloads (``webhooks/whatsapp``) applied like email events: once each, the status only
upward, a failure with its error, an uncertain row settled by its tracker."""

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from django.test import Client

from campaign.invitations.models import Batch, ChannelSuppression, Recipient, TrackingEvent
from tests.factories import BatchFactory

from .conftest import make_contacts, start

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "webhooks" / "whatsapp"
URL = "/webhooks/whatsapp/"
SECRET = b"test-app-secret"
OPTED_IN = {"whatsapp_opt_in_at": "2020-02-10T09:00:00+08:00", "whatsapp_opt_in_source": "Formulir kunjungan"}


def payload(name, recipient, **changes):
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    status = data["entry"][0]["changes"][0]["value"]["statuses"][0]
    status.update(
        id=recipient.message_id or "wamid.unknown",
        recipient_id=recipient.phone.lstrip("+"),
        biz_opaque_callback_data=f"recipient:{recipient.pk}",
    )
    status.update(changes)
    return json.dumps(data).encode()


def post(body, *, secret=SECRET, signature=None):
    client = Client(enforce_csrf_checks=True)
    headers = {}
    if signature is None and secret is not None:
        signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post(URL, body, content_type="application/json", headers=headers)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    make_contacts(2, **OPTED_IN)
    batch = start(
        BatchFactory(template=None, channel=Batch.Channel.WHATSAPP, whatsapp_template="undangan"),
        django_capture_on_commit_callbacks,
    )
    recipients = list(batch.recipients.order_by("pk"))
    assert all(r.status == Recipient.Status.SENT and r.message_id.startswith("wamid.") for r in recipients)
    return recipients


def test_verification_handshake(client):
    query = {"hub.mode": "subscribe", "hub.verify_token": "test-verify-token", "hub.challenge": "1158201444"}
    response = client.get(URL, query)
    assert response.status_code == 200 and response.content == b"1158201444"
    assert client.get(URL, {**query, "hub.verify_token": "wrong"}).status_code == 403
    assert client.get(URL, {**query, "hub.mode": "unsubscribe"}).status_code == 403


def test_unsigned_or_wrongly_signed_posts_are_refused(sent):
    body = payload("delivered", sent[0])
    assert post(body, secret=None).status_code == 403
    assert post(body, secret=b"another-secret").status_code == 403
    assert post(body, signature="sha256=").status_code == 403
    assert post(body, signature=hmac.new(SECRET, body, hashlib.sha256).hexdigest()).status_code == 403
    # Signed over another body: a replay with a changed status.
    other = payload("read", sent[0])
    assert (
        post(other, signature="sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()).status_code
        == 403
    )
    assert not TrackingEvent.objects.exists()
    sent[0].refresh_from_db()
    assert sent[0].status == Recipient.Status.SENT and sent[0].delivered_at is None


def test_signed_statuses_move_the_recipient_up_once_each(sent):
    first, second = sent
    assert post(payload("sent", first)).status_code == 200
    assert post(payload("delivered", first)).status_code == 200
    first.refresh_from_db()
    assert first.status == Recipient.Status.DELIVERED
    assert first.delivered_at.timestamp() == 1582255260
    assert post(payload("read", first)).status_code == 200
    first.refresh_from_db()
    assert first.opened_at.timestamp() == 1582258800 and first.open_count == 1

    # Meta retries: the same status again is stored once and counts once.
    assert post(payload("read", first)).status_code == 200
    first.refresh_from_db()
    assert first.open_count == 1
    assert TrackingEvent.objects.filter(provider="whatsapp").count() == 3

    # A read arriving before its delivery: delivered and read at once; the late delivery
    # keeps the status and the first delivery time.
    assert post(payload("read", second)).status_code == 200
    assert post(payload("delivered", second, timestamp="1582258900")).status_code == 200
    second.refresh_from_db()
    assert second.status == Recipient.Status.DELIVERED
    assert second.delivered_at.timestamp() == 1582258800


def test_a_failure_is_applied_with_its_error(sent):
    recipient = sent[0]
    assert post(payload("failed", recipient)).status_code == 200
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.FAILED
    assert "131049" in recipient.error and "healthy ecosystem" in recipient.error
    # A late "sent" does not bring it back.
    post(payload("sent", recipient))
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.FAILED
    assert not ChannelSuppression.objects.exists()


def test_a_user_who_stopped_marketing_messages_is_suppressed_for_whatsapp(sent):
    recipient = sent[0]
    body = json.loads(payload("failed", recipient))
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"][0]["code"] = 131050
    assert post(json.dumps(body).encode()).status_code == 200
    assert list(ChannelSuppression.objects.values_list("channel", "phone")) == [("whatsapp", recipient.phone)]


def test_an_uncertain_row_is_settled_by_its_tracker(sent):
    recipient = sent[0]
    Recipient.objects.filter(pk=recipient.pk).update(status=Recipient.Status.UNCERTAIN, message_id="")
    recipient.refresh_from_db()
    body = payload("delivered", recipient, id="wamid.HBgNNjI4MTIzNDAwMDAxFQIAERgSQUFBQUFBAA")
    # The tracker must name the row with its own number: another number settles nothing.
    forged = payload("delivered", recipient, id="wamid.other", recipient_id="628999999999")
    assert post(forged).status_code == 200
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.UNCERTAIN
    assert post(body).status_code == 200
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.DELIVERED
    assert recipient.message_id == "wamid.HBgNNjI4MTIzNDAwMDAxFQIAERgSQUFBQUFBAA"


def test_malformed_bodies_are_refused_even_when_signed():
    assert post(b"not json").status_code == 400
    assert post(json.dumps({"object": "page", "entry": []}).encode()).status_code == 400
    assert post(json.dumps({"object": "whatsapp_business_account", "entry": []}).encode()).status_code == 200


def test_the_webhook_post_takes_the_fast_path(sent, monkeypatch):
    """POSTs skip the stack below the security headers (ProviderWebhookMiddleware), the
    verification GET goes through it."""
    from django.contrib.sessions import middleware as sessions

    seen = []
    real = sessions.SessionMiddleware.process_request
    monkeypatch.setattr(
        sessions.SessionMiddleware,
        "process_request",
        lambda self, request: seen.append(request.method) or real(self, request),
    )
    response = post(payload("delivered", sent[0]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response
    assert response.wsgi_request.resolver_match.route == "webhooks/whatsapp/"
    assert seen == []
    Client().get(URL, {"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1"})
    assert seen == ["GET"]
