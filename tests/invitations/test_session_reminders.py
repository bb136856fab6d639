"""The reminder the day before an accepted session: once per contact and session, from
08.00 WITA, through a batch of its own; late acceptances join the day's batch."""

import datetime

import pytest
from django.core import mail

from campaign.institutions.models import GuidedSession
from campaign.institutions.services import session_record
from campaign.invitations import services
from campaign.invitations.models import Batch, Recipient
from tests.factories import BatchFactory, EmailTemplateFactory

from .conftest import WITA, make_contacts, start

pytestmark = pytest.mark.django_db

SESSION = datetime.datetime(2020, 3, 3, 10, 0, tzinfo=WITA)  # a Tuesday
MONDAY_MORNING = datetime.datetime(2020, 3, 2, 8, 5, tzinfo=WITA)
REMINDER = "<p>Yth. {{ contact_name }}, tim {{ team }} datang besok, {{ session_date }}.</p>"


@pytest.fixture
def invited(team, django_capture_on_commit_callbacks):
    contacts = make_contacts(3)
    batch = start(BatchFactory(team=team, proposed_at=SESSION), django_capture_on_commit_callbacks)
    mail.outbox = []
    EmailTemplateFactory(name="Pengingat sesi", body_id=REMINDER, for_session_reminders=True)
    return {c.email.lower(): batch.recipients.get(contact=c) for c in contacts}


def _queue(capture, now=MONDAY_MORNING):
    with capture(execute=True):
        return services.session_reminders_queue(now=now)


def _answer(recipient, answer, **kwargs):
    return services.rsvp_record(
        recipient=recipient, answer=answer, now=datetime.datetime(2020, 2, 28, 9, 0, tzinfo=WITA), **kwargs
    )


def test_the_contact_who_accepted_is_reminded_once_the_day_before(
    invited, django_capture_on_commit_callbacks
):
    accepted, declined, silent = invited.values()
    _answer(accepted, Recipient.Answer.ACCEPT)
    _answer(declined, Recipient.Answer.DECLINE)

    # Not at night: from eight in the morning.
    assert _queue(django_capture_on_commit_callbacks, now=MONDAY_MORNING.replace(hour=7, minute=59)) == 0
    assert _queue(django_capture_on_commit_callbacks) == 1
    assert [message.to for message in mail.outbox] == [[f"{accepted.name} <{accepted.email}>"]]
    assert "datang besok, Selasa, 3 Maret 2020, 10.00 WITA." in mail.outbox[0].body
    batch = Batch.objects.get(kind=Batch.Kind.SESSION)
    assert batch.status == Batch.Status.DONE and batch.name == "Pengingat sesi untuk 3 Maret 2020"

    # Every later run of the day adds nobody.
    assert _queue(django_capture_on_commit_callbacks, now=MONDAY_MORNING.replace(hour=15)) == 0
    assert len(mail.outbox) == 1


def test_a_late_acceptance_joins_the_days_batch_and_only_it_is_sent(
    invited, django_capture_on_commit_callbacks
):
    first, second, _ = invited.values()
    _answer(first, Recipient.Answer.ACCEPT)
    _queue(django_capture_on_commit_callbacks)
    _answer(second, Recipient.Answer.ACCEPT)
    assert _queue(django_capture_on_commit_callbacks, now=MONDAY_MORNING.replace(hour=16)) == 1
    assert len(mail.outbox) == 2 and mail.outbox[1].to == [f"{second.name} <{second.email}>"]
    batch = Batch.objects.get(kind=Batch.Kind.SESSION)
    assert batch.recipients.count() == 2 and batch.status == Batch.Status.DONE


def test_a_proposed_time_the_team_took_is_reminded_at_that_time(invited, django_capture_on_commit_callbacks):
    proposer = next(iter(invited.values()))
    _answer(proposer, Recipient.Answer.PROPOSE, proposed_at=SESSION.replace(hour=14))
    assert _queue(django_capture_on_commit_callbacks) == 1
    assert "Selasa, 3 Maret 2020, 14.00 WITA" in mail.outbox[0].body


def test_cancelled_and_later_sessions_and_no_template_remind_nobody(
    invited, django_capture_on_commit_callbacks
):
    cancelled, later, _ = invited.values()
    _answer(cancelled, Recipient.Answer.ACCEPT)
    cancelled.refresh_from_db()
    session_record(session=cancelled.session, status=GuidedSession.Status.CANCELLED)
    _answer(later, Recipient.Answer.PROPOSE, proposed_at=SESSION + datetime.timedelta(days=1))
    assert _queue(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []

    # The day after: the later session is due, but without a marked template nothing goes.
    from campaign.invitations.models import EmailTemplate

    EmailTemplate.objects.update(for_session_reminders=False)
    assert _queue(django_capture_on_commit_callbacks, now=MONDAY_MORNING + datetime.timedelta(days=1)) == 0
    assert not Batch.objects.filter(kind=Batch.Kind.SESSION).exists()
