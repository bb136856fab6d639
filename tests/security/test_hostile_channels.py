"""Hostile text in the WhatsApp and SMS channels (issue 17): the batch's WhatsApp template
name and SMS text are shown as text in the batch report, the SMS goes out literally, a
language code or parameter list that is not one is refused, and a contact's WhatsApp
opt-in source is shown as text on the click-to-chat page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from campaign.institutions.services import contact_save
from campaign.invitations import services
from campaign.invitations.models import Batch, OutboxMessage
from tests.factories import BatchFactory

from .hostile import PAYLOAD, assert_html_safe, assert_text_literal

pytestmark = pytest.mark.django_db

COVERS = {
    ("institutions.Contact", "whatsapp_opt_in_source"): {"admin"},
    ("invitations.Batch", "sms_text"): {"admin"},
    ("invitations.Batch", "whatsapp_template"): {"admin"},
    ("invitations.Batch", "whatsapp_language"): {"refused"},
    ("invitations.EmailTemplate", "whatsapp_language"): {"refused"},
    ("invitations.Batch", "whatsapp_parameters"): {"admin", "refused"},
    # Typed by staff in the admin form (a phone suppression added by hand); its CSV export
    # is test_csv_exports' (the world's row carries the payload there).
    ("invitations.ChannelSuppression", "source"): {"admin", "export"},
}


def _audience(world):
    audience = world.objects["audience"]
    audience.office = None
    audience.save()
    return audience


def test_sms_text_is_text_in_the_report_and_literal_in_the_message(
    world, client, django_capture_on_commit_callbacks
):
    batch = BatchFactory(
        template=None,
        channel=Batch.Channel.SMS,
        sms_text=f"{PAYLOAD} {{{{ rsvp_link }}}}",
        audience=_audience(world),
    )
    batch.full_clean()
    client.force_login(world.users["editor"])
    assert_html_safe(client.get(reverse("invitations_batch_report", args=[batch.pk])).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_start(batch=batch)
    texts = list(OutboxMessage.objects.filter(subject__startswith="SMS").values_list("text", flat=True))
    assert texts
    for text in texts:
        assert_text_literal(text, PAYLOAD)


def test_whatsapp_template_name_and_opt_in_source_are_text(world, client, django_capture_on_commit_callbacks):
    contact = world.objects["contact"]
    contact_save(contact=contact, whatsapp_opt_in_at=timezone.now(), whatsapp_opt_in_source=PAYLOAD)
    batch = BatchFactory(
        template=None,
        channel=Batch.Channel.WHATSAPP,
        whatsapp_template=PAYLOAD,
        audience=_audience(world),
    )
    client.force_login(world.users["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_start(batch=batch)
    report = client.get(reverse("invitations_batch_report", args=[batch.pk])).content.decode()
    assert_html_safe(report)
    chats = client.get(reverse("invitations_batch_click_to_chat", args=[batch.pk]))
    assert chats.status_code == 200
    assert_html_safe(chats.content.decode())


def test_a_phone_suppressions_source_is_text_in_the_admin(world, client):
    from campaign.invitations.models import ChannelSuppression

    row = ChannelSuppression.objects.create(channel="whatsapp", phone="+6281234560002", source=PAYLOAD)
    client.force_login(world.users["editor"])
    listing = client.get(reverse("wagtailsnippets_invitations_channelsuppression:list"))
    assert listing.status_code == 200
    assert_html_safe(listing.content.decode())
    form = client.get(reverse("wagtailsnippets_invitations_channelsuppression:edit", args=[row.pk]))
    assert form.status_code == 200
    assert_html_safe(form.content.decode())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("whatsapp_language", PAYLOAD[:10]),
        ("whatsapp_language", "id, " + PAYLOAD[:36]),
        ("whatsapp_parameters", PAYLOAD),
        ("sms_text", "Halo {{ nama_tidak_ada }}"),
    ],
)
def test_values_that_are_not_ones_are_refused(field, value):
    fields = {"name": "x", "channel": "sms" if field == "sms_text" else "whatsapp", "whatsapp_template": "t"}
    with pytest.raises(ValidationError) as error:
        Batch(**fields, **{field: value}).full_clean()
    assert field in error.value.message_dict


def test_a_reminder_templates_whatsapp_languages_refuse_what_is_not_a_language_code():
    from tests.factories import EmailTemplateFactory

    template = EmailTemplateFactory.build(whatsapp_template="pengingat_sesi", whatsapp_language=PAYLOAD[:40])
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "whatsapp_language" in error.value.message_dict
