"""Official letters: numbering (1…N per office and year, never reused or skipped, also
after a failure mid-batch), the printed letter (text, Indonesian date, QR code to the
RSVP page), the register and its export, and the email paths that leave letters out."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from campaign.core.models import Office, OfficeMember
from campaign.institutions.models import Institution, PersonalDataLog
from campaign.invitations import services, tokens
from campaign.invitations.models import Batch, Letter, LetterTemplate, Recipient
from campaign.invitations.models.letters import validate_number_format
from campaign.invitations.services import letters as letters_service
from tests.factories import (
    BatchFactory,
    ContactFactory,
    InstitutionFactory,
    LetterBatchFactory,
    LetterTemplateFactory,
)
from tests.materials.pdftools import decode_qr, pdf_text, pdf_to_png

from .conftest import WITA

pytestmark = pytest.mark.django_db

DAY = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=WITA)


@pytest.fixture(autouse=True)
def numbering_day(monkeypatch):
    monkeypatch.setattr(letters_service, "_clock", lambda: DAY)


def institutions(count, *, address="Jl. Timor Raya No. 12, Kupang"):
    """``count`` institutions, each with its head and a second contact (no email)."""
    made = []
    for index in range(count):
        institution = InstitutionFactory(address=address)
        ContactFactory(institution=institution, name=f"Staf {index}", position="Staf", email="")
        ContactFactory(institution=institution, name=f"Kepala {index}", position="Kepala Dinas", email="")
        made.append(institution)
    return made


def run(batch, monkeypatch=None, *, capture):
    with capture(execute=True):
        services.batch_start(batch=batch)
    batch.refresh_from_db()
    return batch


def test_number_format_placeholders_are_checked():
    validate_number_format("B-{seq}/5300/HM.340/{month_roman}/{year}")
    for bad, code in (
        ("B-{seq}/{kode}/{year}", "unknown_placeholder"),
        ("B-/5300/{year}", "no_seq"),
        ("B-{seq}/5300}/{year}", "unpaired_brace"),
    ):
        with pytest.raises(ValidationError) as error:
            validate_number_format(bad)
        assert error.value.code == code
    with pytest.raises(ValidationError):
        LetterTemplateFactory.build(number_format="{nomor}").full_clean()


def test_number_and_indonesian_date():
    day = datetime.date(2026, 12, 5)
    assert (
        services.letter_number(
            "B-{seq}/{office_code}/HM.340/{month_roman}/{year}", seq=7, day=day, office_code="5300"
        )
        == "B-7/5300/HM.340/XII/2026"
    )
    assert services.letter_number("{seq}.{month}", seq=12, day=datetime.date(2026, 4, 1)) == "12.4"
    assert services.date_id(day) == "5 Desember 2026"
    assert services.date_id(datetime.date(2027, 8, 17)) == "17 Agustus 2027"


def test_a_letter_batch_numbers_one_letter_per_institution_to_its_head(django_capture_on_commit_callbacks):
    made = institutions(25)
    batch = run(LetterBatchFactory(chunk_size=10), capture=django_capture_on_commit_callbacks)
    assert batch.status == Batch.Status.DONE
    assert not mail.outbox  # nothing is emailed
    recipients = Recipient.objects.filter(batch=batch)
    assert recipients.count() == 25
    assert set(recipients.values_list("channel", "status")) == {("letter", "sent")}
    letters = list(Letter.objects.filter(batch=batch).order_by("seq"))
    assert [letter.seq for letter in letters] == list(range(1, 26))
    assert letters[0].number == "B-1/5300/HM.340/XII/2026"
    assert letters[-1].number == "B-25/5300/HM.340/XII/2026"
    assert all(letter.addressee.startswith("Kepala ") for letter in letters)
    assert {letter.position for letter in letters} == {"Kepala Dinas"}
    assert letters[0].date == datetime.date(2026, 12, 5)
    assert letters[0].rsvp_url.startswith("http") and "/undangan/" in letters[0].rsvp_url
    assert tokens.read("rsvp", letters[0].rsvp_url.rstrip("/").rsplit("/", 1)[-1]) == letters[0].recipient_id
    assert "Dinas Contoh" in letters[0].body and "{{" not in letters[0].body
    assert set(Institution.objects.filter(pk__in=[i.pk for i in made]).values_list("status", flat=True)) == {
        "invited"
    }


def test_numbers_run_on_per_office_and_restart_each_year(django_capture_on_commit_callbacks, monkeypatch):
    institutions(3)
    run(LetterBatchFactory(), capture=django_capture_on_commit_callbacks)
    second = run(LetterBatchFactory(), capture=django_capture_on_commit_callbacks)
    assert sorted(second.letters.values_list("seq", flat=True)) == [4, 5, 6]
    regency = Office.objects.create(name="BPS Kota Kupang", code="5371")
    other = run(LetterBatchFactory(office=regency), capture=django_capture_on_commit_callbacks)
    assert sorted(other.letters.values_list("number", flat=True))[0].startswith("B-1/")
    assert sorted(other.letters.values_list("seq", flat=True)) == [1, 2, 3]
    monkeypatch.setattr(letters_service, "_clock", lambda: datetime.datetime(2027, 1, 2, 9, tzinfo=WITA))
    next_year = run(LetterBatchFactory(), capture=django_capture_on_commit_callbacks)
    assert sorted(next_year.letters.values_list("number", flat=True)) == [
        "B-1/5300/HM.340/I/2027",
        "B-2/5300/HM.340/I/2027",
        "B-3/5300/HM.340/I/2027",
    ]


def test_a_failure_mid_batch_then_a_rerun_writes_each_letter_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    institutions(100)
    batch = LetterBatchFactory(chunk_size=10, max_consecutive_errors=1)
    monkeypatch.setattr(services.batches, "batch_chunk_enqueue", lambda *args, **kwargs: None)
    services.batch_start(batch=batch)
    order = list(batch.recipients.order_by("pk").values_list("pk", flat=True))
    real_address = letters_service._address

    def failing_at_37(recipient):
        if recipient.pk == order[36]:
            raise RuntimeError("printer spooler lost")
        return real_address(recipient)

    monkeypatch.setattr(letters_service, "_address", failing_at_37)
    results = [services.batch_send_chunk(batch_id=batch.pk) for _ in range(4)]
    assert [r.sent for r in results[:3]] == [10, 10, 10]
    assert results[3].error.startswith("RuntimeError") and results[3].sent == 0
    batch.refresh_from_db()
    assert batch.status == Batch.Status.PAUSED
    # The failed chunk's numbers went back with its letters: 30 letters, 1…30.
    assert sorted(batch.letters.values_list("seq", flat=True)) == list(range(1, 31))
    assert batch.recipients.filter(status=Recipient.Status.PENDING).count() == 70

    monkeypatch.setattr(letters_service, "_address", real_address)
    services.batch_resume(batch=batch)
    for _ in range(20):
        if not services.batch_send_chunk(batch_id=batch.pk).more:
            break
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    letters = list(batch.letters.values_list("recipient_id", "seq"))
    assert len(letters) == 100
    assert sorted(recipient for recipient, _seq in letters) == order  # each once
    assert sorted(seq for _recipient, seq in letters) == list(range(1, 101))  # no gap, no repeat
    # Another run finds nothing to do and numbers nothing.
    services.batch_send_chunk(batch_id=batch.pk)
    assert batch.letters.count() == 100


def test_a_missing_required_value_fails_that_letter_without_a_number(django_capture_on_commit_callbacks):
    institutions(3)
    template = LetterTemplateFactory(body="<p>Kami akan datang pada {{ session_date }}.</p>")
    batch = LetterBatchFactory(letter_template=template)
    with pytest.raises(ValidationError) as error:
        services.batch_start(batch=batch)
    assert "session_date" in " ".join(error.value.messages)
    assert not Letter.objects.exists()


def test_the_printed_letter(tmp_path, django_capture_on_commit_callbacks):
    institutions(2, address="Jl. Frans Seda No. 1, Kupang")
    batch = run(LetterBatchFactory(), capture=django_capture_on_commit_callbacks)
    letter = batch.letters.order_by("seq").first()
    data = services.letters_print(batch=batch, letters=Letter.objects.filter(pk=letter.pk))
    text = " ".join(pdf_text(data, tmp_path).split())
    assert "B-1/5300/HM.340/XII/2026" in text
    assert "Kupang, 5 Desember 2026" in text
    assert f"Yth. {letter.addressee}" in text
    assert "Kepala Dinas" in text and letter.institution in text and "Jl. Frans Seda No. 1, Kupang" in text
    assert "Permohonan Dukungan Sensus Penduduk Online 2020" in text
    assert "NIP. 19700101 199003 1 001" in text
    pages = pdf_to_png(data, tmp_path, dpi=200)
    assert len(pages) == 1
    assert decode_qr(pages[0]) == [letter.rsvp_url]

    whole = services.letters_print(batch=batch)
    assert pdf_text(whole, tmp_path, name="all").count("Yth.") == 2
    assert len(pdf_to_png(whole, tmp_path, dpi=40, name="all")) == 2


def test_email_paths_leave_letters_out(team, django_capture_on_commit_callbacks):
    from campaign.institutions.models import GuidedSession
    from tests.factories import EmailTemplateFactory

    institutions(2)
    batch = run(LetterBatchFactory(), capture=django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        services.batch_remind(batch=batch, after_days=0)
    # A letter's addressee who accepted is reminded the day before by their own channel,
    # never by letter: by email once the contact has an address; without one, kept as
    # "not sent" in the day's email batch.
    EmailTemplateFactory(for_session_reminders=True)
    with_email, without = batch.recipients.order_by("pk")[:2]
    with_email.contact.email = "kepala@kupangkota.go.id"
    with_email.contact.save()
    for recipient in (with_email, without):
        recipient.answer = Recipient.Answer.ACCEPT
        recipient.session = GuidedSession.objects.create(
            institution=recipient.institution, team=team, starts_at=DAY + datetime.timedelta(days=1)
        )
        recipient.save()
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.session_reminders_queue(now=DAY) == 1
    assert [m.to for m in mail.outbox] == [[f"{with_email.name} <kepala@kupangkota.go.id>"]]
    reminders = Batch.objects.get(kind=Batch.Kind.SESSION)
    assert reminders.channel == Batch.Channel.EMAIL
    assert reminders.recipients.get(contact=without.contact).status == Recipient.Status.SKIPPED
    # The letter named no team: the reminder names the session's.
    assert with_email.team_id is None and reminders.recipients.get(contact=with_email.contact).team == team
    assert Letter.objects.count() == 2  # no new letter


def test_batch_validation_matches_channel_and_template():
    letter_template = LetterTemplateFactory()
    with pytest.raises(ValidationError) as error:
        BatchFactory.build(channel="letter", template=None, letter_template=None, audience=None).full_clean()
    assert "letter_template" in error.value.error_dict
    email_batch = BatchFactory()
    email_batch.letter_template = letter_template
    with pytest.raises(ValidationError):
        email_batch.full_clean()
    assert LetterTemplate.objects.count() == 1


def test_register_export_is_logged(client, django_capture_on_commit_callbacks, django_user_model):
    from campaign.core.services import DISSEMINATION_STAFF, roles_sync

    institutions(3)
    run(LetterBatchFactory(name="Surat SP2020"), capture=django_capture_on_commit_callbacks)
    staff = django_user_model.objects.create_user("staf", password="x")  # noqa: S106
    staff.groups.add(roles_sync()[DISSEMINATION_STAFF])
    client.force_login(staff)
    listing = client.get("/admin/snippets/invitations/letter/")
    assert listing.status_code == 200
    assert "B-3/5300/HM.340/XII/2026" in listing.content.decode()
    response = client.get("/admin/snippets/invitations/letter/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 4
    assert lines[0].split(",")[:3] == ['"Nomor surat"', '"Tanggal"', '"Tujuan surat"']
    assert "B-1/5300/HM.340/XII/2026" in body and "Kepala 0" in body and "Surat SP2020" in body
    log = PersonalDataLog.objects.get(model="letter")
    assert log.row_count == 3 and log.user == staff
    # No one writes a letter by hand.
    assert client.get("/admin/snippets/invitations/letter/add/").status_code in (302, 403)


def test_pdf_downloads_need_the_batch_in_scope(client, django_capture_on_commit_callbacks, django_user_model):
    from campaign.core.services import DISSEMINATION_STAFF, roles_sync

    institutions(2)
    batch = run(LetterBatchFactory(), capture=django_capture_on_commit_callbacks)
    staff = django_user_model.objects.create_user("staf", password="x")  # noqa: S106
    staff.groups.add(roles_sync()[DISSEMINATION_STAFF])
    client.force_login(staff)
    response = client.get(f"/admin/invitations/batch/{batch.pk}/letters.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    letter = batch.letters.first()
    assert client.get(f"/admin/invitations/letter/{letter.pk}.pdf").content.startswith(b"%PDF")
    recipients = client.get(f"/admin/snippets/invitations/recipient/?batch={batch.pk}").content.decode()
    assert "(blank)" not in recipients and "Surat resmi" in recipients  # no email: the channel
    report = client.get(f"/admin/invitations/batch/{batch.pk}/").content.decode()
    assert f"/admin/invitations/batch/{batch.pk}/letters.pdf" in report
    # An email batch has no letters to print.
    email_batch = BatchFactory()
    assert client.get(f"/admin/invitations/batch/{email_batch.pk}/letters.pdf").status_code == 404
    # A regency office's staff do not reach the province's batch.
    province = Office.objects.create(name="BPS Provinsi NTT", code="5300")
    regency = Office.objects.create(name="BPS Kabupaten Kupang", code="5301", parent=province)
    other = django_user_model.objects.create_user("kab", password="x")  # noqa: S106
    other.groups.add(roles_sync()[DISSEMINATION_STAFF])
    OfficeMember.objects.create(office=regency, user=other)
    client.force_login(other)
    assert client.get(f"/admin/invitations/letter/{letter.pk}.pdf").status_code == 404
