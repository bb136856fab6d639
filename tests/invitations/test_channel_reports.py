"""Per-channel attribution and reports: the batch report's table by channel (sent,
delivered, opened/read, answered by the channel whose link brought the answer), the draft
preview of a WhatsApp batch, and click-to-chat taps from the batch's recipient list."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from campaign.invitations import services, tokens
from campaign.invitations.models import Batch, ChannelSuppression, ChatTap, RsvpAnswer
from campaign.invitations.selectors import channel_funnel
from tests.factories import BatchFactory, UserFactory

from .conftest import make_contacts, start

pytestmark = pytest.mark.django_db

OPTED_IN = {
    "whatsapp_opt_in_at": datetime.datetime(2020, 2, 10, 9, 0, tzinfo=datetime.UTC),
    "whatsapp_opt_in_source": "Daftar hadir",
}


@pytest.fixture
def staff(client):
    user = UserFactory(username="kasi", is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def rows(recipients):
    return {
        row.channel: (row.sent, row.delivered, row.opened, row.answered, row.taps)
        for row in channel_funnel(recipients=recipients)
    }


def test_an_email_recipient_answering_through_a_click_to_chat_link_counts_for_whatsapp(
    client, staff, django_capture_on_commit_callbacks
):
    contacts = make_contacts(3)
    batch = start(BatchFactory(), django_capture_on_commit_callbacks)
    first, second, _third = batch.recipients.order_by("pk")
    # The first answers from the email's link, the second from a click-to-chat link.
    page = client.get(reverse("invitations_batch_click_to_chat", args=[batch.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        contacts[1].phone in html and reverse("invitations_recipient_click_to_chat", args=[second.pk]) in html
    )
    tap = client.post(reverse("invitations_recipient_click_to_chat", args=[second.pk]))
    assert tap.status_code == 303
    url = urlsplit(tap["Location"])
    assert (url.scheme, url.netloc, url.path) == ("https", "wa.me", "/" + contacts[1].phone.lstrip("+"))
    text = parse_qs(url.query)["text"][0]
    link = text.rsplit(" ", 1)[-1]
    assert contacts[1].name in text and tokens.read_with_channel("rsvp", link.rsplit("/", 2)[-2]) == (
        second.pk,
        "whatsapp",
    )
    assert list(ChatTap.objects.values_list("recipient", "user")) == [(second.pk, staff.pk)]

    client.post(tokens.rsvp_url(first.pk), {"answer": "accept", "note": ""})
    client.post(link, {"answer": "decline", "note": ""})
    assert dict(RsvpAnswer.objects.values_list("recipient", "channel")) == {
        first.pk: "email",
        second.pk: "whatsapp",
    }
    assert rows(batch.recipients.all()) == {"email": (3, 0, 0, 1, 0), "whatsapp": (1, 0, 0, 1, 1)}

    report = client.get(reverse("invitations_batch_report", args=[batch.pk])).content.decode()
    assert 'class="listing channel-funnel"' in report and 'data-channel="whatsapp"' in report

    # The tap list shows it; an unsubscribe from WhatsApp stops further taps.
    assert (
        "1 kali" in client.get(reverse("invitations_batch_click_to_chat", args=[batch.pk])).content.decode()
    )
    ChannelSuppression.objects.create(channel="whatsapp", phone=contacts[1].phone, reason="unsubscribed")
    refused = client.post(reverse("invitations_recipient_click_to_chat", args=[second.pk]))
    assert refused.status_code == 302 and ChatTap.objects.count() == 1


def test_the_tap_is_a_post(client, staff, django_capture_on_commit_callbacks):
    make_contacts(1)
    batch = start(BatchFactory(), django_capture_on_commit_callbacks)
    recipient = batch.recipients.get()
    assert client.get(reverse("invitations_recipient_click_to_chat", args=[recipient.pk])).status_code == 405
    assert not ChatTap.objects.exists()


def test_whatsapp_batch_report_counts_read_and_answers(client, staff, django_capture_on_commit_callbacks):
    make_contacts(2, **OPTED_IN)
    make_contacts(1)
    draft = BatchFactory(template=None, channel=Batch.Channel.WHATSAPP, whatsapp_template="undangan")
    preview = client.get(reverse("invitations_batch_report", args=[draft.pk])).content.decode()
    assert "2 nomor akan menerima" in " ".join(preview.split())
    assert "Tanpa persetujuan WhatsApp" in preview
    batch = start(draft, django_capture_on_commit_callbacks)
    first = batch.recipients.filter(status="sent").order_by("pk").first()
    services.rsvp_record(recipient=first, answer="accept", channel="whatsapp")
    from campaign.invitations.services.whatsapp_tracking import whatsapp_status_apply

    whatsapp_status_apply(
        status={"id": first.message_id, "status": "read", "timestamp": "1582258800", "recipient_id": "x"}
    )
    assert rows(batch.recipients.all()) == {"whatsapp": (2, 1, 1, 1, 0)}
    report = client.get(reverse("invitations_batch_report", args=[batch.pk]))
    assert report.status_code == 200 and "undangan" in report.content.decode()


def test_every_batch_by_channel_for_one_campaign_or_all(client, staff, django_capture_on_commit_callbacks):
    from tests.factories import AudienceFactory, CampaignFactory

    make_contacts(2, **OPTED_IN)
    sp2020, se2026 = (
        CampaignFactory(),
        CampaignFactory(name="Sensus Ekonomi 2026", short_name="SE2026", is_active=False),
    )
    start(BatchFactory(audience=AudienceFactory(campaign=sp2020)), django_capture_on_commit_callbacks)
    start(
        BatchFactory(
            template=None,
            channel=Batch.Channel.WHATSAPP,
            whatsapp_template="undangan",
            audience=AudienceFactory(campaign=se2026),
        ),
        django_capture_on_commit_callbacks,
    )
    url = reverse("invitations_channels_report")

    def shown(query=""):
        html = client.get(url + query).content.decode()
        return {channel: html.count(f'data-channel="{channel}"') for channel in ("email", "whatsapp")}

    assert shown() == {"email": 1, "whatsapp": 1}
    assert shown(f"?campaign={sp2020.pk}") == {"email": 1, "whatsapp": 0}
    assert shown(f"?campaign={se2026.pk}") == {"email": 0, "whatsapp": 1}
    assert "2 gelombang" in client.get(url).content.decode()


def test_a_tap_on_a_row_the_api_reached_is_not_counted_twice(django_capture_on_commit_callbacks, staff):
    make_contacts(1, **OPTED_IN)
    batch = start(
        BatchFactory(template=None, channel=Batch.Channel.WHATSAPP, whatsapp_template="undangan"),
        django_capture_on_commit_callbacks,
    )
    ChatTap.objects.create(recipient=batch.recipients.get(), user=staff)
    assert rows(batch.recipients.all()) == {"whatsapp": (1, 0, 0, 0, 1)}
