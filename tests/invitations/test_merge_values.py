"""Issue 14, item 2: an empty merge value is never written into a sentence. Optional
blocks [[ … ]] drop out when a field inside is empty; a field outside every block is
required, and a batch whose recipients lack one cannot be started."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaign.core.services import campaign_save
from campaign.invitations import merge, services
from campaign.invitations.models import Batch, EmailTemplate, Recipient
from tests.factories import BatchFactory, CampaignFactory, EmailTemplateFactory

from .conftest import WITA, make_contacts, start

pytestmark = pytest.mark.django_db

HOLEY = (
    "<p>Yth. {{ contact_name }},</p>"
    "<p>Tim pendamping kami, {{ team }}, ingin datang.</p>"
    "<p>Usulan waktu kami: {{ session_date }}. Mohon jawab.</p>"
)
GUARDED = (
    "<p>Yth. {{ contact_name }},</p>"
    "<p>[[Tim pendamping kami, <b>{{ team }}</b>, ingin datang.]]</p>"
    "<p>[[Usulan waktu kami: {{ session_date }}. ]]Mohon jawab sebelum {{ campaign_end }}.</p>"
)


def compiled(body, subject="Undangan"):
    return merge.Compiled(subject=subject, html=body, text=merge.html_to_text(body))


def test_optional_block_is_written_only_when_all_its_fields_have_values():
    template = compiled(GUARDED)
    full = template.render(
        {"contact_name": "Maria", "team": "Tim 1", "session_date": "Senin", "campaign_end": "29 Mei 2020"}
    )
    assert "Tim pendamping kami, <b>Tim 1</b>, ingin datang." in full.html
    assert "Usulan waktu kami: Senin. Mohon jawab sebelum 29 Mei 2020." in full.text
    assert "[[" not in full.html + full.text and "]]" not in full.html + full.text

    bare = template.render({"contact_name": "Maria", "team": "", "campaign_end": "29 Mei 2020"})
    assert "Tim pendamping" not in bare.html and "Usulan waktu" not in bare.text
    assert "<p></p>" not in bare.html  # the paragraph that held only the block goes too
    assert "Mohon jawab sebelum 29 Mei 2020." in bare.text
    assert ", ," not in bare.text and ": ." not in bare.text
    assert "\n\n\n" not in bare.text


def test_a_required_field_without_value_refuses_the_rendering():
    template = compiled(HOLEY)
    assert template.required >= {"team", "session_date", "contact_name"}
    with pytest.raises(merge.MissingValues) as error:
        template.render({"contact_name": "Maria", "team": "  ", "session_date": ""})
    assert error.value.fields == ["session_date", "team"]
    # A preview renders anyway and says what is missing.
    preview = template.render({"contact_name": "Maria"}, strict=False)
    assert preview.missing == ("session_date", "team")


@pytest.mark.parametrize(
    "body",
    [
        "<p>[[Tim {{ team }}</p><p>datang]]</p>",  # spans two paragraphs
        "<p>[[Tim [[{{ team }}]] datang]]</p>",  # nested
        "<p>Tim {{ team }}]] datang</p>",  # unopened
        "<p>[[Tim {{ team }} datang</p>",  # unclosed
    ],
)
def test_the_editor_cannot_save_a_broken_block(body):
    template = EmailTemplate(name="Rusak", subject_id="Undangan", body_id=body)
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "body_id" in error.value.error_dict


def test_campaign_end_follows_the_latest_extension(django_capture_on_commit_callbacks):
    campaign_save(campaign=CampaignFactory(), extensions=[(datetime.date(2020, 5, 29), "COVID-19")])
    make_contacts(1)
    template = EmailTemplateFactory(body_id="<p>Isi sebelum {{ campaign_end }}.</p>")
    start(BatchFactory(template=template), django_capture_on_commit_callbacks)
    assert "Isi sebelum 29 Mei 2020." in mail.outbox[0].body
    assert "31 Maret" not in mail.outbox[0].body


def test_a_batch_whose_recipients_lack_a_required_value_cannot_start(django_capture_on_commit_callbacks):
    CampaignFactory()
    contacts = make_contacts(2)
    template = EmailTemplateFactory(body_id=HOLEY)
    batch = BatchFactory(template=template, team=None, proposed_at=None)

    missing = services.batch_missing_values(batch=batch)
    assert [(m.email, m.fields) for m in missing] == [
        (c.email, ("session_date", "team")) for c in sorted(contacts, key=lambda c: c.institution.name)
    ]
    with pytest.raises(ValidationError) as error, django_capture_on_commit_callbacks(execute=True):
        services.batch_start(batch=batch)
    assert "{{ session_date }}, {{ team }}" in error.value.messages[0]
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT and not batch.recipients.exists() and mail.outbox == []

    # Staff fix the data: the batch gets a team and a time, and goes.
    from campaign.institutions.services import team_save

    batch.team = team_save(
        campaign=CampaignFactory(is_active=False), name="Tim 2", area=contacts[0].institution.region
    )
    batch.proposed_at = datetime.datetime(2020, 3, 2, 10, 0, tzinfo=WITA)
    batch.save()
    assert services.batch_missing_values(batch=batch) == []
    start(batch, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    body = mail.outbox[0].body
    assert "Tim pendamping kami, Tim 2, ingin datang." in body
    assert "Usulan waktu kami: Senin, 2 Maret 2020, 10.00 WITA. Mohon jawab." in body


def test_the_guarded_template_sends_without_holes(django_capture_on_commit_callbacks):
    CampaignFactory()
    make_contacts(1)
    template = EmailTemplateFactory(body_id=GUARDED)
    start(BatchFactory(template=template, team=None, proposed_at=None), django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    html = message.alternatives[0][0] if hasattr(message.alternatives[0], "__getitem__") else ""
    for part in (message.body, html):
        assert "Tim pendamping" not in part and "Usulan waktu" not in part
        assert ", ," not in part and ": ." not in part and "[[" not in part
    assert "Mohon jawab sebelum 31 Maret 2020." in message.body


def test_a_value_emptied_after_the_start_is_never_sent_with_a_hole(django_capture_on_commit_callbacks):
    CampaignFactory()
    contacts = make_contacts(2)
    template = EmailTemplateFactory(body_id="<p>Yth. {{ contact_position }},</p>")
    batch = BatchFactory(template=template, scheduled_at=datetime.datetime(2099, 1, 1, tzinfo=WITA))
    start(batch, django_capture_on_commit_callbacks)
    Recipient.objects.filter(contact=contacts[0]).update(contact=None)  # position now unknown
    batch.scheduled_at = None
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.SENDING)
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_send_chunk(batch_id=batch.pk)
    failed = Recipient.objects.get(email=contacts[0].email)
    assert failed.status == Recipient.Status.FAILED and "contact_position" in failed.error
    assert [m.to[0] for m in mail.outbox] == [f"{contacts[1].name} <{contacts[1].email}>"]


def test_the_batch_report_names_the_recipients_and_hides_the_start_button(client):
    CampaignFactory()
    contacts = make_contacts(1)
    client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.org", "x"))
    batch = BatchFactory(template=EmailTemplateFactory(body_id=HOLEY), team=None, proposed_at=None)
    html = client.get(reverse("invitations_batch_report", args=[batch.pk])).content.decode()
    assert contacts[0].email in html and contacts[0].institution.name in html
    assert "{{ team }}" in html and "{{ session_date }}" in html
    assert reverse("invitations_batch_action", args=[batch.pk, "start"]) not in html
    # Posting around the page changes nothing either.
    response = client.post(reverse("invitations_batch_action", args=[batch.pk, "start"]), follow=True)
    assert "{{ team }}" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT


def test_the_template_preview_says_what_a_recipient_lacks(client, django_capture_on_commit_callbacks):
    CampaignFactory()
    contacts = make_contacts(1)
    template = EmailTemplateFactory(body_id="<p>Yth. {{ contact_position }}</p>")
    batch = start(BatchFactory(template=EmailTemplateFactory()), django_capture_on_commit_callbacks)
    recipient = batch.recipients.get()
    contacts[0].position = ""
    contacts[0].save()
    client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.org", "x"))
    url = reverse("invitations_template_preview", args=[template.pk])
    html = client.get(f"{url}?recipient={recipient.pk}").content.decode()
    assert "{{ contact_position }}" in html and recipient.name in html


def test_a_follow_up_batch_carries_each_institutions_own_progress_link(
    client, settings, django_capture_on_commit_callbacks
):
    """{{ progress_link }}: the signed link where the institution reports its staff's
    progress; each recipient's leads to their own institution's page."""
    import re

    settings.BASE_URL = "http://testserver"
    CampaignFactory()
    contacts = make_contacts(2)
    template = EmailTemplateFactory(body_id="<p>Laporkan progres pegawai: {{ progress_link }}</p>")
    start(BatchFactory(template=template), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        link = re.search(r"http://testserver(/lapor-progres/[^/\s]+/)", message.body).group(1)
        contact = next(c for c in contacts if any(c.email in to for to in message.to))
        page = client.get(link)
        assert page.status_code == 200
        assert contact.institution.name in page.content.decode()
