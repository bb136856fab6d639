"""Hostile text in the session reminder's WhatsApp and SMS fields (issue 17): the reminder
template's WhatsApp template name and SMS text are text on its admin form and in the
reminder batch's report, the SMS goes out literally, and a parameter list that is not one
is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from campaign.institutions.models import GuidedSession
from campaign.invitations import services
from campaign.invitations.models import Batch, EmailTemplate, OutboxMessage, Recipient
from tests.factories import EmailTemplateFactory, RecipientFactory

from .hostile import PAYLOAD, assert_html_safe, assert_text_literal

pytestmark = pytest.mark.django_db

COVERS = {
    ("invitations.EmailTemplate", "whatsapp_template"): {"admin"},
    ("invitations.EmailTemplate", "sms_text"): {"admin"},
    ("invitations.EmailTemplate", "whatsapp_parameters"): {"admin", "refused"},
}


@pytest.fixture
def reminder():
    template = EmailTemplateFactory(
        name="Pengingat",
        for_session_reminders=True,
        whatsapp_template=PAYLOAD,
        sms_text=f"{PAYLOAD} {{{{ rsvp_link }}}}",
    )
    template.full_clean()
    return template


def test_the_reminder_fields_are_text_on_the_admin_form(world, client, reminder):
    client.force_login(world.users["editor"])
    page = client.get(f"/admin/snippets/invitations/emailtemplate/edit/{reminder.pk}/")
    assert page.status_code == 200
    assert_html_safe(page.content.decode())


def test_the_reminder_sms_is_literal_and_the_whatsapp_batch_report_is_text(
    world, client, reminder, django_capture_on_commit_callbacks
):
    now = timezone.localtime().replace(hour=9)
    tomorrow = now + datetime.timedelta(days=1)
    contact = world.objects["contact"]
    contact.preferred_channel = "sms"
    contact.save()
    session = GuidedSession.objects.create(
        institution=world.objects["institution"],
        team=world.objects["team"],
        starts_at=tomorrow,
        status=GuidedSession.Status.PLANNED,
    )
    RecipientFactory(
        contact=contact, answer=Recipient.Answer.ACCEPT, session=session, team=world.objects["team"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.session_reminders_queue(now=now) == 1
    (sms,) = OutboxMessage.objects.filter(subject__startswith="SMS")
    assert_text_literal(sms.text, PAYLOAD)

    whatsapp = Batch.objects.create(
        name="Pengingat WhatsApp",
        kind=Batch.Kind.SESSION,
        channel=Batch.Channel.WHATSAPP,
        whatsapp_template=reminder.whatsapp_template,
    )
    client.force_login(world.users["editor"])
    assert_html_safe(client.get(reverse("invitations_batch_report", args=[whatsapp.pk])).content.decode())


def test_a_parameter_list_that_is_not_one_is_refused():
    with pytest.raises(ValidationError) as error:
        EmailTemplate(name="x", subject_id="x", body_id="<p>x</p>", whatsapp_parameters=PAYLOAD).full_clean()
    assert "whatsapp_parameters" in error.value.message_dict
