import datetime

import pytest
from django.core import mail

from campaign.institutions.services import team_save
from tests.factories import (
    CampaignFactory,
    ContactFactory,
    EmailTemplateFactory,
    InstitutionFactory,
    RegionFactory,
)

from .phone_fakes import cloud_api, twilio_api  # noqa: F401 - fixtures of the WhatsApp and SMS tests

WITA = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def anymail_test_backend(settings):
    """Django's test runner swaps every mailer for locmem; these tests need anymail's
    test backend (message IDs, ``anymail_test_response``, ``anymail_status``)."""
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    mail.outbox = []
    yield
    mail.outbox = []


@pytest.fixture
def kupang(db):
    return RegionFactory(code="5371", name="Kota Kupang", parent=RegionFactory(code="53", name="NTT"))


@pytest.fixture
def team(kupang):
    return team_save(campaign=CampaignFactory(), name="Tim 1", area=kupang)


@pytest.fixture
def template(db):
    return EmailTemplateFactory()


def make_contacts(count, **kwargs):
    """``count`` institutions with one contact each."""
    return [ContactFactory(institution=InstitutionFactory(), **kwargs) for _ in range(count)]


def start(batch, capture):
    """Start a batch from its audience (recipients copied from the registry) and send it;
    ``capture`` is pytest-django's django_capture_on_commit_callbacks."""
    from campaign.invitations import services

    with capture(execute=True):
        services.batch_start(batch=batch)
    batch.refresh_from_db()
    return batch
