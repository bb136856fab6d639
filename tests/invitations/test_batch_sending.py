"""Batch sending (issue 20): one provider call for many recipients through anymail's
batch sending (``merge_data``), each recipient's message still rendered here. Both paths
mail each recipient exactly once, also when a call is refused, when its answer is lost,
and when the worker dies during a call."""

import datetime
from collections import Counter

import pytest
from anymail.backends.mailgun import EmailBackend as MailgunBackend
from anymail.backends.postmark import EmailBackend as PostmarkBackend
from anymail.exceptions import AnymailAPIError
from anymail.message import AnymailRecipientStatus
from anymail.signals import pre_send
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaign.institutions.models import Assignment
from campaign.invitations import services
from campaign.invitations.models import Batch, Recipient
from campaign.invitations.services.sending import BatchFields, batch_send_fields
from tests.factories import BatchFactory

from .conftest import make_contacts, start
from .test_sending import WorkerKilled, _provider_log_settles, killer  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def batched(settings):
    settings.INVITATIONS_BATCH_SEND = True
    return settings


def calls(outbox=None):
    """The provider calls that were accepted (the test backend keeps failed ones too)."""
    return [
        m
        for m in (mail.outbox if outbox is None else outbox)
        if not isinstance(getattr(m, "anymail_test_response", None), AnymailAPIError)
    ]


def mailed(outbox=None):
    """How many messages each address received, over every accepted call."""
    return Counter(address.rsplit("<", 1)[-1].rstrip(">") for m in calls(outbox) for address in m.to)


def test_only_a_provider_with_known_merge_fields_batch_sends(settings):
    settings.INVITATIONS_BATCH_SEND = False
    assert batch_send_fields(MailgunBackend(api_key="k")) is None
    settings.INVITATIONS_BATCH_SEND = True
    assert batch_send_fields(MailgunBackend(api_key="k")).html == "%recipient.html%"
    # Postmark merges only into a template stored there: per message unless one is described.
    assert batch_send_fields(PostmarkBackend(server_token="t")) is None
    settings.INVITATIONS_BATCH_FIELDS = {"template_id": "invitation", "subject": "", "html": "", "text": ""}
    fields = batch_send_fields(PostmarkBackend(server_token="t"))
    assert fields == BatchFields(subject="", html="", text="", template_id="invitation", size=250)
    # A call never holds more than crash recovery flags as possibly sent.
    settings.INVITATIONS_BATCH_FIELDS = {"subject": "s", "html": "h", "text": "t", "size": 1000}
    assert batch_send_fields(PostmarkBackend(server_token="t")).size == 250


def test_a_batched_chunk_hands_each_recipient_what_its_own_message_held(
    django_capture_on_commit_callbacks, batched, monkeypatch, team
):
    """7 recipients, calls of 3: 3 provider calls. Sent again one message each (the same
    rows, the same signing time), every recipient's subject, text, HTML, unsubscribe
    headers and recipient id are what its call's merge data held."""
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: "1abcde")
    monkeypatch.setattr(services.sending, "_MARK_EVERY", 3)
    contacts = make_contacts(6) + make_contacts(1, preferred_language="en")
    Assignment.objects.create(
        institution=contacts[0].institution,
        team=team,
        week=datetime.date(2020, 2, 24),
        planned_date=datetime.date(2020, 2, 26),
    )
    batch = start(BatchFactory(chunk_size=50), django_capture_on_commit_callbacks)

    assert batch.status == Batch.Status.DONE
    assert len(mail.outbox) == 3 and [len(m.to) for m in mail.outbox] == [3, 3, 1]
    assert all(m.anymail_test_params["is_batch_send"] for m in mail.outbox)
    assert mailed() == {c.email: 1 for c in contacts}
    rows = {r.email: r for r in batch.recipients.all()}
    assert {r.status for r in rows.values()} == {Recipient.Status.SENT}
    merged = {}
    for number, message in enumerate(mail.outbox):
        params = message.anymail_test_params
        assert (message.subject, message.body, message.alternatives[0].content) == (
            "{{subject}}",
            "{{text}}",
            "{{html}}",
        )
        for address in params["to"]:
            email = address.addr_spec
            assert rows[email].message_id == str(number)  # the test backend's id of the call
            merged[email] = (
                params["merge_data"][email],
                params["merge_headers"][email],
                params["merge_metadata"][email],
            )
    assert "Rabu, 26 Februari 2020" in merged[contacts[0].email][0]["text"]
    assert merged[contacts[6].email][0]["subject"].startswith("Census online guidance for")

    # The same rows again, one call each.
    batched.INVITATIONS_BATCH_SEND = False
    batch.recipients.update(status=Recipient.Status.PENDING, message_id="", sent_at=None)
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.SENDING)
    mail.outbox = []
    while services.batch_send_chunk(batch_id=batch.pk).more:
        pass
    assert len(mail.outbox) == 7
    for message in mail.outbox:
        email = message.to[0].rsplit("<", 1)[-1].rstrip(">")
        data, headers, metadata = merged[email]
        assert data == {
            "subject": message.subject,
            "text": message.body,
            "html": message.alternatives[0].content,
        }
        assert headers == message.extra_headers
        assert metadata == {"recipient": message.metadata["recipient"]}


def test_a_batched_chunk_of_1000_costs_four_calls_and_a_fixed_number_of_statements(
    django_capture_on_commit_callbacks, batched, monkeypatch
):
    make_contacts(1000)
    batch = BatchFactory(chunk_size=1000)
    with django_capture_on_commit_callbacks(execute=False):
        services.batch_start(batch=batch)
    monkeypatch.setattr(services.sending, "_MARK_SECONDS", 3600)
    with CaptureQueriesContext(connection) as queries:
        result = services.batch_send_chunk(batch_id=batch.pk)
    assert result.sent == 1000 and [len(m.to) for m in mail.outbox] == [250] * 4
    assert len(queries) <= 28, [q["sql"][:80] for q in queries]
    marks = [q for q in queries if q["sql"].startswith('UPDATE "invitations_recipient" SET status = CASE')]
    assert len(marks) == 4
    assert (
        batch.recipients.filter(status=Recipient.Status.SENT, sent_at__isnull=False, claim="").count() == 1000
    )
    assert Counter(batch.recipients.values_list("message_id", flat=True)) == {
        "0": 250,
        "1": 250,
        "2": 250,
        "3": 250,
    }


def test_a_refused_call_in_the_middle_puts_its_rows_back_and_a_resume_mails_each_once(
    django_capture_on_commit_callbacks, batched, monkeypatch
):
    monkeypatch.setattr(services.sending, "_MARK_EVERY", 3)
    contacts = make_contacts(10)
    refused = {contacts[4].email}

    def refuse(sender, message, esp_name, **kwargs):
        if any(address.rsplit("<", 1)[-1].rstrip(">") in refused for address in message.to):
            message.anymail_test_response = AnymailAPIError("simulated provider outage")

    pre_send.connect(refuse, weak=False, dispatch_uid="test-refuse-call")
    try:
        batch = start(
            BatchFactory(chunk_size=50, max_consecutive_errors=1), django_capture_on_commit_callbacks
        )
        assert batch.status == Batch.Status.PAUSED and "simulated provider outage" in batch.last_error
        statuses = dict(batch.recipients.values_list("email", "status"))
        assert [statuses[c.email] for c in contacts] == [Recipient.Status.SENT] * 3 + [
            Recipient.Status.PENDING
        ] * 7
        assert batch.recipients.filter(claim="").count() == 10
        assert mailed() == {c.email: 1 for c in contacts[:3]}

        refused.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.batch_resume(batch=batch)
    finally:
        pre_send.disconnect(dispatch_uid="test-refuse-call")
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    assert mailed() == {c.email: 1 for c in contacts}
    assert services.batch_send_chunk(batch_id=batch.pk).sent == 0


def test_a_lost_answer_leaves_that_calls_recipients_uncertain_and_nobody_is_mailed_twice(
    django_capture_on_commit_callbacks, batched, monkeypatch
):
    monkeypatch.setattr(services.sending, "_MARK_EVERY", 3)
    contacts = make_contacts(10)

    def timeout(sender, message, esp_name, **kwargs):
        if any(contacts[4].email in address for address in message.to):
            raise TimeoutError("the provider did not answer")

    pre_send.connect(timeout, weak=False, dispatch_uid="test-timeout-call")
    try:
        batch = start(BatchFactory(max_consecutive_errors=1), django_capture_on_commit_callbacks)
    finally:
        pre_send.disconnect(dispatch_uid="test-timeout-call")
    assert batch.status == Batch.Status.PAUSED
    statuses = dict(batch.recipients.values_list("email", "status"))
    assert [statuses[c.email] for c in contacts] == (
        [Recipient.Status.SENT] * 3 + [Recipient.Status.UNCERTAIN] * 3 + [Recipient.Status.PENDING] * 4
    )
    assert all("penyedia" in r.error for r in batch.recipients.filter(status=Recipient.Status.UNCERTAIN))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.batch_resume(batch=batch)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.batches_recover_interrupted(now=timezone.now() + datetime.timedelta(days=1))["released"]
            == 0
        )
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    # The three uncertain ones are never sent again by a worker: their webhook or staff settle them.
    assert mailed() == {c.email: 1 for c in contacts[:3] + contacts[6:]}
    assert batch.recipients.filter(status=Recipient.Status.UNCERTAIN).count() == 3


def test_an_address_the_provider_refuses_within_a_call_is_failed_and_the_others_sent(
    django_capture_on_commit_callbacks, batched
):
    contacts = make_contacts(4)

    def answer(sender, message, esp_name, **kwargs):
        message.anymail_test_response = {
            "recipient_status": {
                address.rsplit("<", 1)[-1].rstrip(">"): AnymailRecipientStatus(
                    message_id=f"m-{n}", status="rejected" if contacts[1].email in address else "queued"
                )
                for n, address in enumerate(message.to)
            }
        }

    pre_send.connect(answer, weak=False, dispatch_uid="test-answer")
    try:
        batch = start(BatchFactory(), django_capture_on_commit_callbacks)
    finally:
        pre_send.disconnect(dispatch_uid="test-answer")
    rows = {r.email: r for r in batch.recipients.all()}
    assert rows[contacts[1].email].status == Recipient.Status.FAILED
    assert rows[contacts[1].email].message_id == "m-1" and rows[contacts[1].email].error
    assert [rows[c.email].status for c in contacts if c != contacts[1]] == [Recipient.Status.SENT] * 3
    assert {rows[c.email].message_id for c in contacts} == {"m-0", "m-1", "m-2", "m-3"}
    assert len(mail.outbox) == 1 and batch.status == Batch.Status.DONE


def test_a_worker_killed_during_a_call_is_recovered_without_mailing_anyone_twice(
    django_capture_on_commit_callbacks,
    batched,
    killer,  # noqa: F811 - the fixture
):
    """600 recipients, calls of 250: killed while handing over the second call. The
    first call is marked; the second may have gone out: recovery flags exactly its 250
    rows and puts the last 100 back."""
    contacts = make_contacts(600)
    batch = BatchFactory(chunk_size=600)
    with django_capture_on_commit_callbacks(execute=False):
        services.batch_start(batch=batch)
    killer.kill_at(contacts[250].email)
    with pytest.raises(WorkerKilled):
        services.batch_send_chunk(batch_id=batch.pk)
    killer.restart()
    assert Counter(batch.recipients.values_list("status", flat=True)) == {
        Recipient.Status.SENT: 250,
        Recipient.Status.SENDING: 350,
    }
    with django_capture_on_commit_callbacks(execute=True):
        recovered = services.batches_recover_interrupted(now=timezone.now() + datetime.timedelta(hours=1))
    assert (recovered["released"], recovered["uncertain"]) == (100, 250)
    flagged = set(batch.recipients.filter(status=Recipient.Status.UNCERTAIN).values_list("email", flat=True))
    assert flagged == {c.email for c in contacts[250:500]}
    # The killed call never reached the provider here: staff send the flagged rows again.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recipients_send_again(batch=batch) == 250
    assert mailed() == {c.email: 1 for c in contacts}
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE


class _MailgunAnswer:
    def __init__(self, data):
        self.data, self.status_code = data, 200

    def json(self):
        return self.data


class RecordingMailgunBackend(MailgunBackend):
    """anymail's Mailgun backend up to the HTTP request, which it records instead (the
    tests reach no network); Mailgun's answer to a batch is one id for the call."""

    requests = []

    def post_to_esp(self, payload, message):
        self.requests.append(payload.get_request_params(self.api_url)["data"])
        return _MailgunAnswer(
            {"id": f"<call-{len(self.requests)}@mg.example.org>", "message": "Queued. Thank you."}
        )


def test_through_mailgun_each_recipient_gets_its_own_parts_headers_and_id_in_one_request(
    django_capture_on_commit_callbacks, batched, monkeypatch
):
    import json

    monkeypatch.setattr(services.sending, "_MARK_EVERY", 3)
    batched.MAILERS = {"default": {"BACKEND": f"{__name__}.RecordingMailgunBackend"}}
    batched.ANYMAIL = {"MAILGUN_API_KEY": "key", "MAILGUN_SENDER_DOMAIN": "mg.example.org"}
    RecordingMailgunBackend.requests = []
    contacts = make_contacts(5)
    batch = start(BatchFactory(), django_capture_on_commit_callbacks)

    assert batch.status == Batch.Status.DONE and len(RecordingMailgunBackend.requests) == 2
    rows = {r.email: r for r in batch.recipients.all()}
    seen = Counter()
    for number, data in enumerate(RecordingMailgunBackend.requests, start=1):
        assert (data["subject"], data["text"], data["html"]) == (
            "%recipient.subject%",
            "%recipient.text%",
            "%recipient.html%",
        )
        assert data["v:recipient"] == "%recipient.v:recipient%"  # the webhooks' recipient id
        variables = json.loads(data["recipient-variables"])
        for email, values in variables.items():
            seen[email] += 1
            row = rows[email]
            assert (
                values["v:recipient"] == str(row.pk) and row.message_id == f"<call-{number}@mg.example.org>"
            )
            assert row.name in values["text"] and row.name in values["html"]
            assert values["subject"].startswith("Undangan pendampingan Sensus")
            assert values["h:List-Unsubscribe"].startswith("<http://testserver/undangan/berhenti/")
    assert seen == {c.email: 1 for c in contacts}
