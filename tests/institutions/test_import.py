import io
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook
from wagtail.models import ModelLogEntry

from campaign.core.models import Region
from campaign.institutions.importing import MAX_FILE_BYTES
from campaign.institutions.models import Contact, Institution, PersonalDataLog
from campaign.institutions.services import contact_erase, institutions_import

pytestmark = pytest.mark.django_db

HEADER = "external_id,name,kind,region_code,address,employees,contact_name,contact_position,contact_email,contact_phone"
GOOD = [
    "KPG-1,Dinas Kesehatan Kota Kupang,Kantor Pemerintah,5371031,Jl. Tompello,140,Maria Ndun,Sekretaris,maria@example.org,0812-3456-7890",
    "KPG-2,DPRD Kota Kupang,dprd,5371,Jl. Sudirman,75,,,,",
    "KPG-3,Universitas Nusa Cendana,Lembaga Pendidikan,5371020,Penfui,1.300,Yohanes Bria,Rektor,yohanes@example.org,+62 813 3900 0001",
]


def csv_bytes(*rows, header=HEADER, delimiter=",", encoding="utf-8"):
    lines = [header, *rows]
    if delimiter != ",":
        lines = [line.replace(",", delimiter) for line in lines]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def run(content, *, dry_run=False, filename="daftar.csv"):
    with translation.override("en"):
        return institutions_import(content=content, filename=filename, source="test", dry_run=dry_run)


def errors_of(result):
    return [(error.row, error.column) for error in result.errors]


def test_good_file_is_written_with_contacts_in_e164(regions):
    result = run(csv_bytes(*GOOD))

    assert result.errors == []
    assert (result.created, result.contacts_created) == (3, 2)
    unc = Institution.objects.get(external_id="KPG-3")
    assert unc.employees == 1300  # "1.300" with an Indonesian thousands separator
    assert unc.region.code == "5371020" and unc.kind.name == "Lembaga Pendidikan"
    assert Institution.objects.get(external_id="KPG-2").kind.name == "DPRD"  # any case
    maria = Contact.objects.get(email="maria@example.org")
    assert maria.phone == "+6281234567890"
    assert (maria.consent_source, maria.lawful_basis) == ("test", "public_task")
    # Wagtail's history shows the import, and the personal data log counts it.
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(unc.pk)).exists()
    assert PersonalDataLog.objects.get(action="import").row_count == 2


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (",,Kantor Pemerintah,5371,,,,,,", "name", "The name is missing."),
        (",Kantor X,Kementerian,5371,,,,,,", "kind", "Unknown kind “Kementerian”."),
        (",Kantor X,Kantor Pemerintah,9999,,,,,,", "region_code", "Unknown region code “9999”."),
        (
            ",Kantor X,Kantor Pemerintah,53,,,,,,",
            "region_code",
            "Use the code of a district or a regency, not “53”.",
        ),
        (",Kantor X,Kantor Pemerintah,5371,,banyak,,,,", "employees", "“banyak” is not a whole number."),
        (
            ",Kantor X,Kantor Pemerintah,5371,,,Ina,,ina@,,",
            "contact_email",
            "“ina@” is not a valid email address.",
        ),
        (
            ",Kantor X,Kantor Pemerintah,5371,,,Ina,,,12345",
            "contact_phone",
            "“12345” is not a valid phone number.",
        ),
        (",Kantor X,Kantor Pemerintah,5371,,,,,ina@example.org,", "contact_name", "A contact needs a name."),
    ],
)
def test_each_bad_row_kind_names_row_and_column_and_nothing_is_written(regions, row, column, message):
    result = run(csv_bytes(GOOD[0], row, GOOD[2]))

    assert [(e.row, e.column, e.message) for e in result.errors] == [(3, column, message)]
    assert not Institution.objects.exists() and not Contact.objects.exists()


def test_region_by_name_unknown_and_ambiguous(regions):
    header = "name,kind,region"
    result = run(
        csv_bytes(
            "Kantor A,Swasta,oebobo",
            "Kantor B,Swasta,Atlantis",
            "Kantor C,Swasta,Kota Kupang",
            header=header,
        )
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "region", "Unknown region “Atlantis”.")
    ]
    # A second district of the same name elsewhere makes the name ambiguous.
    Region.objects.create(
        code="5303999", name="Oebobo", level="district", parent=Region.objects.get(code="5303")
    )
    ambiguous = run(csv_bytes("Kantor D,Swasta,Oebobo", header=header))
    assert [(e.row, e.column) for e in ambiguous.errors] == [(2, "region")]
    assert "give its code instead" in ambiguous.errors[0].message


def test_duplicates_within_the_file_point_to_the_first_row(regions):
    result = run(
        csv_bytes(
            GOOD[0],
            ",DINAS  KESEHATAN kota kupang,Kantor Pemerintah,5371031,,,,,,",  # same name, same region
            "KPG-1,Lain,Swasta,5371,,,,,,",  # same external ID
            ",Kantor Y,Swasta,5371,,,Ina,,MARIA@example.org,",  # same email, other case
        )
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "name", "Duplicate of row 2."),
        (4, "external_id", "Duplicate of row 2."),
        (5, "contact_email", "The same email address is on row 2."),
    ]
    assert not Institution.objects.exists()


def test_missing_columns_are_reported_on_the_header_row(regions):
    result = run(csv_bytes("Kantor X", header="nama"))
    assert errors_of(result) == [(1, "kind"), (1, "region_code")]


def test_reimport_creates_no_duplicates_and_updates_by_external_id(regions):
    run(csv_bytes(*GOOD))
    again = run(csv_bytes(*GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (again.contacts_created, again.contacts_updated) == (0, 0)

    renamed = GOOD[1].replace("DPRD Kota Kupang", "Sekretariat DPRD Kota Kupang")
    third = run(csv_bytes(GOOD[0], renamed, GOOD[2]))
    assert (third.created, third.updated) == (0, 1)
    assert Institution.objects.count() == 3
    assert Institution.objects.get(external_id="KPG-2").name == "Sekretariat DPRD Kota Kupang"


def test_reimport_without_external_id_matches_on_normalised_name_and_region(regions):
    header = "name,kind,region_code,employees"
    run(csv_bytes("Kantor Lurah Oebobo,Kantor Pemerintah,5371030,12", header=header))
    result = run(csv_bytes("  KANTOR lurah   Oebobo ,Kantor Pemerintah,5371030,15", header=header))
    assert (result.created, result.updated) == (0, 1)
    assert Institution.objects.get().employees == 15


def test_dry_run_writes_nothing(regions):
    result = run(csv_bytes(*GOOD), dry_run=True)
    assert result.ok and result.created == 3 and not result.written
    assert not Institution.objects.exists()


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ","), ("utf-8", ";"), ("cp1252", ";"), ("cp1252", ",")],
)
def test_encodings_and_delimiters(regions, encoding, delimiter):
    row = ",Café Sasandó – Kupang,Swasta,5371,Jl. Timor,12,,,,"
    result = run(csv_bytes(row, delimiter=delimiter, encoding=encoding))
    assert result.errors == []
    assert Institution.objects.get().name == "Café Sasandó – Kupang"


def test_indonesian_headers_and_xlsx(regions):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "nama",
            "jenis",
            "kode_wilayah",
            "alamat",
            "jumlah_pegawai",
            "nama_kontak",
            "jabatan_kontak",
            "email_kontak",
            "telepon_kontak",
            "kolom_lain",
        ]
    )
    sheet.append(
        [
            "Bank NTT",
            "BUMD",
            5371031,
            "Jl. Lalamentik",
            600,
            "Agnes Tefa",
            "Humas",
            "agnes@example.org",
            81234567891,
        ]
    )
    output = io.BytesIO()
    workbook.save(output)

    result = run(output.getvalue(), filename="daftar.xlsx")

    assert result.errors == []
    assert result.unknown_columns == ["kolom_lain"]
    bank = Institution.objects.get()
    assert (bank.name, bank.region.code, bank.employees) == ("Bank NTT", "5371031", 600)
    assert bank.contacts.get().phone == "+6281234567891"


def _zip(members):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\x00\x01\x02binary\x00garbage", "This is not a spreadsheet (CSV or XLSX)."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Old Excel files (.xls)"),
        (_zip({"xl/workbook.xml": b"0" * 50_000_000}), "unpacks to far more than its size"),
        (_zip({"hello.txt": b"not a workbook"}), "This is not a spreadsheet"),
        (b"PK\x03\x04 broken zip", "This is not a spreadsheet"),
        (b"x" * (MAX_FILE_BYTES + 1), "larger than 25 MB"),
    ],
)
def test_malformed_and_hostile_files_are_refused_before_parsing(regions, content, message):
    result = run(content)
    assert len(result.errors) == 1
    assert result.errors[0].row == 0 and message in result.errors[0].message


def test_erased_person_cannot_be_imported_again(regions):
    run(csv_bytes(*GOOD))
    contact_erase(contact=Contact.objects.get(email="maria@example.org"))

    result = run(csv_bytes(*GOOD))

    assert errors_of(result) == [(2, "contact_email"), (2, "contact_phone")]


def test_contact_of_another_institution_is_not_silently_moved(regions):
    run(csv_bytes(*GOOD))
    moved = GOOD[0].replace("KPG-1,Dinas Kesehatan Kota Kupang", "KPG-9,Dinas Baru")
    result = run(csv_bytes(moved))
    assert errors_of(result) == [(2, "contact_email")]
    assert Institution.objects.count() == 3


def test_messages_are_translated_to_indonesian(regions):
    with translation.override("id"):
        result = institutions_import(
            content=csv_bytes(",Kantor X,Kementerian,5371,,,,,,"), filename="a.csv", source="t"
        )
    assert result.errors[0].message == "Jenis “Kementerian” tidak dikenal."


def test_command_prints_one_line_per_problem_and_exits_non_zero(regions, tmp_path):
    path = tmp_path / "daftar.csv"
    path.write_bytes(csv_bytes(GOOD[0], ",,Kementerian,9999,,,,,,"))
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="3 problem"):
        call_command("import_institutions", str(path), stderr=err, stdout=StringIO())
    lines = err.getvalue().strip().splitlines()
    assert lines == [
        "daftar.csv: row 3, name: The name is missing.",
        "daftar.csv: row 3, kind: Unknown kind “Kementerian”.",
        "daftar.csv: row 3, region_code: Unknown region code “9999”.",
    ]
    assert not Institution.objects.exists()


def test_command_dry_run_then_import(regions, tmp_path):
    path = tmp_path / "daftar.csv"
    path.write_bytes(csv_bytes(*GOOD))
    out = StringIO()
    with translation.override("en"):
        call_command("import_institutions", str(path), "--dry-run", stdout=out)
        assert "Dry run" in out.getvalue() and not Institution.objects.exists()
        call_command("import_institutions", str(path), stdout=out)
    assert Institution.objects.count() == 3
