"""Provider webhooks, posted as the providers post them (recorded payloads from
django-anymail's own tests, see webhooks/README.md) through anymail's real views."""

import base64
import copy
import datetime
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from anymail.signals import AnymailTrackingEvent
from django.test import Client
from django.utils import timezone

from campaign.invitations.models import Recipient, Suppression, TrackingEvent
from tests.factories import RecipientFactory

pytestmark = pytest.mark.django_db
PAYLOADS = Path(__file__).parent / "webhooks"
AUTH = "Basic " + base64.b64encode(b"username:password").decode()
MAILGUN_KEY = "TEST_WEBHOOK_SIGNING_KEY"


def payload(name):
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def post(provider, body, *, auth=AUTH):
    client = Client(enforce_csrf_checks=True)
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    return client.post(
        f"/anymail/{provider}/tracking/", data=json.dumps(body), content_type="application/json", **headers
    )


def mailgun_signed(body, token):
    """Re-sign a Mailgun payload with a fresh token (a distinct event for anymail)."""
    body = copy.deepcopy(body)
    timestamp = body["signature"]["timestamp"]
    body["signature"]["token"] = token
    body["signature"]["signature"] = hmac.new(
        MAILGUN_KEY.encode(), (timestamp + token).encode(), hashlib.sha256
    ).hexdigest()
    return body


@pytest.fixture(autouse=True)
def mailgun_key(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


def sent_to(email, message_id, **kwargs):
    return RecipientFactory(
        email=email, message_id=message_id, status=Recipient.Status.SENT, sent_at=timezone.now(), **kwargs
    )


FIXTURES = sorted(
    str(path.relative_to(PAYLOADS).with_suffix(""))
    for path in PAYLOADS.glob("*/*.json")
    if not path.name.endswith(".expected.json") and path.parent.name not in ("sendgrid", "whatsapp")
)


@pytest.mark.parametrize("name", FIXTURES)
def test_every_recorded_payload_is_stored_as_anymail_normalises_it(name, recwarn):
    provider = name.split("/")[0]
    expected = payload(f"{name}.expected")
    assert post(provider, payload(name)).status_code == 200
    (event,) = TrackingEvent.objects.all()
    assert event.provider.lower() == provider
    assert event.event_type == expected["event_type"]
    assert event.message_id == (expected["message_id"] or "")
    assert event.email == expected["recipient"].lower()
    if expected["timestamp"]:
        assert event.occurred_at == datetime.datetime.fromisoformat(expected["timestamp"])


@pytest.mark.parametrize("name", ["postmark/delivered", "brevo/delivered", "mailgun/delivered"])
@pytest.mark.parametrize("auth", [None, "Basic " + base64.b64encode(b"username:wrong").decode()])
def test_without_the_right_basic_auth_nothing_happens(name, auth):
    expected = payload(f"{name}.expected")
    recipient = sent_to(expected["recipient"], expected["message_id"])
    assert post(name.split("/")[0], payload(name), auth=auth).status_code == 400
    assert not TrackingEvent.objects.exists()
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.SENT


def test_mailgun_with_a_forged_signature_is_refused():
    body = payload("mailgun/delivered")
    body["signature"]["signature"] = "0" * 64
    assert post("mailgun", body).status_code == 400
    assert not TrackingEvent.objects.exists()


@pytest.mark.parametrize("name", ["postmark/delivered", "brevo/delivered", "mailgun/delivered"])
def test_delivery_moves_the_recipient_on_and_a_retry_changes_nothing(name):
    expected = payload(f"{name}.expected")
    recipient = sent_to(expected["recipient"], expected["message_id"])
    for _ in range(3):
        assert post(name.split("/")[0], payload(name)).status_code == 200
    assert TrackingEvent.objects.count() == 1
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.DELIVERED
    assert recipient.delivered_at == datetime.datetime.fromisoformat(expected["timestamp"])
    assert TrackingEvent.objects.get().recipient == recipient


def test_metadata_finds_the_recipient_before_the_message_id_is_known():
    """A provider can report delivery before the sender has stored the message ID."""
    body = payload("postmark/delivered")
    recipient = RecipientFactory(email="recipient@example.com", status=Recipient.Status.SENDING)
    body["Metadata"] = {"recipient": str(recipient.pk)}
    assert post("postmark", body).status_code == 200
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.DELIVERED


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("postmark/delivered", Recipient.Status.DELIVERED),
        ("postmark/bounced", Recipient.Status.BOUNCED),
        ("postmark/opened", Recipient.Status.UNCERTAIN),
    ],
)
def test_the_provider_settles_an_uncertain_recipient(name, expected):
    """A message handed over without an answer: its delivery or bounce, found by the
    recipient id in the metadata, moves the row on; an open is no status."""
    body = payload(name)
    recipient = RecipientFactory(
        email=payload(f"{name}.expected")["recipient"], status=Recipient.Status.UNCERTAIN
    )
    body["Metadata"] = {"recipient": str(recipient.pk)}
    assert post("postmark", body).status_code == 200
    recipient.refresh_from_db()
    assert recipient.status == expected
    assert TrackingEvent.objects.get().recipient == recipient


@pytest.mark.parametrize(
    "name,reason",
    [
        ("postmark/bounced", Suppression.Reason.HARD_BOUNCE),
        ("brevo/hard_bounce", Suppression.Reason.HARD_BOUNCE),
        ("mailgun/bounced_permanent", Suppression.Reason.HARD_BOUNCE),
        ("postmark/complained", Suppression.Reason.COMPLAINT),
        ("brevo/complaint", Suppression.Reason.COMPLAINT),
        ("mailgun/complained", Suppression.Reason.COMPLAINT),
    ],
)
def test_hard_bounces_and_complaints_suppress_the_address(name, reason):
    expected = payload(f"{name}.expected")
    recipient = sent_to(expected["recipient"], expected["message_id"])
    assert post(name.split("/")[0], payload(name)).status_code == 200
    suppression = Suppression.objects.get(email=expected["recipient"].lower())
    assert suppression.reason == reason
    recipient.refresh_from_db()
    if reason == Suppression.Reason.HARD_BOUNCE:
        assert recipient.status == Recipient.Status.BOUNCED and recipient.bounce_kind == "hard"
    else:
        assert recipient.status == Recipient.Status.COMPLAINED


def test_postmark_bounce_and_complaint_sharing_an_id_are_two_events():
    assert post("postmark", payload("postmark/bounced")).status_code == 200
    assert post("postmark", payload("postmark/complained")).status_code == 200
    assert TrackingEvent.objects.count() == 2
    assert set(Suppression.objects.values_list("reason", flat=True)) == {"hard_bounce", "complaint"}


@pytest.mark.parametrize(
    "provider,name,type_field",
    [("brevo", "brevo/soft_bounce", None), ("postmark", "postmark/bounced", "SoftBounce")],
)
def test_soft_bounces_count_and_suppress_only_after_the_threshold(settings, provider, name, type_field):
    settings.INVITATIONS_SOFT_BOUNCE_LIMIT = 3
    body = payload(name)
    if type_field:
        body["Type"] = type_field
    expected = payload(f"{name}.expected")
    email = expected["recipient"].lower()
    recipient = sent_to(email, expected["message_id"])
    for attempt in range(3):
        event = copy.deepcopy(body)
        if provider == "brevo":
            event["ts_epoch"] += attempt * 86_400_000
        else:
            event["ID"] += attempt
        assert post(provider, event).status_code == 200
        suppressed = Suppression.objects.filter(email=email).exists()
        assert suppressed == (attempt == 2)
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.BOUNCED and recipient.bounce_kind == "soft"
    assert Suppression.objects.get(email=email).reason == Suppression.Reason.SOFT_BOUNCES


def test_mailgun_temporary_failure_is_not_a_bounce():
    expected = payload("mailgun/deferred_temporary.expected")
    recipient = sent_to(expected["recipient"], expected["message_id"])
    assert post("mailgun", payload("mailgun/deferred_temporary")).status_code == 200
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.SENT
    assert not Suppression.objects.exists()


def test_events_out_of_order_never_downgrade_and_keep_first_times():
    """Bounce arrives first, then an older delivery and a later open: still bounced."""
    message_id = "<20180812214658.1.0DF563D0B3597700@example.org>"
    recipient = sent_to("invalid@example.com", message_id)
    bounce = payload("mailgun/bounced_permanent")
    delivered = payload("mailgun/delivered")
    delivered["event-data"]["recipient"] = "invalid@example.com"
    delivered["event-data"]["message"]["headers"]["message-id"] = message_id.strip("<>")
    delivered["event-data"]["timestamp"] = bounce["event-data"]["timestamp"] - 60
    opened = payload("mailgun/opened")
    opened["event-data"]["recipient"] = "invalid@example.com"
    opened["event-data"]["message"]["headers"]["message-id"] = message_id.strip("<>")
    opened["event-data"]["timestamp"] = bounce["event-data"]["timestamp"] + 60
    earlier_open = copy.deepcopy(opened)
    earlier_open["event-data"]["timestamp"] -= 30

    for body, token in [
        (bounce, "t1"),
        (opened, "t2"),
        (delivered, "t3"),
        (earlier_open, "t4"),
        (opened, "t2"),
    ]:
        assert post("mailgun", mailgun_signed(body, token)).status_code == 200
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.BOUNCED
    assert recipient.delivered_at is not None
    assert recipient.open_count == 2  # the repeated t2 was a duplicate
    assert recipient.opened_at == datetime.datetime.fromtimestamp(
        earlier_open["event-data"]["timestamp"], tz=datetime.UTC
    )
    assert TrackingEvent.objects.count() == 4


def test_duplicate_mailgun_token_is_one_event():
    expected = payload("mailgun/opened.expected")
    recipient = sent_to(expected["recipient"], expected["message_id"])
    assert post("mailgun", payload("mailgun/opened")).status_code == 200
    assert post("mailgun", payload("mailgun/opened")).status_code == 200
    recipient.refresh_from_db()
    assert recipient.open_count == 1 and recipient.human_opened_at is not None


@pytest.mark.parametrize(
    "provider,name,field,value",
    [
        ("brevo", "brevo/opened", "event", "unique_proxy_open"),
        ("mailgun", "mailgun/opened", None, None),
    ],
)
def test_machine_opens_are_flagged_where_the_provider_says_so(provider, name, field, value):
    expected = payload(f"{name}.expected")
    recipient = sent_to(expected["recipient"], expected["message_id"])
    body = payload(name)
    if field:
        body[field] = value
    else:
        body["event-data"]["client-info"]["bot"] = "apple"
    assert post(provider, body).status_code == 200
    recipient.refresh_from_db()
    assert recipient.open_count == 1 and recipient.machine_open_count == 1
    assert recipient.opened_at is not None and recipient.human_opened_at is None
    assert TrackingEvent.objects.get().machine


def test_sendgrid_batch_posted_again_applies_each_event_once(recwarn):
    events = payload("sendgrid/delivered") + payload("sendgrid/opened")
    events[1]["anymail_id"] = events[0]["anymail_id"]  # one message, delivered then opened
    recipient = sent_to(events[0]["email"], "")
    Recipient.objects.filter(pk=recipient.pk).update(message_id=events[0]["anymail_id"])
    assert post("sendgrid", events).status_code == 200
    assert post("sendgrid", events).status_code == 200  # the provider retries the batch
    recipient.refresh_from_db()
    assert TrackingEvent.objects.count() == 2
    assert recipient.status == Recipient.Status.DELIVERED and recipient.open_count == 1


def test_webhook_costs_a_few_queries(django_assert_max_num_queries):
    expected = payload("postmark/delivered.expected")
    sent_to(expected["recipient"], expected["message_id"])
    with django_assert_max_num_queries(10):
        assert post("postmark", payload("postmark/delivered")).status_code == 200


@pytest.mark.parametrize("name", ["postmark/delivered", "postmark/opened", "postmark/clicked"])
def test_an_event_is_applied_in_two_statements(name):
    """The event's INSERT finds its recipient and returns it; one UPDATE moves the
    recipient (status, first times, counters). Savepoints of the test transaction and
    the webhook view's own reads are not the event's work, so they are not counted."""
    from django.db import connection

    from campaign.invitations.services import tracking_event_apply

    expected = payload(f"{name}.expected")
    recipient = sent_to(expected["recipient"], expected["message_id"])
    event = AnymailTrackingEvent(
        event_type=expected["event_type"],
        message_id=expected["message_id"],
        recipient=expected["recipient"],
        timestamp=datetime.datetime.fromisoformat(expected["timestamp"]),
        esp_event={},
    )
    statements = []

    def count(execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        stored = tracking_event_apply(event=event, esp_name="postmark")
    assert [sql.split()[0] for sql in statements] == ["INSERT", "UPDATE"], statements
    assert stored.recipient_id == recipient.pk
    recipient.refresh_from_db()
    if expected["event_type"] == "delivered":
        assert recipient.status == Recipient.Status.DELIVERED and recipient.delivered_at is not None
    elif expected["event_type"] == "opened":
        assert recipient.open_count == 1 and recipient.opened_at is not None
    else:
        assert recipient.click_count == 1 and recipient.clicked_at is not None
    statements.clear()
    with connection.execute_wrapper(count):
        assert tracking_event_apply(event=event, esp_name="postmark") is None  # a retry: one INSERT
    assert [sql.split()[0] for sql in statements] == ["INSERT"]


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")


def _statements_of_one_post(provider, body):
    """Every statement one webhook POST runs, through anymail's view and our receiver,
    as Django records them (CaptureQueriesContext): (data statements, transaction control)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert post(provider, body).status_code == 200
    sqls = [query["sql"].lstrip() for query in captured.captured_queries]
    data = [sql for sql in sqls if not sql.upper().startswith(TRANSACTION_CONTROL)]
    control = [sql.split()[0].upper() for sql in sqls if sql.upper().startswith(TRANSACTION_CONTROL)]
    return data, control


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("name", "status", "opens"),
    [
        ("postmark/delivered", Recipient.Status.DELIVERED, 0),
        ("postmark/opened", Recipient.Status.SENT, 1),
        ("mailgun/delivered", Recipient.Status.DELIVERED, 0),
        ("mailgun/opened", Recipient.Status.SENT, 1),
        ("brevo/delivered", Recipient.Status.DELIVERED, 0),
        ("brevo/opened", Recipient.Status.SENT, 1),
    ],
)
def test_a_delivery_or_an_open_costs_two_statements_per_event(name, status, opens):
    """Counted over the whole request, in a real transaction (not the test's savepoints):
    the event's INSERT … ON CONFLICT DO NOTHING (which finds the recipient) and one
    UPDATE of the recipient, between one BEGIN and one COMMIT. A retry: the INSERT alone."""
    expected = payload(f"{name}.expected")
    recipient = sent_to(expected["recipient"], expected["message_id"])
    provider = name.split("/")[0]
    data, control = _statements_of_one_post(provider, payload(name))
    assert len(data) <= 2, data
    assert [sql.split()[0] for sql in data] == ["INSERT", "UPDATE"], data
    assert "invitations_trackingevent" in data[0] and "invitations_recipient" in data[1]
    assert control.count("COMMIT") <= 1 and len(control) <= 2, control
    recipient.refresh_from_db()
    assert recipient.status == status and recipient.open_count == opens
    assert TrackingEvent.objects.filter(recipient=recipient).count() == 1

    data, _control = _statements_of_one_post(provider, payload(name))
    assert [sql.split()[0] for sql in data] == ["INSERT"], data
    recipient.refresh_from_db()
    assert recipient.status == status and recipient.open_count == opens


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("postmark/bounced", Suppression.Reason.HARD_BOUNCE),
        ("postmark/complained", Suppression.Reason.COMPLAINT),
        ("brevo/hard_bounce", Suppression.Reason.HARD_BOUNCE),
        ("mailgun/bounced_permanent", Suppression.Reason.HARD_BOUNCE),
    ],
)
def test_a_hard_bounce_or_a_complaint_costs_three_statements(name, reason):
    """The suppression is one INSERT … ON CONFLICT (email) DO NOTHING in the same
    transaction: no read before it, no savepoint. An address already suppressed keeps
    its first reason."""
    expected = payload(f"{name}.expected")
    sent_to(expected["recipient"], expected["message_id"])
    data, control = _statements_of_one_post(name.split("/")[0], payload(name))
    assert [sql.split()[0] for sql in data] == ["INSERT", "UPDATE", "INSERT"], data
    assert "invitations_suppression" in data[2] and "ON CONFLICT" in data[2]
    assert "SAVEPOINT" not in control
    assert Suppression.objects.get(email=expected["recipient"].lower()).reason == reason


@pytest.mark.django_db(transaction=True)
def test_a_suppression_keeps_its_first_reason_when_a_complaint_follows_a_bounce():
    bounce = payload("postmark/bounced.expected")
    sent_to(bounce["recipient"], bounce["message_id"])
    assert post("postmark", payload("postmark/bounced")).status_code == 200
    complaint = payload("postmark/complained")
    complaint["Email"] = bounce["recipient"]
    assert post("postmark", complaint).status_code == 200
    assert list(Suppression.objects.values_list("email", "reason")) == [
        (bounce["recipient"].lower(), Suppression.Reason.HARD_BOUNCE)
    ]


def test_a_webhook_post_skips_the_stack_below_the_security_headers(monkeypatch):
    """Webhook POSTs go straight to the view (core.middleware.ProviderWebhookMiddleware):
    no session, language, CSRF, authentication, messages or CSP work, but the security
    headers are there and the same answer comes back."""
    from django.contrib.sessions import middleware as sessions

    expected = payload("postmark/delivered.expected")
    sent_to(expected["recipient"], expected["message_id"])
    seen = []
    real = sessions.SessionMiddleware.process_request
    monkeypatch.setattr(
        sessions.SessionMiddleware,
        "process_request",
        lambda self, request: seen.append(request.path) or real(self, request),
    )
    response = post("postmark", payload("postmark/delivered"))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response and "Vary" not in response
    assert response.wsgi_request.resolver_match.route == "anymail/postmark/tracking/"
    assert seen == []
    assert TrackingEvent.objects.count() == 1
    # Without the basic auth, a malformed body, or a GET: the same answers as through the stack.
    assert post("postmark", payload("postmark/delivered"), auth=None).status_code == 400
    malformed = Client().post(
        "/anymail/postmark/tracking/",
        data=b"\xff\xfe",
        content_type="application/json",
        HTTP_AUTHORIZATION=AUTH,
    )
    assert malformed.status_code == 400
    # Anything else under /anymail/ goes down the whole stack (here: not found, with a session read).
    assert Client().post("/anymail/nowhere/", data="{}", content_type="application/json").status_code == 404
    assert seen == ["/anymail/nowhere/"]
