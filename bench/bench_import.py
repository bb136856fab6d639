"""Institution import at benchmark volume: 50,000 rows, each with a contact.

Times a dry run and a real import (rows/s of wall and of CPU time: SQLite runs in the
process), and a second import of the same file (every row unchanged); then the peak
Python heap (tracemalloc) of a dry run of that file and of writes of 10,000 and
100,000 rows into an empty registry (the issue-20 goal: the same peak whatever the
file's size). Also measures the admin institution list over the 50,000 rows.

``BENCH_IMPORT_ROWS`` sets the volume (the heap is then measured at a fifth and at twice
it). ``BENCH_IMPORT_BEFORE=<git revision>`` measures that revision too, in the same
run: each side in its own process and fresh SQLite database, alternating
``BENCH_IMPORT_ROUNDS`` times (default 1).
"""

import csv
import io
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import override_settings

from bench.common import ROOT, Result, archive_tree, child_main, measure_in_tree, timed
from campaign.core.models import Region
from campaign.core.services import regions_load
from campaign.institutions.models import Contact, Institution
from campaign.institutions.services import institution_kinds_seed, institutions_import

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 50_000))
BEFORE = os.environ.get("BENCH_IMPORT_BEFORE", "").strip()
ROUNDS = int(os.environ.get("BENCH_IMPORT_ROUNDS", 1))
KINDS = ["Kantor Pemerintah", "DPRD", "BUMN", "BUMD", "Lembaga Pendidikan", "Swasta"]


def spreadsheet(rows=None):
    rows = ROWS if rows is None else rows
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
    for n in range(rows):
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
    started, cpu = time.perf_counter(), time.process_time()
    result = institutions_import(content=content, filename="bench.csv", source="bench", dry_run=dry_run)
    assert result.ok, result.errors[:3]
    return time.perf_counter() - started, result, time.process_time() - cpu


def peak_mb(function):
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _empty_registry():
    from wagtail.models import ModelLogEntry

    ModelLogEntry.objects.all().delete()
    Contact.objects.all().delete()
    Institution.objects.all().delete()


def measure():
    regions_load()
    institution_kinds_seed()
    content = spreadsheet()
    measured = {"rows": ROWS, "mb": len(content) / 2**20}

    measured["dry"] = import_once(content, dry_run=True)[::2]
    seconds, result, cpu = import_once(content, dry_run=False)
    assert result.created == ROWS and result.contacts_created == ROWS
    measured["write"] = (seconds, cpu)
    seconds, again, cpu = import_once(content, dry_run=False)
    assert again.unchanged == ROWS and again.created == 0
    measured["again"] = (seconds, cpu)
    measured["dry_peak"] = peak_mb(lambda content=content: import_once(content, dry_run=True))

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
    measured["list"] = (median, queries, filtered)

    content = None  # the 50,000-row file is not part of the next runs' heap
    measured["write_peaks"] = []
    for rows in (ROWS // 5, ROWS * 2):
        _empty_registry()
        content = spreadsheet(rows)
        measured["write_peaks"].append(
            (rows, peak_mb(lambda content=content: import_once(content, dry_run=False)))
        )
        del content
    measured["vendor"] = connection.vendor
    return measured


def _child():
    child_main(measure)


def _results(label, measured):
    rows, mb = measured["rows"], measured["mb"]
    dry, dry_cpu = measured["dry"]
    write, write_cpu = measured["write"]
    again, again_cpu = measured["again"]
    median, queries, filtered = measured["list"]
    peaks = ", ".join(f"{peak:.0f} MB at {n:,} rows" for n, peak in measured["write_peaks"])
    return [
        Result(
            f"import{label}: dry run, {rows:,} rows ({mb:.1f} MB CSV)",
            rows / dry,
            "rows/s",
            note=f"{dry:.1f} s ({dry_cpu:.1f} s CPU), peak heap {measured['dry_peak']:.0f} MB",
        ),
        Result(
            f"import{label}: write, {rows:,} rows + {rows:,} contacts",
            write,
            "s",
            goal="≤ 20 s quiet",
            note=f"{rows / write:,.0f} rows/s, {write_cpu:.1f} s CPU, {measured['vendor']}",
        ),
        Result(
            f"import{label}: write, peak heap",
            max(peak for _n, peak in measured["write_peaks"]),
            "MB",
            goal="flat",
            note=peaks,
        ),
        Result(
            f"import{label}: re-import same file (all unchanged)",
            rows / again,
            "rows/s",
            note=f"{again:.1f} s ({again_cpu:.1f} s CPU)",
        ),
        Result(
            f"import{label}: admin institution list, {rows:,} rows",
            median,
            "ms",
            note=f"{queries:.0f} queries",
        ),
        Result(f"import{label}: admin institution list, filtered", filtered, "ms"),
    ]


def run():
    if not BEFORE:
        return _results("", measure())
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-import-before-") as workdir:
        before_tree = archive_tree(BEFORE, Path(workdir), "bench_import.py")
        for round_number in range(1, ROUNDS + 1):
            for label, tree in ((f" before ({BEFORE})", before_tree), (" after", ROOT)):
                print(f"  import round {round_number}:{label}", flush=True)
                measured = measure_in_tree(tree, "bench_import", label.split()[0])
                results += _results(f"{label} #{round_number}", measured)
    return results
