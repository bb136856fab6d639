import datetime
from collections import Counter

import pytest
from anymail.exceptions import AnymailAPIError
from anymail.signals import pre_send
from django.core import mail
from django.core.exceptions import ValidationError
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


def test_sending_costs_a_bounded_number_of_queries(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    make_contacts(40)
    batch = BatchFactory(chunk_size=40)
    with django_capture_on_commit_callbacks(execute=False):
        services.batch_start(batch=batch)
    # One mark per message; claim, reads, suppression check and links once per chunk.
    with django_assert_max_num_queries(40 + 25):
        result = services.batch_send_chunk(batch_id=batch.pk)
    assert result.sent == 40


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


def test_a_worker_killed_mid_chunk_is_recovered_without_mailing_anyone_twice(
    django_capture_on_commit_callbacks, monkeypatch
):
    contacts = make_contacts(10)
    batch = BatchFactory(chunk_size=50)
    with django_capture_on_commit_callbacks(execute=False):  # started, but no worker yet
        services.batch_start(batch=batch)

    def killed(sender, message, esp_name, **kwargs):
        if contacts[4].email in message.to[0]:
            raise WorkerKilled

    monkeypatch.setattr(services.sending, "_release", lambda claim, error="": 0)  # no clean-up either
    pre_send.connect(killed, weak=False, dispatch_uid="test-killed")
    try:
        with pytest.raises(WorkerKilled):
            services.batch_send_chunk(batch_id=batch.pk)
    finally:
        pre_send.disconnect(dispatch_uid="test-killed")
    monkeypatch.undo()
    assert Counter(batch.recipients.values_list("status", flat=True)) == {
        Recipient.Status.SENT: 4,
        Recipient.Status.SENDING: 6,
    }

    # A young claim may belong to a live worker: left alone.
    assert services.batches_recover_interrupted()["released"] == 0
    batch.recipients.filter(status=Recipient.Status.SENDING).update(
        claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        recovered = services.batches_recover_interrupted()

    assert (recovered["released"], recovered["uncertain"], recovered["requeued"]) == (5, 1, [batch.pk])
    assert Counter(batch.recipients.values_list("status", flat=True)) == {
        Recipient.Status.SENT: 9,
        Recipient.Status.UNCERTAIN: 1,
    }
    flagged = batch.recipients.get(status=Recipient.Status.UNCERTAIN)
    assert (
        flagged.email == contacts[4].email and flagged.claim == "" and "penyedia" in flagged.error
    )  # stored in Indonesian, the default
    sent = addresses(accepted(mail.outbox))
    assert len(sent) == 9 and set(sent.values()) == {1}
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE  # the flagged row waits for staff, not a worker
    # Recovery again changes nothing; staff, having checked the provider's log, send it.
    assert services.batches_recover_interrupted()["released"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recipients_send_again(batch=batch) == 1
    sent = addresses(accepted(mail.outbox))
    assert len(sent) == 10 and set(sent.values()) == {1}
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    assert set(batch.recipients.values_list("status", flat=True)) == {Recipient.Status.SENT}


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
