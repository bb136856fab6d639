"""Data migrations of the invitations app, run on rows as they were before them."""

import importlib

import pytest
from django.apps import apps

from campaign.invitations.models import Recipient
from tests.factories import RecipientFactory

pytestmark = pytest.mark.django_db


def test_uncertain_rows_of_the_old_convention_get_their_own_status():
    """Before issue 18 an uncertain recipient was "being sent" with an empty claim."""
    migration = importlib.import_module("campaign.invitations.migrations.0002_recipient_status_uncertain")
    old_uncertain = RecipientFactory(status=Recipient.Status.SENDING, claim="")
    being_sent = RecipientFactory(status=Recipient.Status.SENDING, claim="a" * 32)
    pending = RecipientFactory(status=Recipient.Status.PENDING, claim="")

    migration.uncertain_rows_get_their_status(apps, None)

    statuses = dict(Recipient.objects.values_list("pk", "status"))
    assert statuses == {
        old_uncertain.pk: Recipient.Status.UNCERTAIN,
        being_sent.pk: Recipient.Status.SENDING,
        pending.pk: Recipient.Status.PENDING,
    }
    migration.uncertain_rows_back_to_sending(apps, None)
    assert Recipient.objects.get(pk=old_uncertain.pk).status == Recipient.Status.SENDING
