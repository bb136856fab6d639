"""A batch set "N days before the online phase closes": scheduled from the active
campaign's effective end at its start, and moved when the campaign is extended."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from campaign.core.models import CampaignExtension
from campaign.core.services import campaign_save
from campaign.invitations import services
from campaign.invitations.models import Batch, Recipient
from tests.factories import BatchFactory, CampaignFactory

from .conftest import WITA, make_contacts

pytestmark = pytest.mark.django_db

BEFORE = datetime.datetime(2020, 3, 1, 12, 0, tzinfo=WITA)


def _start(batch, capture, now=BEFORE):
    with capture(execute=True):
        services.batch_start(batch=batch, now=now)
    batch.refresh_from_db()
    return batch


def test_seven_days_before_the_end_is_nine_in_the_morning_a_week_before_the_last_day(
    django_capture_on_commit_callbacks,
):
    CampaignFactory(online_end=datetime.date(2020, 3, 31))
    make_contacts(2)
    batch = _start(BatchFactory(days_before_end=7), django_capture_on_commit_callbacks)
    assert batch.status == Batch.Status.SCHEDULED
    assert batch.scheduled_at == datetime.datetime(2020, 3, 24, 9, 0, tzinfo=WITA)
    assert batch.recipients.count() == 2 and mail.outbox == []


def test_an_extension_moves_it_and_the_old_time_sends_nothing(django_capture_on_commit_callbacks, settings):
    campaign = CampaignFactory(online_end=datetime.date(2020, 3, 31))
    make_contacts(2)
    batch = _start(BatchFactory(days_before_end=7), django_capture_on_commit_callbacks)
    fixed = _start(
        BatchFactory(scheduled_at=datetime.datetime(2020, 3, 24, 9, 0, tzinfo=WITA)),
        django_capture_on_commit_callbacks,
    )

    with django_capture_on_commit_callbacks(execute=True):
        campaign_save(campaign=campaign, extensions=[(datetime.date(2020, 5, 29), "COVID-19")])
    batch.refresh_from_db()
    fixed.refresh_from_db()
    assert batch.scheduled_at == datetime.datetime(2020, 5, 22, 9, 0, tzinfo=WITA)
    assert fixed.scheduled_at == datetime.datetime(2020, 3, 24, 9, 0, tzinfo=WITA)  # a date stays
    assert (
        ModelLogEntry.objects.filter(action="jemputbola.batch_rescheduled", object_id=str(batch.pk)).count()
        == 1
    )

    # The run due at the old time sends the fixed batch and leaves the moved one waiting.
    assert services.batches_start_due(now=datetime.datetime(2020, 3, 24, 9, 1, tzinfo=WITA)) == [fixed.pk]
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.SCHEDULED
    assert not Recipient.objects.filter(batch=batch).exclude(status=Recipient.Status.PENDING).exists()

    # Withdrawing the extension moves it back.
    with django_capture_on_commit_callbacks(execute=True):
        CampaignExtension.objects.filter(campaign=campaign).delete()
    batch.refresh_from_db()
    assert batch.scheduled_at == datetime.datetime(2020, 3, 24, 9, 0, tzinfo=WITA)


def test_a_date_and_a_number_of_days_together_are_refused():
    CampaignFactory()
    batch = BatchFactory.build(
        days_before_end=7,
        scheduled_at=datetime.datetime(2020, 3, 20, 9, 0, tzinfo=WITA),
    )
    batch.template.save()
    batch.audience.save()
    with pytest.raises(ValidationError) as error:
        services.batch_save(batch=batch)
    assert "days_before_end" in error.value.message_dict


def test_a_time_already_passed_is_refused_with_its_date(django_capture_on_commit_callbacks):
    CampaignFactory(online_end=datetime.date(2020, 3, 31))
    make_contacts(1)
    batch = BatchFactory(days_before_end=7)
    with pytest.raises(ValidationError) as error:
        _start(
            batch, django_capture_on_commit_callbacks, now=datetime.datetime(2020, 3, 25, 8, 0, tzinfo=WITA)
        )
    assert "24 Maret 2020" in error.value.messages[0] and "sudah lewat" in error.value.messages[0]
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT and not batch.recipients.exists()
