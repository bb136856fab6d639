"""The import read as a stream and written chunk by chunk (issue 20): all or nothing across
chunks, the same rows and numbers as the whole-file reader, prepared statements that
store what the ORM would, and a heap that does not grow with the file."""

import datetime
import decimal
import tracemalloc
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from campaign.core import bulk_sql
from campaign.core.models import Region
from campaign.institutions import imports
from campaign.institutions.importing import RowStream, check_rows, read_table
from campaign.institutions.models import Contact, Institution, InstitutionKind
from campaign.institutions.services import contact_erase
from tests.institutions.test_import import GOOD, HEADER, csv_bytes, errors_of, run

pytestmark = pytest.mark.django_db


def rows_of(n, start=0):
    return [
        f"B-{i},Institusi Uji {i},Kantor Pemerintah,5371031,Jl. Uji {i},{10 + i},Kontak {i},Staf,"
        f"kontak{i}@example.org,0812{i:08d}"
        for i in range(start, start + n)
    ]


def test_a_row_the_database_refuses_in_a_later_chunk_undoes_the_earlier_chunks(regions, monkeypatch):
    """Chunks of two: the first chunks are written before the fifth row's contact turns
    out to be another institution's; the whole import is rolled back and every refused
    row is named, also those in chunks after it."""
    run(csv_bytes(*GOOD))
    before = (Institution.objects.count(), Contact.objects.count(), ModelLogEntry.objects.count())
    monkeypatch.setattr(imports, "_CHUNK", 2)
    taken = GOOD[0].replace("KPG-1,Dinas Kesehatan Kota Kupang", "KPG-9,Dinas Baru")
    taken_too = GOOD[2].replace("KPG-3,Universitas Nusa Cendana", "KPG-8,Kampus Baru")
    result = run(csv_bytes(*rows_of(4), taken, *rows_of(1, start=4), taken_too))
    assert errors_of(result) == [(6, "contact_email"), (8, "contact_email")]
    assert not result.written
    assert (Institution.objects.count(), Contact.objects.count(), ModelLogEntry.objects.count()) == before


def test_chunks_write_what_one_pass_wrote(regions, monkeypatch):
    monkeypatch.setattr(imports, "_CHUNK", 3)
    result = run(csv_bytes(*rows_of(7), *GOOD))
    assert result.ok and result.written
    assert (result.created, result.contacts_created) == (10, 9)
    assert (
        Institution.objects.count() == 10 and Contact.objects.filter(institution__isnull=False).count() == 9
    )
    for institution in Institution.objects.all():
        assert (
            ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(institution.pk)).count() == 1
        )
    contact = Contact.objects.get(email="kontak6@example.org")
    assert contact.institution.external_id == "B-6" and contact.phone == "+6281200000006"
    again = run(csv_bytes(*rows_of(7), *GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 10)


def test_the_import_writes_with_prepared_statements_not_per_row(regions):
    content = csv_bytes(*rows_of(300))
    with CaptureQueriesContext(connection) as captured:
        assert run(content).written
    inserts = [q["sql"] for q in captured.captured_queries if "INSERT" in q["sql"][:40]]
    # executemany is logged once per statement; institutions: one multi-row INSERT per 500.
    assert len(inserts) <= 6, [sql[:80] for sql in inserts]
    assert Institution.objects.count() == 300 and Contact.objects.count() == 300


def test_the_stream_numbers_rows_as_the_whole_file_reader_did(regions):
    content = ("\n\n" + HEADER + "\n" + GOOD[0] + "\n,,,\n\n" + GOOD[1] + "\n").encode("cp1252")
    stream = RowStream(content)
    table = read_table(content, "x.csv")
    assert stream.headers == table.headers
    assert [number for number, _cells in stream.rows()] == [2, 3]
    assert [cells for _number, cells in stream.rows()] == table.rows
    assert stream.encoding == "utf-8-sig"  # ASCII is read as UTF-8


def test_prepared_statements_store_what_the_orm_stores(regions):
    """Dates, times, decimals, JSON and UUIDs through the statement's adapters."""
    kind = InstitutionKind.objects.first()
    region = Region.objects.get(code="5371")
    now = timezone.now()
    insert = bulk_sql.Insert(Institution)
    institution = Institution(
        name="Kantor Uji",
        name_normalised="kantor uji",
        kind=kind,
        region=region,
        latitude=decimal.Decimal("-10.158300"),
        longitude=decimal.Decimal("123.607700"),
        employees=12,
        created_at=now,
        updated_at=now,
    )
    [pk] = insert.run_returning_ids([insert.values_of(institution)])
    stored = Institution.objects.get(pk=pk)
    assert (stored.latitude, stored.longitude) == (
        decimal.Decimal("-10.158300"),
        decimal.Decimal("123.607700"),
    )
    assert stored.created_at == now and stored.status == Institution.Status.NOT_CONTACTED

    batch = uuid.uuid4()
    log = bulk_sql.Insert(
        ModelLogEntry,
        [
            "content_type",
            "label",
            "action",
            "object_id",
            "timestamp",
            "uuid",
            "data",
            "content_changed",
            "deleted",
        ],
    )
    content_type = ContentType.objects.get_for_model(Institution).pk
    log.run([[content_type, "x", "wagtail.edit", str(pk), now, batch, {"a": 1}, True, False]])
    entry = ModelLogEntry.objects.get(object_id=str(pk))
    assert (entry.uuid, entry.data, entry.timestamp) == (batch, {"a": 1}, now)

    update = bulk_sql.Update(Contact, ["name", "consent_date"])
    contact = Contact.objects.create(institution=stored, name="A", consent_date=datetime.date(2020, 2, 1))
    update.run([["B", datetime.date(2020, 3, 1), contact.pk]])
    contact.refresh_from_db()
    assert (contact.name, contact.consent_date) == ("B", datetime.date(2020, 3, 1))


def _write_peak(rows):
    content = csv_bytes(*rows_of(rows))
    Contact.objects.all().delete()
    Institution.objects.all().delete()
    tracemalloc.start()
    try:
        assert run(content).written
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_heap_of_a_write_does_not_follow_the_file(regions, monkeypatch):
    """Chunks of 500: a file of 6,000 rows needs no more heap than one of 1,000. The
    whole-file importer needed about 3.5 KB a row (+17 MB here), the duplicate checks'
    digests in a dict 0.4 KB a row (+2 MB); spilled to a temporary file, nothing a row
    stays. The budget is the noise, not a growth: on PostgreSQL the peak of one chunk
    varies by up to 0.45 MB from chunk to chunk (psycopg's buffers), and a file of 12
    chunks meets a worse one than a file of 2 (CI once measured +0.48 MB at 4,000 rows)."""
    monkeypatch.setattr(imports, "_CHUNK", 500)
    small, large = _write_peak(1_000), _write_peak(6_000)
    assert large - small < 768 * 2**10, (small / 2**20, large / 2**20)


def test_opening_a_file_copies_none_of_it():
    """Opening the stream (the empty-file check, the encoding sniff, the header) reads the
    file in place: a copy of it (``content.strip()`` once made one) was the one part of a
    write's peak heap that followed the file, +13 MB at 100,000 rows in bench_import."""
    content = csv_bytes(*rows_of(20_000))  # 2.5 MB
    tracemalloc.start()
    try:
        stream = RowStream(content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert stream.headers[0] == "external_id"
    # What it holds is the encoding sniff's block of 64 KB decoded (≈ 130 KB), whatever the size.
    assert peak < 512 * 2**10, (peak, len(content))


def test_duplicates_found_after_the_pass_keep_the_row_by_row_rules_and_order(regions):
    """The duplicate checks wait in a temporary file until every row is checked: each
    error still says what the row-by-row check said, in the same place among the row's
    own errors, and the same rows count as first (a row with another error still claims
    its email; a row with a repeated email or external ID claims no institution)."""
    rows = [
        "A-1,Kantor Satu,Swasta,5371031,,,Ani,,ani@example.org,0812 1111 0001",  # 2
        "A-2,Kantor Dua,Kementerian,5371031,,,Budi,,budi@example.org,",  # 3: bad kind, claims budi@
        "A-3,Kantor Tiga,Swasta,5371031,,,Cici,,budi@example.org,",  # 4: email of row 3
        "A-4,Kantor Empat,Swasta,5371031,,banyak,Dedi,,ani@example.org,0812-1111-0001",  # 5
        "A-5,Kantor Lima,Swasta,5371031,,,Eka,,eka@example.org,+62 812 1111 0001",  # 6: phone of 2
        "A-6,Kantor Lima,Swasta,5371031,,,,,,",  # 7: name of row 6? row 6 claimed none
        "A-1,Kantor Tujuh,Swasta,5371031,,,,,,",  # 8: external ID of row 2, claims no name
        "A-8,Kantor Tujuh,Swasta,5371031,,,,,,",  # 9: name of row 8? row 8 claimed none
        "A-9,KANTOR  satu,Swasta,5371031,,,,,,",  # 10: new external ID, name of row 2
        "A-9,Kantor Sepuluh,Swasta,5371031,,,,,,",  # 11: external ID claimed by row 10
        ",Kantor Tujuh,Swasta,5371031,,,,,,",  # 12: name of row 9
        ",Kantor Dua,Swasta,5371031,,,,,,",  # 13: row 3 (bad) claimed no name
    ]
    result = run(csv_bytes(*rows))
    same_email, same_phone = "The same email address is on row %d.", "The same phone number is on row %d."
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "kind", "Unknown kind “Kementerian”."),
        (4, "contact_email", same_email % 3),
        (5, "employees", "“banyak” is not a whole number."),
        (5, "contact_email", same_email % 2),
        (5, "contact_phone", same_phone % 2),
        (6, "contact_phone", same_phone % 2),
        (8, "external_id", "Duplicate of row 2."),
        (10, "name", "Duplicate of row 2."),
        (11, "external_id", "Duplicate of row 10."),
        (12, "name", "Duplicate of row 9."),
    ]
    assert not result.written and not Institution.objects.exists()
    # The whole-table checker gives the same errors.
    table = read_table(csv_bytes(*rows), "x.csv")
    with translation.override("en"):
        clean, errors = check_rows(table, imports._lookups())
    assert errors == result.errors
    assert [row.row for row in clean] == [2, 7, 9, 13]


def test_a_repeated_erased_address_is_named_before_the_erasure(regions):
    run(csv_bytes(GOOD[0]))
    contact_erase(contact=Contact.objects.get(email="maria@example.org"))
    again = GOOD[0].replace("KPG-1,Dinas Kesehatan Kota Kupang", "KPG-9,Dinas Baru")
    result = run(csv_bytes(GOOD[0], again))
    erased = "This person's data was erased at their request; it cannot be imported again."
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "contact_email", erased),
        (2, "contact_phone", erased),
        (3, "contact_email", "The same email address is on row 2."),
        (3, "contact_email", erased),
        (3, "contact_phone", "The same phone number is on row 2."),
        (3, "contact_phone", erased),
    ]
