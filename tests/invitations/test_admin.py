"""Admin pages: listings, batch report and actions, preview and test send, demo data."""

import datetime
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape

from campaign.institutions.models import Contact
from campaign.invitations import demo, services
from campaign.invitations.models import Batch, OutboxMessage, Recipient, Suppression, TrackingEvent
from tests.factories import BatchFactory, CampaignFactory, RecipientFactory, UserFactory

from .conftest import make_contacts

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    user = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model",
    ["batch", "emailtemplate", "audience", "recipient", "suppression", "trackingevent", "outboxmessage"],
)
def test_snippet_listings_show_their_rows(admin_client, model):
    recipient = RecipientFactory(email="agnes@dinas.example.org")
    batch = recipient.batch
    Suppression.objects.create(email="berhenti@example.org", reason=Suppression.Reason.UNSUBSCRIBED)
    TrackingEvent.objects.create(
        dedupe_key="listing-1", provider="postmark", event_type="delivered", email="dibaca@example.org"
    )
    OutboxMessage.objects.create(
        message_id="<listing-1@example.org>",
        from_email="sensus@example.org",
        to="kotak@example.org",
        subject="Undangan di kotak keluar",
        text="isi",
    )
    shown = {
        "batch": batch.name,
        "emailtemplate": batch.template.name,
        "audience": batch.audience.name,
        "recipient": "agnes@dinas.example.org",
        "suppression": "berhenti@example.org",
        "trackingevent": "dibaca@example.org",
        "outboxmessage": "Undangan di kotak keluar",
    }
    response = admin_client.get(f"/admin/snippets/invitations/{model}/")
    assert response.status_code == 200
    assert shown[model] in response.content.decode()


def test_batch_report_shows_the_funnel_and_sends_on_start(admin_client, django_capture_on_commit_callbacks):
    make_contacts(3)
    batch = BatchFactory()
    report = admin_client.get(reverse("invitations_batch_report", args=[batch.pk]))
    assert report.status_code == 200 and b"funnel" in report.content
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("invitations_batch_action", args=[batch.pk, "start"]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE and len(mail.outbox) == 3
    assert admin_client.get(reverse("invitations_batch_report", args=[batch.pk])).status_code == 200
    export = admin_client.get(f"/admin/snippets/invitations/recipient/?batch={batch.pk}&export=csv")
    body = b"".join(export.streaming_content)
    assert export.status_code == 200 and body.count(b"\n") == 4


def test_interrupted_messages_are_shown_and_sent_again_on_request(
    admin_client, django_capture_on_commit_callbacks
):
    make_contacts(2)
    batch = BatchFactory()
    with django_capture_on_commit_callbacks(execute=False):
        admin_client.post(reverse("invitations_batch_action", args=[batch.pk, "start"]))
    # What batches_recover_interrupted leaves after a worker died handing one row over.
    first = batch.recipients.order_by("pk").first()
    Recipient.objects.filter(pk=first.pk).update(status=Recipient.Status.UNCERTAIN, claim="")
    report = admin_client.get(reverse("invitations_batch_report", args=[batch.pk]))
    assert b"send_again" in report.content
    assert "Belum pasti: 1" in " ".join(report.content.decode().split())

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("invitations_batch_action", args=[batch.pk, "send_again"]))

    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE and len(mail.outbox) == 2
    assert set(batch.recipients.values_list("status", flat=True)) == {Recipient.Status.SENT}
    report = admin_client.get(reverse("invitations_batch_report", args=[batch.pk]))
    assert b"send_again" not in report.content
    assert "Belum pasti: 0" in " ".join(report.content.decode().split())


def test_actions_need_the_send_permission(client):
    batch = BatchFactory()
    client.force_login(UserFactory(username="viewer"))
    response = client.post(reverse("invitations_batch_action", args=[batch.pk, "start"]))
    assert response.status_code in (302, 403)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT


def test_template_preview_and_test_send(admin_client):
    (contact,) = make_contacts(1)
    recipient = RecipientFactory(contact=contact)
    batch_template = recipient.batch.template
    url = reverse("invitations_template_preview", args=[batch_template.pk]) + f"?recipient={recipient.pk}"
    page = admin_client.get(url)
    assert page.status_code == 200 and contact.name.encode() in page.content
    html = admin_client.get(
        reverse("invitations_template_preview_html", args=[batch_template.pk]) + f"?recipient={recipient.pk}"
    )
    assert html.status_code == 200 and b"<table" in html.content
    assert "style-src 'unsafe-inline'" in html["Content-Security-Policy"]
    admin_client.post(url)
    (message,) = mail.outbox
    assert message.to == ["admin@example.org"] and message.subject.startswith("[TEST]")


def test_audience_report_and_institution_history(admin_client):
    contact, opted_out, _other = make_contacts(3)
    Contact.objects.filter(pk=opted_out.pk).update(opted_out_at=timezone.now())
    recipient = RecipientFactory(contact=contact)
    report = admin_client.get(reverse("invitations_audience_report", args=[recipient.batch.audience_id]))
    text = " ".join(report.content.decode().split())
    assert "2 alamat akan menerima gelombang bila dikirim sekarang. (3 kontak cocok dengan filter.)" in text
    assert "<tr><td>Menolak dihubungi</td><td>1</td></tr>" in text
    page = admin_client.get(reverse("invitations_institution_history", args=[contact.institution_id]))
    assert page.status_code == 200 and recipient.batch.name.encode() in page.content


def test_demo_data_has_every_status_and_is_idempotent(team):
    from campaign.institutions.models import Assignment

    contacts = make_contacts(30)
    for contact in contacts[:9]:
        Assignment.objects.create(institution=contact.institution, team=team, week=datetime.date(2020, 2, 24))
    out = io.StringIO()
    demo.load(stdout=out, with_users=False)
    demo.load(stdout=out, with_users=False)
    statuses = set(Recipient.objects.values_list("status", flat=True))
    assert statuses == set(Recipient.Status.values)
    assert Recipient.Status.UNCERTAIN in statuses
    # Only the uncertain rows wait for staff; the rows being sent belong to a live claim.
    assert not Recipient.objects.filter(status=Recipient.Status.SENDING, claim="").exists()
    assert not Recipient.objects.filter(status=Recipient.Status.UNCERTAIN).exclude(claim="").exists()
    assert Batch.objects.count() == 6
    # WhatsApp and SMS through the outbox backends: two in three have a WhatsApp opt-in.
    whatsapp = Batch.objects.get(channel="whatsapp")
    assert whatsapp.status == Batch.Status.DONE
    assert sorted(whatsapp.recipients.values_list("status", flat=True)) == ["sent"] * 6 + ["skipped"] * 3
    sms = Batch.objects.get(channel="sms")
    assert list(sms.recipients.values_list("status", flat=True)) == ["sent"] * 9
    channels = [m.headers.get("X-Channel") for m in OutboxMessage.objects.all()]
    assert channels.count("whatsapp") == 6 and channels.count("sms") == 9
    # The letter batch: numbered once however often the demo loads (issue 17).
    letters = Batch.objects.get(channel="letter")
    assert letters.status == Batch.Status.DONE and letters.letter_template.signatory_nip
    assert letters.letters.count() == letters.recipients.count() > 0
    follow_up = Batch.objects.get(days_before_end=7)
    assert follow_up.status == Batch.Status.DRAFT and "{{ progress_link }}" in follow_up.template.body_id
    assert set(Recipient.objects.exclude(answer="").values_list("answer", flat=True)) == {
        "accept",
        "propose",
        "decline",
    }
    assert OutboxMessage.objects.exists()


def test_outbox_backend_keeps_messages(settings):
    from django.core.mail import EmailMultiAlternatives

    settings.MAILERS = {"default": {"BACKEND": "campaign.invitations.outbox.OutboxBackend"}}
    message = EmailMultiAlternatives(
        "Halo", "teks", "a@example.org", ["b@example.org"], headers={"X-Test": "1"}
    )
    message.attach_alternative("<p>halo</p>", "text/html")
    message.send()
    stored = OutboxMessage.objects.get()
    assert stored.html == "<p>halo</p>" and stored.message_id == message.anymail_status.message_id


def test_the_institution_history_shows_every_answer_with_its_note(
    admin_client, django_assert_max_num_queries
):
    """A decline creates no session: its note ("we already filled it in online") must
    still reach staff, on the institution's invitation history."""
    from campaign.invitations import services

    contacts = make_contacts(2)
    institution = contacts[0].institution
    for contact in contacts:
        contact.institution = institution
        contact.save()
    first = RecipientFactory(contact=contacts[0])
    second = RecipientFactory(contact=contacts[1])
    services.rsvp_record(recipient=first, answer=Recipient.Answer.DECLINE, note="Sudah isi daring <semua>")
    services.rsvp_record(recipient=second, answer=Recipient.Answer.DECLINE, note="Pimpinan dinas luar")
    services.rsvp_record(recipient=second, answer=Recipient.Answer.DECLINE, note="")

    url = reverse("invitations_institution_history", args=[institution.pk])
    with django_assert_max_num_queries(12):
        html = admin_client.get(url).content.decode()
    assert "Sudah isi daring &lt;semua&gt;" in html and "Pimpinan dinas luar" in html
    assert html.count("Menolak: “") == 2  # the empty note of the repeat answer adds no line


def test_exporting_suppressed_addresses_needs_the_export_permission_and_is_logged(client, admin_client):
    from django.contrib.auth.models import Permission

    from campaign.institutions.models import PersonalDataLog
    from campaign.invitations.models import Suppression

    Suppression.objects.create(email="berhenti@example.org", reason=Suppression.Reason.UNSUBSCRIBED)
    url = reverse("wagtailsnippets_invitations_suppression:list") + "?export=csv"
    export = admin_client.get(url)
    assert b"berhenti@example.org" in b"".join(export.streaming_content)
    entry = PersonalDataLog.objects.get(model="suppression")
    assert (entry.action, entry.row_count) == (PersonalDataLog.Action.EXPORT, 1)

    # May see the list, may not export it.
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["wagtailadmin", "invitations"],
            codename__in=["access_admin", "view_suppression"],
        )
    )
    client.force_login(viewer)
    listing = client.get(reverse("wagtailsnippets_invitations_suppression:list"))
    assert listing.status_code == 200 and b"export=csv" not in listing.content
    refused = client.get(url)  # Wagtail answers PermissionDenied with a redirect and a message
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    assert PersonalDataLog.objects.filter(model="suppression").count() == 1


@pytest.mark.parametrize("recipient", ["²", "9" * 5_000, str(2**64)])
def test_the_preview_ignores_a_recipient_that_is_no_id(admin_client, recipient):
    template = BatchFactory().template
    url = reverse("invitations_template_preview", args=[template.pk]) + f"?recipient={recipient}"
    page = admin_client.get(url).content.decode()
    # The preview falls back to the sample recipient, as with no recipient at all.
    sample, _values = services.template_preview(template=template, recipient=None, language="id")
    assert escape(sample.subject) in page


def test_the_outbox_shows_a_message_as_it_reads_in_wita(admin_client):
    message = OutboxMessage.objects.create(
        message_id="<inspect-1@example.org>",
        from_email="sensus@example.org",
        to="kotak@example.org",
        subject="Undangan",
        text="Yth. Ibu Agnes,\n\nTim kami ingin datang <b>besok</b>.",
        headers={"List-Unsubscribe": "<https://example.org/berhenti/x/>"},
        attachments=[{"name": "undangan.ics", "type": "text/calendar", "size": 10}],
    )
    OutboxMessage.objects.filter(pk=message.pk).update(created_at="2026-12-03T20:11:00+00:00")
    html = admin_client.get(
        reverse("wagtailsnippets_invitations_outboxmessage:inspect", args=[message.pk])
    ).content.decode()
    assert "4 Desember 2026" in html or "4 Des" in html  # 20:11 UTC is 04:11 WITA the next day
    assert "4.11" in html and "20.11" not in html
    assert "Yth. Ibu Agnes,<br><br>Tim kami ingin datang &lt;b&gt;besok&lt;/b&gt;." in html
    assert "List-Unsubscribe: &lt;https://example.org/berhenti/x/&gt;" in html
    assert "undangan.ics (text/calendar)" in html


def test_a_batch_made_in_the_admin_goes_through_the_service(client):
    """The batch form saves through ``batch_save``: the creator is recorded, the service's
    validation refuses a chunk size above the provider's batch, and one log entry is kept."""
    from wagtail.models import ModelLogEntry

    from tests.factories import AudienceFactory, EmailTemplateFactory

    staff = UserFactory(username="pengirim", is_superuser=True)
    client.force_login(staff)
    template, audience = EmailTemplateFactory(), AudienceFactory()
    form = {
        "name": "Undangan minggu 2",
        "template": template.pk,
        "audience": audience.pk,
        "team": "",
        "proposed_at": "",
        "scheduled_at": "",
        "rate_per_minute": 600,
        "chunk_size": 100,
        "max_consecutive_errors": 5,
    }
    url = reverse("wagtailsnippets_invitations_batch:add")
    response = client.post(url, {**form, "chunk_size": 5000})
    assert response.status_code == 200 and not Batch.objects.exists()

    response = client.post(url, form)
    batch = Batch.objects.get()
    assert response["Location"] == reverse("invitations_batch_report", args=[batch.pk])
    assert batch.created_by == staff
    assert list(ModelLogEntry.objects.filter(object_id=str(batch.pk)).values_list("action", flat=True)) == [
        "wagtail.create"
    ]


def test_an_audience_edited_in_the_admin_keeps_its_many_to_many_choices(admin_client):
    """The audience form saves through ``audience_save``; its kinds, regions and teams
    (many-to-many) are written after the row, as before."""
    from campaign.institutions.models import InstitutionKind
    from tests.factories import AudienceFactory

    audience = AudienceFactory(name="Kantor pemerintah")
    kind = InstitutionKind.objects.create(name="Lembaga Uji Audiens")
    response = admin_client.post(
        reverse("wagtailsnippets_invitations_audience:edit", args=[audience.pk]),
        {"name": "Kantor pemerintah Kupang", "target": "institutions", "kinds": [kind.pk], "week": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    audience.refresh_from_db()
    assert audience.name == "Kantor pemerintah Kupang"
    assert list(audience.kinds.all()) == [kind]


def test_the_sample_message_is_dated_on_todays_calendar():
    """Without a recipient the preview proposes next Monday at nine and ends the campaign
    on the active campaign's effective end, never on a date of 2020."""
    campaign = CampaignFactory(is_active=True)
    today = timezone.localdate()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    with translation.override("id"):
        expected_day = date_format(monday, "j F Y")
        expected_end = date_format(campaign.effective_end, "j F Y")
    values = services.sample_values(language="id")
    assert values["session_date"] == f"Senin, {expected_day}, 09.00 WITA"
    assert values["campaign_end"] == expected_end


def test_admin_lists_speak_indonesian_in_their_headers_values_and_sources(admin_client):
    """Column headers of properties, boolean values and the sources our code writes are
    translated, not shown as attribute names, True/False or English strings."""
    from campaign.invitations.models import ChannelSuppression

    CampaignFactory(name="SP2020", is_active=True)
    Suppression.objects.create(
        email="a@example.org", reason="unsubscribed", source="unsubscribe page, every channel"
    )
    ChannelSuppression.objects.create(
        channel="sms", phone="+6281234560001", reason="unsubscribed", source="one-click"
    )
    batch = BatchFactory()
    RecipientFactory(batch=batch)

    campaigns = admin_client.get(reverse("wagtailsnippets_core_campaign:list")).content.decode()
    assert "Akhir tahap daring (dengan perpanjangan)" in campaigns and "Effective end" not in campaigns
    assert ">True<" not in campaigns and "#icon-check" in campaigns  # the active one: a tick
    suppressed = admin_client.get(reverse("wagtailsnippets_invitations_suppression:list")).content.decode()
    assert "halaman berhenti berlangganan, semua saluran" in suppressed
    phones = admin_client.get(reverse("wagtailsnippets_invitations_channelsuppression:list")).content.decode()
    assert "berhenti berlangganan sekali klik dari aplikasi email" in phones
    recipients = admin_client.get(reverse("wagtailsnippets_invitations_recipient:list")).content.decode()
    assert "Organisasi" in recipients and ">Organisation<" not in recipients
    report = admin_client.get(reverse("invitations_batch_report", args=[batch.pk])).content.decode()
    assert "<h2>Pengiriman</h2>" in report
    outbox = admin_client.get(reverse("wagtailsnippets_invitations_outboxmessage:list")).content.decode()
    assert "kotak keluar" in outbox.lower()
    # Wagtail's own strings its Indonesian catalogue lacks or misspells.
    row = Suppression.objects.get()
    delete = admin_client.get(reverse("wagtailsnippets_invitations_suppression:delete", args=[row.pk]))
    text = delete.content.decode()
    assert "Tidak, jangan hapus" in text and "No, don't delete" not in text
    assert "dirujuk 0 kali" in text


def test_the_batch_forms_choosers_speak_each_users_language(client, db):
    """The form is built once per process; its chooser buttons still follow each user's
    language (they read the first user's for everyone)."""
    from wagtail.users.models import UserProfile

    english = UserFactory(username="english", is_superuser=True, is_staff=True)
    UserProfile.get_for_user(english).__class__.objects.filter(user=english).update(preferred_language="en")
    indonesian = UserFactory(username="indonesian", is_superuser=True, is_staff=True)
    url = reverse("wagtailsnippets_invitations_batch:add")
    client.force_login(indonesian)
    assert "Pilih templat email" in client.get(url).content.decode()
    client.force_login(english)
    page = client.get(url).content.decode()
    assert "Choose email template" in page and "Pilih templat email" not in page
