"""Institution import at benchmark volume: 50,000 rows, each with a contact.

Times a dry run and a real import (rows/s), then repeats each under tracemalloc for the
peak Python heap, and times a second import of the same file (every row unchanged).
Also measures the admin institution list over the 50,000 rows: time and queries.
"""

import csv
import io
import time
import tracemalloc

from django.contrib.auth import get_user_model
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import override_settings

from bench.common import Result, timed
from campaign.core.models import Region
from campaign.core.services import regions_load
from campaign.institutions.models import Contact, Institution
from campaign.institutions.services import institution_kinds_seed, institutions_import

ROWS = 50_000
KINDS = ["Kantor Pemerintah", "DPRD", "BUMN", "BUMD", "Lembaga Pendidikan", "Swasta"]


def spreadsheet():
    districts = list(Region.objects.filter(level="district").values_list("code", flat=True))
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(
        [
            "external_id",
            "nama",
            "jenis",
            "kode_wilayah",
            "alamat",
            "jumlah_pegawai",
            "nama_kontak",
            "jabatan_kontak",
            "email_kontak",
            "telepon_kontak",
        ]
    )
    for n in range(ROWS):
        writer.writerow(
            [
                f"B-{n:06d}",
                f"Institusi Uji {n:06d}",
                KINDS[n % 6],
                districts[n % len(districts)],
                f"Jl. Uji No. {n}",
                10 + n % 500,
                f"Kontak {n}",
                "Sekretaris",
                f"kontak{n}@bench.example.org",
                f"0812{n:08d}",
            ]
        )
    return output.getvalue().encode()


def import_once(content, dry_run):
    started = time.perf_counter()
    result = institutions_import(content=content, filename="bench.csv", source="bench", dry_run=dry_run)
    assert result.ok, result.errors[:3]
    return time.perf_counter() - started, result


def peak_mb(function):
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run():
    regions_load()
    institution_kinds_seed()
    content = spreadsheet()
    size_mb = len(content) / 2**20

    dry_seconds, _ = import_once(content, dry_run=True)
    dry_peak = peak_mb(lambda: import_once(content, dry_run=True))
    write_seconds, result = import_once(content, dry_run=False)
    assert result.created == ROWS and result.contacts_created == ROWS
    again_seconds, again = import_once(content, dry_run=False)
    assert again.unchanged == ROWS and again.created == 0

    Contact.objects.all().delete()
    Institution.objects.all().delete()
    write_peak = peak_mb(lambda: import_once(content, dry_run=False))

    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    client = Client()
    client.force_login(user)
    with override_settings(DEBUG=True):
        reset_queries()
        assert client.get("/admin/snippets/institutions/institution/").status_code == 200
        median, _, queries = timed(lambda: client.get("/admin/snippets/institutions/institution/"), repeat=20)
        filtered, _, _ = timed(
            lambda: client.get("/admin/snippets/institutions/institution/?kind=1&status=not_contacted"),
            repeat=20,
        )
    vendor = connection.vendor
    return [
        Result(
            f"import dry run, {ROWS:,} rows ({size_mb:.1f} MB CSV)",
            ROWS / dry_seconds,
            "rows/s",
            note=f"{dry_seconds:.1f} s, peak heap {dry_peak:.0f} MB",
        ),
        Result(
            f"import write, {ROWS:,} rows + {ROWS:,} contacts",
            ROWS / write_seconds,
            "rows/s",
            note=f"{write_seconds:.1f} s, peak heap {write_peak:.0f} MB, {vendor}",
        ),
        Result(
            "re-import same file (all unchanged)",
            ROWS / again_seconds,
            "rows/s",
            note=f"{again_seconds:.1f} s",
        ),
        Result(f"admin institution list, {ROWS:,} rows", median, "ms", note=f"{queries:.0f} queries"),
        Result("admin institution list, filtered", filtered, "ms"),
    ]
