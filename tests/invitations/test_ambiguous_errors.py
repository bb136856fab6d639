"""A provider call that fails after the provider may have taken the message leaves the
recipient uncertain; only an error that proves nothing was sent releases the claim.

The provider is Postmark's real anymail backend talking HTTP to a local server that
accepts, refuses, answers 5xx, reads the request and then hangs (a read timeout), or
reads it and drops the connection.
"""

import datetime
import json
import smtplib
import socket
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused
from anymail.signals import AnymailTrackingEvent
from django.core.mail import EmailMessage
from django.utils import timezone

from campaign.core.delivery import Outcome, send_failure_outcome
from campaign.invitations import services
from campaign.invitations.models import Batch, Recipient
from tests.factories import BatchFactory

from .conftest import make_contacts, start

pytestmark = pytest.mark.django_db


class FakePostmark(ThreadingHTTPServer):
    """Postmark's send API on 127.0.0.1. ``received`` lists every address whose request
    arrived in full — what the real provider would have taken."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received = []
        self.mode = {}  # address -> "hang" | "drop" | "500"
        self.release = threading.Event()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802 - http.server's name
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        address = payload["To"].rsplit("<", 1)[-1].rstrip(">")
        mode = self.server.mode.get(address, "ok")
        if mode == "500":
            self._answer(500, {"ErrorCode": 100, "Message": "Maintenance"})
            return
        self.server.received.append(address)
        if mode == "hang":  # took the message; the answer never comes
            self.server.release.wait(10)
            self.close_connection = True
            return
        if mode == "drop":  # took the message; the connection drops before the answer
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._answer(
            200,
            {
                "To": payload["To"],
                "SubmittedAt": timezone.now().isoformat(),
                "MessageID": str(uuid.uuid4()),
                "ErrorCode": 0,
                "Message": "OK",
            },
        )

    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def provider(settings):
    server = FakePostmark()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.postmark.EmailBackend"}}
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "POSTMARK_SERVER_TOKEN": "test-token",
        "POSTMARK_API_URL": server.url,
        "REQUESTS_TIMEOUT": 0.5,
    }
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def closed_port():
    """A local port nothing listens on: connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _error_from(settings, url):
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_API_URL": url}
    with pytest.raises(Exception) as raised:  # noqa: PT011 - the type is what we classify
        EmailMessage("Uji", "Isi", "sensus@ntt.example.org", ["a@example.org"]).send()
    return raised.value


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("hang", Outcome.UNCERTAIN), ("drop", Outcome.UNCERTAIN), ("500", Outcome.NOT_SENT)],
)
def test_real_transport_errors_are_classified(settings, provider, mode, expected):
    provider.mode["a@example.org"] = mode
    assert send_failure_outcome(_error_from(settings, provider.url)) is expected


def test_a_refused_connection_proves_nothing_was_sent(settings, provider, closed_port):
    error = _error_from(settings, f"http://127.0.0.1:{closed_port}/")
    assert send_failure_outcome(error) is Outcome.NOT_SENT


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (AnymailAPIError("Postmark API response 503"), Outcome.NOT_SENT),
        (AnymailRecipientsRefused(), Outcome.NOT_SENT),
        (AnymailInvalidAddress("bad"), Outcome.NOT_SENT),
        (smtplib.SMTPDataError(554, b"rejected"), Outcome.NOT_SENT),
        (smtplib.SMTPRecipientsRefused({}), Outcome.NOT_SENT),
        (ConnectionRefusedError(), Outcome.NOT_SENT),
        (socket.gaierror(), Outcome.NOT_SENT),
        (smtplib.SMTPServerDisconnected(), Outcome.UNCERTAIN),
        (TimeoutError(), Outcome.UNCERTAIN),
        (ConnectionResetError(), Outcome.UNCERTAIN),
        (ValueError("unknown"), Outcome.UNCERTAIN),
    ],
)
def test_other_channels_errors_are_classified(error, expected):
    assert send_failure_outcome(error) is expected


def test_a_read_timeout_after_acceptance_leaves_the_recipient_uncertain_and_nobody_is_mailed_twice(
    django_capture_on_commit_callbacks, provider
):
    contacts = make_contacts(5)
    provider.mode[contacts[2].email] = "hang"
    batch = start(BatchFactory(max_consecutive_errors=1), django_capture_on_commit_callbacks)

    assert batch.status == Batch.Status.PAUSED and "ReadTimeout" in batch.last_error
    uncertain = batch.recipients.get(email=contacts[2].email)
    assert uncertain.status == Recipient.Status.UNCERTAIN and uncertain.claim == ""
    assert uncertain.get_status_display() == "Belum pasti: periksa log penyedia"
    assert "mungkin sudah terkirim" in uncertain.error  # stored in Indonesian, the default
    assert Counter(batch.recipients.values_list("status", flat=True)) == {
        Recipient.Status.SENT: 2,
        Recipient.Status.UNCERTAIN: 1,
        Recipient.Status.PENDING: 2,
    }

    # The provider is well again: resuming, re-running and recovering send the rest once.
    provider.mode.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.batch_resume(batch=batch)
    assert services.batch_send_chunk(batch_id=batch.pk).sent == 0
    with django_capture_on_commit_callbacks(execute=True):
        recovered = services.batches_recover_interrupted(now=timezone.now() + datetime.timedelta(days=1))
    assert recovered["released"] == 0
    assert services.batch_send_chunk(batch_id=batch.pk).sent == 0

    received = Counter(provider.received)
    assert set(received) == {c.email for c in contacts} and set(received.values()) == {1}
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE  # the uncertain row waits for the webhook or staff
    uncertain.refresh_from_db()
    assert uncertain.status == Recipient.Status.UNCERTAIN

    # The provider's webhook, carrying our recipient id, settles it.
    services.tracking_event_apply(
        event=AnymailTrackingEvent(
            event_type="delivered",
            timestamp=timezone.now(),
            event_id=str(uuid.uuid4()),
            message_id=str(uuid.uuid4()),
            recipient=contacts[2].email,
            metadata={"recipient": str(uncertain.pk)},
        ),
        esp_name="Postmark",
    )
    uncertain.refresh_from_db()
    assert uncertain.status == Recipient.Status.DELIVERED


def test_a_connection_dropped_after_the_request_is_uncertain_too(
    django_capture_on_commit_callbacks, provider
):
    contacts = make_contacts(2)
    provider.mode[contacts[0].email] = "drop"
    batch = start(BatchFactory(max_consecutive_errors=1), django_capture_on_commit_callbacks)
    row = batch.recipients.get(email=contacts[0].email)
    assert (row.status, row.claim) == (Recipient.Status.UNCERTAIN, "")
    provider.mode.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_resume(batch=batch)
    assert Counter(provider.received) == {contacts[0].email: 1, contacts[1].email: 1}


@pytest.mark.parametrize("failure", ["refused", "500"])
def test_an_error_that_proves_nothing_was_sent_releases_the_claim_and_a_rerun_sends_once(
    django_capture_on_commit_callbacks, settings, provider, closed_port, failure
):
    contacts = make_contacts(3)
    if failure == "refused":
        settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_API_URL": f"http://127.0.0.1:{closed_port}/"}
    else:
        provider.mode[contacts[0].email] = "500"
    batch = start(BatchFactory(max_consecutive_errors=1), django_capture_on_commit_callbacks)
    assert batch.status == Batch.Status.PAUSED
    first = batch.recipients.get(email=contacts[0].email)
    assert (first.status, first.claim, first.attempts) == (Recipient.Status.PENDING, "", 1)
    assert provider.received == []

    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_API_URL": provider.url}
    provider.mode.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.batch_resume(batch=batch)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    assert Counter(provider.received) == {c.email: 1 for c in contacts}
    assert set(batch.recipients.values_list("status", flat=True)) == {Recipient.Status.SENT}
