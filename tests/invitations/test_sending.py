import datetime
from collections import Counter

import pytest
from anymail.exceptions import AnymailAPIError
from anymail.signals import pre_send
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaign.institutions.models import Assignment, Institution
from campaign.invitations import services
from campaign.invitations.models import Batch, Recipient, Suppression
from tests.factories import AudienceFactory, BatchFactory, EmailTemplateFactory

from .conftest import WITA, make_contacts, start

pytestmark = pytest.mark.django_db


def accepted(outbox):
    """Messages the provider accepted (the test backend keeps refused ones too)."""
    return [m for m in outbox if not isinstance(getattr(m, "anymail_test_response", None), AnymailAPIError)]


def addresses(messages):
    return Counter(m.to[0].rsplit("<", 1)[-1].rstrip(">") for m in messages)


@pytest.fixture
def fail_for():
    """Make the provider refuse messages to given addresses (set of emails)."""
    failing = set()

    def receiver(sender, message, esp_name, **kwargs):
        if any(email in address for address in message.to for email in failing):
            message.anymail_test_response = AnymailAPIError("simulated provider outage")

    pre_send.connect(receiver, weak=False, dispatch_uid="test-fail-for")
    yield failing
    pre_send.disconnect(dispatch_uid="test-fail-for")


def test_batch_sends_each_recipient_once_with_both_parts_and_unsubscribe_headers(
    django_capture_on_commit_callbacks, team
):
    contacts = make_contacts(3)
    Assignment.objects.create(
        institution=contacts[0].institution,
        team=team,
        week=datetime.date(2020, 2, 24),
        planned_date=datetime.date(2020, 2, 26),
    )
    batch = start(BatchFactory(chunk_size=2), django_capture_on_commit_callbacks)

    assert batch.status == Batch.Status.DONE
    assert len(mail.outbox) == 3
    assert set(batch.recipients.values_list("status", flat=True)) == {Recipient.Status.SENT}
    first = batch.recipients.get(contact=contacts[0])
    message = next(m for m in mail.outbox if first.email in m.to[0])
    assert first.message_id == str(mail.outbox.index(message))
    assert first.team == team and timezone.localtime(first.proposed_at).date() == datetime.date(2020, 2, 26)

    headers = message.extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http://testserver/undangan/berhenti/")
    assert message.anymail_test_params["metadata"] == {"recipient": str(first.pk), "batch": str(batch.pk)}
    html = message.alternatives[0].content
    assert message.alternatives[0].mimetype == "text/html"
    for text in (html, message.body):
        assert contacts[0].name in text
        assert "Tim 1" in text
        assert "Rabu, 26 Februari 2020" in text
        assert "{{" not in text
    assert contacts[0].institution.name in message.subject
    assert '<a href="http://testserver/undangan/' in html
    assert "http://testserver/undangan/berhenti/" in message.body


def test_sending_marks_uncontacted_institutions_invited_and_never_downgrades(
    django_capture_on_commit_callbacks,
):
    fresh, guided = make_contacts(2)
    Institution.objects.filter(pk=guided.institution_id).update(status=Institution.Status.GUIDED)

    start(BatchFactory(), django_capture_on_commit_callbacks)

    statuses = dict(Institution.objects.values_list("pk", "status"))
    assert statuses[fresh.institution_id] == Institution.Status.INVITED
    assert statuses[guided.institution_id] == Institution.Status.GUIDED


def test_english_contacts_get_the_english_version(django_capture_on_commit_callbacks):
    (contact,) = make_contacts(1, preferred_language="en")
    start(BatchFactory(), django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject.startswith("Census online guidance for")
    assert "Unsubscribe" in message.body


def test_provider_failure_at_recipient_37_then_rerun_mails_everyone_exactly_once(
    django_capture_on_commit_callbacks, fail_for
):
    contacts = make_contacts(100)
    fail_for.add(contacts[36].email)
    batch = BatchFactory(chunk_size=50, max_consecutive_errors=1)
    start(batch, django_capture_on_commit_callbacks)

    # The chunk stopped at 37: 36 sent and marked, the failed one and the rest wait.
    assert batch.status == Batch.Status.PAUSED
    assert "simulated provider outage" in batch.last_error
    counts = Counter(batch.recipients.values_list("status", flat=True))
    assert counts == {Recipient.Status.SENT: 36, Recipient.Status.PENDING: 64}
    failed = batch.recipients.get(email=contacts[36].email)
    assert failed.status == Recipient.Status.PENDING and failed.attempts == 1 and failed.claim == ""
    assert len(accepted(mail.outbox)) == 36

    fail_for.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.batch_resume(batch=batch)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    assert batch.consecutive_errors == 0
    sent = addresses(accepted(mail.outbox))
    assert len(sent) == 100 and set(sent.values()) == {1}
    assert set(batch.recipients.values_list("status", flat=True)) == {Recipient.Status.SENT}

    # A re-run of a finished batch sends nothing.
    assert services.batch_send_chunk(batch_id=batch.pk).sent == 0
    assert len(accepted(mail.outbox)) == 100


def test_batch_pauses_itself_after_n_consecutive_errors(django_capture_on_commit_callbacks, fail_for):
    contacts = make_contacts(5)
    fail_for.add(contacts[0].email)
    batch = start(BatchFactory(max_consecutive_errors=3), django_capture_on_commit_callbacks)
    assert batch.status == Batch.Status.PAUSED
    assert batch.consecutive_errors == 3
    # Three tries of the first recipient, nothing else was sent meanwhile.
    assert len(mail.outbox) == 3 and not accepted(mail.outbox)
    assert batch.recipients.get(email=contacts[0].email).attempts == 3


def test_a_second_worker_finds_nothing_to_claim(django_capture_on_commit_callbacks):
    make_contacts(4)
    batch = BatchFactory()
    with django_capture_on_commit_callbacks(execute=False):
        services.batch_start(batch=batch)
    # Another worker claimed everything between our read and our claim.
    Recipient.objects.filter(batch=batch).update(status=Recipient.Status.SENDING, claim="other")
    result = services.batch_send_chunk(batch_id=batch.pk)
    assert result.sent == 0 and mail.outbox == []
    assert set(batch.recipients.values_list("claim", flat=True)) == {"other"}


def test_header_injection_in_names_and_subjects_is_refused(django_capture_on_commit_callbacks):
    good, evil_name, evil_institution = make_contacts(3)
    evil_name.name = "Maria\r\nBcc: victim@example.org"
    evil_name.save()
    evil_institution.institution.name = "Dinas\nBcc: victim@example.org"
    evil_institution.institution.save()
    batch = start(BatchFactory(), django_capture_on_commit_callbacks)

    assert [m.to[0] for m in mail.outbox] == [f"{good.name} <{good.email}>"]
    refused = batch.recipients.filter(status=Recipient.Status.FAILED)
    assert set(refused.values_list("email", flat=True)) == {evil_name.email, evil_institution.email}
    assert all("injeksi header" in r.error for r in refused)  # stored in the default language
    assert batch.status == Batch.Status.DONE


def test_template_subject_with_a_line_break_does_not_validate():
    template = EmailTemplateFactory.build(subject_id="Undangan\r\nBcc: x@example.org")
    with pytest.raises(ValidationError) as error:
        services.email_template_save(template=template)
    assert "subject_id" in error.value.message_dict


def test_unknown_merge_fields_do_not_validate():
    template = EmailTemplateFactory.build(body_id="<p>Halo {{ nama_kontak }}</p>")
    with pytest.raises(ValidationError) as error:
        services.email_template_save(template=template)
    assert "nama_kontak" in str(error.value)


def test_address_suppressed_after_the_batch_started_is_not_mailed(django_capture_on_commit_callbacks):
    first, second = make_contacts(2)
    batch = BatchFactory()
    with django_capture_on_commit_callbacks(execute=False):
        services.batch_start(batch=batch)
    services.suppression_add(email=second.email.upper(), reason=Suppression.Reason.MANUAL)
    services.batch_send_chunk(batch_id=batch.pk)
    assert [m.to[0] for m in mail.outbox] == [f"{first.name} <{first.email}>"]
    assert batch.recipients.get(email=second.email).status == Recipient.Status.SKIPPED


def test_scheduled_batch_waits_for_its_time(django_capture_on_commit_callbacks):
    make_contacts(2)
    when = timezone.now() + datetime.timedelta(hours=2)
    batch = start(BatchFactory(scheduled_at=when), django_capture_on_commit_callbacks)
    assert batch.status == Batch.Status.SCHEDULED and mail.outbox == []
    assert services.batches_start_due(now=timezone.now()) == []
    assert services.batches_start_due(now=when) == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE and len(mail.outbox) == 2


def test_pause_resume_and_cancel(django_capture_on_commit_callbacks):
    make_contacts(3)
    batch = BatchFactory(scheduled_at=timezone.now() + datetime.timedelta(days=1))
    start(batch, django_capture_on_commit_callbacks)
    assert services.batch_pause(batch=batch)
    assert not services.batch_pause(batch=batch)
    assert services.batch_send_chunk(batch_id=batch.pk).claimed == 0
    assert services.batch_cancel(batch=batch)
    assert not services.batch_resume(batch=batch)
    assert set(batch.recipients.values_list("status", flat=True)) == {Recipient.Status.SKIPPED}
    assert mail.outbox == []


def test_audience_excludes_suppressed_opted_out_and_duplicates_and_says_why():
    from campaign.invitations.selectors import audience_summary

    contacts = make_contacts(6)
    contacts[1].opted_out_at = timezone.now()
    contacts[1].save()
    contacts[2].email = ""
    contacts[2].save()
    contacts[3].email = contacts[0].email.upper()
    contacts[3].save()
    services.suppression_add(email=contacts[4].email, reason=Suppression.Reason.COMPLAINT)
    summary = audience_summary(audience=AudienceFactory())
    assert summary.selected == 6 and summary.count == 2
    assert summary.excluded == {"opted_out": 1, "no_email": 1, "duplicate": 1, "suppressed_complaint": 1}
    labels = dict(summary.excluded_labelled())
    assert len(labels) == 4 and set(labels.values()) == {1}


def test_audience_filters_by_kind_region_status_team_week_and_medium(team):
    from campaign.institutions.models import InstitutionKind, MediaPartner
    from campaign.invitations.selectors import audience_contacts
    from tests.factories import InstitutionFactory, MediaContactFactory, MediaPartnerFactory, RegionFactory

    dprd, _ = InstitutionKind.objects.get_or_create(name="DPRD")
    kupang_district = RegionFactory(code="5371010", name="Alak", parent=RegionFactory(code="5371"))
    a, b, c = make_contacts(3)
    a.institution.kind, a.institution.region = dprd, kupang_district
    a.institution.save()
    Assignment.objects.create(institution=b.institution, team=team, week=datetime.date(2020, 2, 24))
    MediaContactFactory(
        media_partner=MediaPartnerFactory(name="Pos Kupang", medium=MediaPartner.Medium.PRINT)
    )
    radio = MediaContactFactory(
        media_partner=MediaPartnerFactory(name="RRI Kupang", medium=MediaPartner.Medium.RADIO)
    )

    audience = AudienceFactory()
    audience.kinds.set([dprd])
    assert list(audience_contacts(audience=audience)) == [a]
    audience.kinds.clear()
    audience.regions.set([RegionFactory(code="5371")])
    assert set(audience_contacts(audience=audience)) == {a, b, c}
    audience.regions.clear()
    audience.teams.set([team])
    audience.week = datetime.date(2020, 2, 24)
    assert list(audience_contacts(audience=audience)) == [b]
    audience.week = datetime.date(2020, 3, 2)
    assert list(audience_contacts(audience=audience)) == []
    status_audience = AudienceFactory(statuses=["guided"])
    assert list(audience_contacts(audience=status_audience)) == []
    media = AudienceFactory(target="media", mediums=["radio"])
    assert list(audience_contacts(audience=media)) == [radio]
    InstitutionFactory()  # an institution without contacts is nobody to mail


def test_reminder_goes_to_those_who_did_not_answer_after_n_days(django_capture_on_commit_callbacks):
    contacts = make_contacts(4)
    batch = start(BatchFactory(), django_capture_on_commit_callbacks)
    rows = {r.email: r for r in batch.recipients.all()}
    Recipient.objects.filter(pk=rows[contacts[0].email].pk).update(answer="accept")
    Recipient.objects.filter(pk=rows[contacts[1].email].pk).update(status=Recipient.Status.BOUNCED)
    services.suppression_add(email=contacts[2].email, reason=Suppression.Reason.UNSUBSCRIBED)

    assert services.batch_remind(batch=batch, after_days=3).recipients.count() == 0  # too early
    later = timezone.now() + datetime.timedelta(days=3, minutes=1)
    Batch.objects.filter(kind=Batch.Kind.REMINDER).delete()
    reminder = services.batch_remind(batch=batch, after_days=3, now=later)
    assert list(reminder.recipients.values_list("email", flat=True)) == [contacts[3].email]
    assert reminder.kind == Batch.Kind.REMINDER and reminder.parent == batch
    # Asking again does not remind the same person twice.
    assert services.batch_remind(batch=batch, after_days=3, now=later).recipients.count() == 0
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_start(batch=reminder)
    assert [m.to[0].split("<")[-1].rstrip(">") for m in mail.outbox] == [contacts[3].email]


def test_a_chunk_of_1000_messages_costs_a_fixed_number_of_statements(
    django_capture_on_commit_callbacks, monkeypatch
):
    """Claim, reads, suppression check and links once per chunk; the "sent" marks in one
    UPDATE per 250 messages, each followed by the pause check: no statement per message."""
    make_contacts(1000)
    batch = BatchFactory(chunk_size=1000)
    with django_capture_on_commit_callbacks(execute=False):
        services.batch_start(batch=batch)
    monkeypatch.setattr(services.sending, "_MARK_SECONDS", 3600)  # a slow test machine adds no write
    with CaptureQueriesContext(connection) as queries:
        result = services.batch_send_chunk(batch_id=batch.pk)
    assert result.sent == 1000 and len(accepted(mail.outbox)) == 1000
    assert len(queries) <= 28, [q["sql"][:80] for q in queries]  # 26 measured
    marks = [q for q in queries if q["sql"].startswith('UPDATE "invitations_recipient" SET status = CASE')]
    assert len(marks) == 4
    assert set(batch.recipients.values_list("status", flat=True)) == {Recipient.Status.SENT}
    assert batch.recipients.filter(sent_at__isnull=False, claim="").count() == 1000
    ids = dict(batch.recipients.values_list("email", "message_id"))
    assert {ids[m.to[0].rsplit("<", 1)[-1].rstrip(">")] for m in mail.outbox} == {
        str(n) for n in range(1000)
    }  # each row has its own message's id (the test backend's: its place in the outbox)


def test_session_date_falls_back_to_the_batch_time(django_capture_on_commit_callbacks):
    make_contacts(1)
    start(
        BatchFactory(proposed_at=datetime.datetime(2020, 3, 2, 10, 0, tzinfo=WITA)),
        django_capture_on_commit_callbacks,
    )
    assert "Senin, 2 Maret 2020, 10.00 WITA" in mail.outbox[0].body


def test_the_deferred_task_of_a_scheduled_batch_sends_when_due(django_capture_on_commit_callbacks):
    from campaign.invitations.tasks import batch_send_task

    make_contacts(2)
    batch = start(
        BatchFactory(scheduled_at=timezone.now() + datetime.timedelta(hours=1)),
        django_capture_on_commit_callbacks,
    )
    batch_send_task.call(batch.pk)  # too early: nothing happens
    assert mail.outbox == []
    Batch.objects.filter(pk=batch.pk).update(scheduled_at=timezone.now() - datetime.timedelta(seconds=1))
    batch_send_task.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE and len(mail.outbox) == 2


def test_send_due_invitations_command(django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    make_contacts(1)
    batch = start(
        BatchFactory(scheduled_at=timezone.now() + datetime.timedelta(hours=1)),
        django_capture_on_commit_callbacks,
    )
    Batch.objects.filter(pk=batch.pk).update(scheduled_at=timezone.now() - datetime.timedelta(seconds=1))
    out = StringIO()
    call_command("send_due_invitations", stdout=out)
    assert "1 batch" in out.getvalue() and len(mail.outbox) == 1


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even the chunk's clean-up."""


class Killer:
    """``kill_at(email)``: the worker dies as it hands that address to the provider, and
    nothing of that chunk runs after it: neither the pending marks nor the release.
    ``restart()``: a new worker process, with the real functions again."""

    def __init__(self, monkeypatch):
        self.dead = False
        self.email = None
        real_write, real_release = services.sending._marks_write, services.sending._release
        monkeypatch.setattr(
            services.sending, "_marks_write", lambda *a, **k: None if self.dead else real_write(*a, **k)
        )
        monkeypatch.setattr(
            services.sending, "_release", lambda *a, **k: 0 if self.dead else real_release(*a, **k)
        )
        pre_send.connect(self._handing_over, weak=False, dispatch_uid="test-killed")

    def _handing_over(self, sender, message, esp_name, **kwargs):
        if self.email and self.email in message.to[0]:
            self.dead = True
            raise WorkerKilled

    def kill_at(self, email):
        self.email = email

    def restart(self):
        self.dead, self.email = False, None


@pytest.fixture
def killer(monkeypatch):
    yield Killer(monkeypatch)
    pre_send.disconnect(dispatch_uid="test-killed")


def _provider_log_settles(batch):
    """What the provider's webhooks do for the uncertain rows it did take: each carries
    our recipient id in its metadata and moves the row on."""
    import uuid

    from anymail.signals import AnymailTrackingEvent

    uncertain = set(batch.recipients.filter(status=Recipient.Status.UNCERTAIN).values_list("pk", flat=True))
    settled = 0
    for message in accepted(mail.outbox):
        pk = int(message.metadata["recipient"])
        if pk in uncertain:
            services.tracking_event_apply(
                event=AnymailTrackingEvent(
                    event_type="delivered",
                    timestamp=timezone.now(),
                    event_id=str(uuid.uuid4()),
                    message_id=str(uuid.uuid4()),
                    recipient=message.to[0].rsplit("<", 1)[-1].rstrip(">"),
                    metadata={"recipient": str(pk)},
                ),
                esp_name="Postmark",
            )
            settled += 1
    return settled


def test_a_worker_killed_mid_chunk_is_recovered_without_mailing_anyone_twice(
    django_capture_on_commit_callbacks, monkeypatch, killer
):
    contacts = make_contacts(10)
    batch = BatchFactory(chunk_size=50)
    with django_capture_on_commit_callbacks(execute=False):  # started, but no worker yet
        services.batch_start(batch=batch)
    monkeypatch.setattr(services.sending, "_MARK_EVERY", 3)  # marks written after 3 and 6 messages

    killer.kill_at(contacts[4].email)
    with pytest.raises(WorkerKilled):
        services.batch_send_chunk(batch_id=batch.pk)
    killer.restart()
    # Three marked; the fourth went out unmarked, the fifth died in the worker's hands.
    assert Counter(batch.recipients.values_list("status", flat=True)) == {
        Recipient.Status.SENT: 3,
        Recipient.Status.SENDING: 7,
    }
    assert len(accepted(mail.outbox)) == 4

    # A young claim may belong to a live worker: left alone.
    assert services.batches_recover_interrupted()["released"] == 0
    batch.recipients.filter(status=Recipient.Status.SENDING).update(
        claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        recovered = services.batches_recover_interrupted()

    # The first _MARK_EVERY unmarked rows may have gone out: uncertain; the rest are sent.
    assert (recovered["released"], recovered["uncertain"], recovered["requeued"]) == (4, 3, [batch.pk])
    flagged = batch.recipients.filter(status=Recipient.Status.UNCERTAIN).order_by("pk")
    assert [r.email for r in flagged] == [c.email for c in contacts[3:6]]
    assert all(r.claim == "" and "penyedia" in r.error for r in flagged)  # stored in Indonesian
    sent = addresses(accepted(mail.outbox))
    assert len(sent) == 8 and set(sent.values()) == {1}
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE  # the flagged rows wait for staff, not a worker

    # The provider's webhook settles the one it took; recovery again changes nothing;
    # staff, having checked the provider's log, send the other two.
    assert _provider_log_settles(batch) == 1
    assert services.batches_recover_interrupted()["released"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recipients_send_again(batch=batch) == 2
    sent = addresses(accepted(mail.outbox))
    assert len(sent) == 10 and set(sent.values()) == {1}
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    assert Counter(batch.recipients.values_list("status", flat=True)) == {
        Recipient.Status.SENT: 9,
        Recipient.Status.DELIVERED: 1,
    }


def test_a_worker_killed_between_two_mark_writes_of_a_large_chunk_mails_nobody_twice_and_skips_nobody(
    django_capture_on_commit_callbacks, killer
):
    """600 messages, marks written every 250: killed at the 400th, 149 went out
    unmarked. Recovery flags the 250 rows that may have gone out and sends the rest."""
    contacts = make_contacts(600)
    batch = BatchFactory(chunk_size=600)
    with django_capture_on_commit_callbacks(execute=False):
        services.batch_start(batch=batch)
    killer.kill_at(contacts[399].email)
    with pytest.raises(WorkerKilled):
        services.batch_send_chunk(batch_id=batch.pk)
    killer.restart()
    assert len(accepted(mail.outbox)) == 399
    assert Counter(batch.recipients.values_list("status", flat=True)) == {
        Recipient.Status.SENT: 250,
        Recipient.Status.SENDING: 350,
    }

    with django_capture_on_commit_callbacks(execute=True):
        recovered = services.batches_recover_interrupted(now=timezone.now() + datetime.timedelta(hours=1))
    assert (recovered["released"], recovered["uncertain"]) == (100, 250)
    assert _provider_log_settles(batch) == 149
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recipients_send_again(batch=batch) == 101

    sent = addresses(accepted(mail.outbox))
    assert set(sent) == {c.email for c in contacts} and set(sent.values()) == {1}
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    assert Counter(batch.recipients.values_list("status", flat=True)) == {
        Recipient.Status.SENT: 451,
        Recipient.Status.DELIVERED: 149,
    }


def test_an_ambiguous_error_between_two_mark_writes_marks_what_went_out_and_flags_the_one(
    django_capture_on_commit_callbacks, monkeypatch
):
    contacts = make_contacts(10)
    batch = BatchFactory(max_consecutive_errors=1)
    monkeypatch.setattr(services.sending, "_MARK_EVERY", 3)

    def timeout(sender, message, esp_name, **kwargs):
        if contacts[7].email in message.to[0]:
            raise TimeoutError("the provider did not answer")

    pre_send.connect(timeout, weak=False, dispatch_uid="test-timeout")
    try:
        start(batch, django_capture_on_commit_callbacks)
    finally:
        pre_send.disconnect(dispatch_uid="test-timeout")
    assert batch.status == Batch.Status.PAUSED
    statuses = dict(batch.recipients.values_list("email", "status"))
    assert [statuses[c.email] for c in contacts] == [Recipient.Status.SENT] * 7 + [
        Recipient.Status.UNCERTAIN,
        Recipient.Status.PENDING,
        Recipient.Status.PENDING,
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.batch_resume(batch=batch)
    sent = addresses(accepted(mail.outbox))
    assert set(sent) == {c.email for c in contacts if c != contacts[7]} and set(sent.values()) == {1}


def test_erasing_a_contact_erases_its_invitation_copies(django_capture_on_commit_callbacks):
    from campaign.institutions.services import contact_erase
    from campaign.invitations.models import OutboxMessage, TrackingEvent

    erased, kept = make_contacts(2)
    batch = start(BatchFactory(), django_capture_on_commit_callbacks)
    row = batch.recipients.get(contact=erased)
    TrackingEvent.objects.create(
        dedupe_key="x1", provider="postmark", event_type="delivered", email=erased.email, recipient=row
    )
    OutboxMessage.objects.create(message_id="m1", from_email="a@b.c", to=erased.email, subject="s", text="t")
    address = erased.email

    contact_erase(contact=erased)

    row.refresh_from_db()
    assert (row.name, row.email, row.status) == ("", "", Recipient.Status.SENT)
    assert not TrackingEvent.objects.filter(email=address).exists()
    assert TrackingEvent.objects.get(dedupe_key="x1").recipient_id == row.pk  # counts stay true
    assert not OutboxMessage.objects.filter(to__icontains=address).exists()
    assert batch.recipients.get(contact=kept).email == kept.email
