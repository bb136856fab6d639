"""Hostile text in official letters (issue 17): every value a letter prints — the
letterhead, the template's perihal, lampiran, body and signatory, the addressee's name,
position, institution and address — is printed literally in the PDF (never as markup:
reportlab's paragraphs parse tags), shown as text in the register and the batch report,
and written inert in the register's export; a number format or NIP that is not one is
refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import Site

from campaign.core.models import LetterheadSettings, OfficeLetterhead
from campaign.invitations import services
from campaign.invitations.models import Letter
from campaign.invitations.services import letters as letters_service
from tests.factories import ContactFactory, InstitutionFactory, LetterBatchFactory, LetterTemplateFactory
from tests.http import drain

from .hostile import PAYLOAD, PAYLOAD_SHORT, assert_html_safe, assert_text_literal, pdf_text

pytestmark = pytest.mark.django_db

_LETTERHEAD = {
    "line_1": {"pdf"},
    "line_2": {"pdf"},
    "address": {"pdf"},
    "contact_line": {"pdf"},
    "place": {"pdf"},
}
COVERS = {
    **{("core.LetterheadSettings", name): surfaces for name, surfaces in _LETTERHEAD.items()},
    **{("core.OfficeLetterhead", name): surfaces for name, surfaces in _LETTERHEAD.items()},
    ("invitations.LetterTemplate", "name"): {"admin"},
    ("invitations.LetterTemplate", "number_format"): {"pdf", "refused"},
    ("invitations.LetterTemplate", "subject"): {"pdf"},
    ("invitations.LetterTemplate", "attachments"): {"pdf"},
    ("invitations.LetterTemplate", "body"): {"pdf"},
    ("invitations.LetterTemplate", "signatory_name"): {"pdf"},
    ("invitations.LetterTemplate", "signatory_position"): {"pdf"},
    ("invitations.LetterTemplate", "signatory_nip"): {"refused"},
    ("invitations.Letter", "number"): {"pdf", "admin", "export"},
    ("invitations.Letter", "addressee"): {"pdf", "admin", "export"},
    ("invitations.Letter", "position"): {"pdf", "export"},
    ("invitations.Letter", "institution"): {"pdf", "admin", "export"},
    ("invitations.Letter", "address"): {"pdf", "export"},
    ("invitations.Letter", "subject"): {"pdf", "admin", "export"},
    ("invitations.Letter", "attachments"): {"pdf"},
    ("invitations.Letter", "body"): {"pdf"},
    ("invitations.Letter", "signatory_name"): {"pdf"},
    ("invitations.Letter", "signatory_position"): {"pdf"},
    ("invitations.Letter", "signatory_nip"): {"refused"},
}
NUMBER = "Zx<b>&'-{seq}/<i>"


@pytest.fixture
def hostile_batch(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(
        letters_service, "_clock", lambda: datetime.datetime(2026, 12, 5, 2, 0, tzinfo=datetime.UTC)
    )
    head = LetterheadSettings.for_site(Site.objects.get(is_default_site=True))
    head.line_1 = head.line_2 = head.address = head.contact_line = PAYLOAD
    head.place = PAYLOAD_SHORT
    head.save()
    institution = InstitutionFactory(name=PAYLOAD, address=PAYLOAD, region=world.objects["region"])
    ContactFactory(institution=institution, name=PAYLOAD, position=f"Kepala {PAYLOAD}", email="")
    template = LetterTemplateFactory(
        name=PAYLOAD,
        number_format=NUMBER,
        subject=PAYLOAD,
        attachments=PAYLOAD,
        body=f"<p>{PAYLOAD.replace('<', '&lt;')} {{{{ institution }}}}</p>",
        signatory_name=PAYLOAD,
        signatory_position=PAYLOAD,
    )
    audience = world.objects["audience"]
    audience.office = None
    audience.save()
    batch = LetterBatchFactory(letter_template=template, audience=audience)
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_start(batch=batch)
    letter = Letter.objects.get(batch=batch, institution=PAYLOAD)
    return batch, letter


def test_every_printed_value_is_literal_in_the_pdf(hostile_batch):
    batch, letter = hostile_batch
    assert letter.number in ("Zx<b>&'-1/<i>", "Zx<b>&'-2/<i>")  # the world's institution is in the batch too
    text = pdf_text(services.letters_print(batch=batch, letters=Letter.objects.filter(pk=letter.pk)))
    assert_text_literal(text, letter.number)
    assert_text_literal(text, f"Yth. {PAYLOAD}")
    assert_text_literal(text, f"Kepala {PAYLOAD}")
    assert_text_literal(text, f"{PAYLOAD_SHORT}, 5 Desember 2026")
    # The letterhead's four lines, perihal, lampiran, institution, address, body (twice:
    # its own text and the institution merged in), signatory name and position.
    assert text.replace("\n", "").replace(" ", "").count(PAYLOAD.replace(" ", "")) >= 12


def test_the_office_letterhead_is_literal_in_the_pdf(world):
    office = world.objects["office"]
    OfficeLetterhead.objects.create(
        office=office,
        line_1=PAYLOAD,
        line_2=PAYLOAD,
        address=PAYLOAD,
        contact_line=PAYLOAD,
        place=PAYLOAD_SHORT,
    )
    letter = world.objects["letter"]
    text = pdf_text(services.letters_print(batch=letter.batch))
    assert text.replace("\n", "").replace(" ", "").count(PAYLOAD.replace(" ", "")) == 4
    assert_text_literal(text, PAYLOAD_SHORT)


def test_register_report_and_export_show_text(world, client, hostile_batch):
    batch, letter = hostile_batch
    client.force_login(world.users["editor"])
    for url in (
        reverse("wagtailsnippets_invitations_letter:list"),
        reverse("invitations_batch_report", args=[batch.pk]),
        reverse("wagtailsnippets_invitations_lettertemplate:list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_html_safe(response.content.decode())
    response = client.get(reverse("wagtailsnippets_invitations_letter:list") + "?export=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    # Formula-safe and literal: the value starts with "Z", so it is written as it is.
    assert_text_literal(body, PAYLOAD.replace('"', '""'))
    drain(response)


@pytest.mark.parametrize("value", ["B-{nomor}/{year}", "B-/5300", "B-{seq}}", PAYLOAD])
def test_a_number_format_that_is_not_one_is_refused(value):
    with pytest.raises(ValidationError):
        LetterTemplateFactory.build(number_format=value).full_clean()


@pytest.mark.parametrize("nip", ["1970<b>", "19700101 199003 1 001\r\n", "123"])
def test_a_nip_that_is_not_one_is_refused(nip):
    with pytest.raises(ValidationError) as error:
        LetterTemplateFactory.build(signatory_nip=nip).full_clean()
    assert "signatory_nip" in error.value.error_dict
