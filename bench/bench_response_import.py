"""Import of official online figures at national volume (issue 16): 365 days × 7,200
districts, 2.6 million rows, in under 60 s on SQLite with flat memory.

Indonesia's 7,200 districts are not in the NTT reference data: the benchmark creates
synthetic ones (36 provinces × 20 regencies × 10 districts, codes 11… to 46…) in its
own database. The figures are written to a temporary CSV file (a day's districts
together, as the official exports list them) and imported from disk with
``counts_import`` — the path of the admin upload and of ``import_official_counts``.

At two sizes (14 days = 100,800 rows, then the whole year) it times the import into an
empty table, and reads the process's peak resident memory during it (Linux: VmHWM,
reset before each run through /proc/self/clear_refs). Then it imports the year's file
again (every row unchanged: nothing written) and a correction of one day (7,200
figures replaced and logged). Last, the Python heap's peak (tracemalloc) at 100,800
rows and at 500,000 rows (the first 500,000 of the year): tracing slows Python several
times, so it runs apart from the timed imports.
"""

import datetime
import os
import re
import tempfile
import time
import tracemalloc
from pathlib import Path

from django.db import connection

from bench.common import Result
from campaign.core.models import Region
from campaign.response.models import CountChange, OfficialCount
from campaign.response.services import counts_import

PROVINCES, REGENCIES, DISTRICTS = 36, 20, 10  # 7,200 districts
YEAR = 365
SMALL_DAYS = 14
HEAP_ROWS = 500_000
START = datetime.date(2020, 1, 1)
GOAL_SECONDS = 60


def districts():
    """Synthetic provinces, regencies and districts; the districts' codes in order."""
    Region.objects.bulk_create(
        Region(code=f"{11 + p}", name=f"Provinsi Uji {p + 1}", level="province") for p in range(PROVINCES)
    )
    provinces = list(Region.objects.filter(level="province").order_by("code"))
    Region.objects.bulk_create(
        Region(
            code=f"{province.code}{r + 1:02d}",
            name=f"Kabupaten Uji {province.code}{r + 1:02d}",
            level="regency",
            parent=province,
        )
        for province in provinces
        for r in range(REGENCIES)
    )
    regencies = list(Region.objects.filter(level="regency").order_by("code"))
    Region.objects.bulk_create(
        Region(
            code=f"{regency.code}{d + 1:03d}",
            name=f"Kecamatan Uji {regency.code}{d + 1:03d}",
            level="district",
            parent=regency,
        )
        for regency in regencies
        for d in range(DISTRICTS)
    )
    return list(Region.objects.filter(level="district").order_by("code").values_list("code", flat=True))


def write_csv(path: Path, codes, days, *, bump=0, limit=None):
    """Cumulative daily figures, a day's districts together; ``bump`` adds to every
    figure (a correction file); ``limit`` cuts the file after that many rows."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write("kode_wilayah,tanggal,penduduk,ruta,akses_belum_selesai\n")
        for day in range(days):
            date = (START + datetime.timedelta(days=day)).isoformat()
            lines = []
            for index, code in enumerate(codes):
                persons = 40 * (day + 1) + index % 97 + bump
                lines.append(f"{code},{date},{persons},{persons // 4},{index % 13}\n")
            if limit is not None and rows + len(lines) > limit:
                lines = lines[: limit - rows]
            file.write("".join(lines))
            rows += len(lines)
            if limit is not None and rows >= limit:
                break
    return rows


def _hwm_kb():
    match = re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())
    return int(match.group(1))


def _rss_kb():
    match = re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text())
    return int(match.group(1))


def _reset_hwm():
    """Start a new peak of resident memory (Linux ≥ 4.0); False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def import_file(path: Path, source="bench"):
    with path.open("rb") as file:
        started, cpu = time.perf_counter(), time.process_time()
        result = counts_import(file=file, filename=path.name, source=source)
        seconds = time.perf_counter() - started
        import_file.cpu = time.process_time() - cpu
    assert result.ok, result.errors[:3]
    return seconds, result


def measured(path: Path):
    """(seconds, result, rss before in MB, peak rss during in MB or None, CPU seconds)."""
    before = _rss_kb() / 1024
    resettable = _reset_hwm()
    seconds, result = import_file(path)
    peak = _hwm_kb() / 1024 if resettable else None
    return seconds, result, before, peak, import_file.cpu


def empty_tables():
    """Straight SQL: Django's cascading delete would load every row's key first."""
    with connection.cursor() as cursor:
        for model in (CountChange, OfficialCount):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def heap_peak_mb(path: Path):
    empty_tables()
    tracemalloc.start()
    try:
        import_file(path)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run():
    codes = districts()
    assert len(codes) == PROVINCES * REGENCIES * DISTRICTS
    workdir = Path(tempfile.mkdtemp(prefix="jemputbola-counts-"))
    small, year, heap, correction = (
        workdir / name for name in ("small.csv", "year.csv", "heap.csv", "fix.csv")
    )
    small_rows = write_csv(small, codes, SMALL_DAYS)
    year_rows = write_csv(year, codes, YEAR)
    heap_rows = write_csv(heap, codes, YEAR, limit=HEAP_ROWS)
    write_csv(correction, codes, 1, bump=5)
    year_mb = year.stat().st_size / 2**20

    small_seconds, small_result, small_before, small_peak, small_cpu = measured(small)
    assert small_result.created == small_rows
    empty_tables()

    year_seconds, year_result, year_before, year_peak, year_cpu = measured(year)
    assert year_result.created == year_rows == YEAR * len(codes)
    assert OfficialCount.objects.count() == year_rows

    again_seconds, again, _before, again_peak, again_cpu = measured(year)
    assert (again.created, again.changed, again.unchanged) == (0, 0, year_rows)
    assert not CountChange.objects.exists()

    fix_seconds, fixed = import_file(correction, source="bench correction")
    assert (fixed.created, fixed.changed) == (0, len(codes))
    assert CountChange.objects.count() == len(codes)

    # Last, as tracing slows Python several times and leaves its own memory behind.
    small_heap = heap_peak_mb(small)
    big_heap = heap_peak_mb(heap)

    for path in (small, year, heap, correction):
        path.unlink()
    os.rmdir(workdir)

    def rss(before, peak):
        if peak is None:
            return "peak RSS not readable here"
        return f"peak RSS {peak:.0f} MB (+{peak - before:.0f} MB over the {before:.0f} MB before)"

    vendor = connection.vendor
    flat = "flat" if big_heap <= small_heap * 1.25 + 1 else "NOT flat"
    return [
        Result(
            f"counts import, {small_rows:,} rows (14 days × 7,200 districts)",
            small_rows / small_seconds,
            "rows/s",
            note=f"{small_seconds:.1f} s ({small_cpu:.1f} s CPU), {rss(small_before, small_peak)}, {vendor}",
        ),
        Result(
            f"counts import, {year_rows:,} rows (365 days × 7,200; {year_mb:.0f} MB CSV)",
            year_seconds,
            "s",
            goal=f"< {GOAL_SECONDS} s",
            note=f"{year_rows / year_seconds:,.0f} rows/s, {year_cpu:.1f} s CPU, "
            f"{rss(year_before, year_peak)}",
        ),
        Result(
            "counts import, Python heap peak (tracemalloc)",
            big_heap,
            "MB",
            goal="flat",
            note=f"{flat}: {small_heap:.1f} MB at {small_rows:,} rows, "
            f"{big_heap:.1f} MB at {heap_rows:,} rows",
        ),
        Result(
            f"counts re-import of the same {year_rows:,} rows (nothing written)",
            again_seconds,
            "s",
            note=f"{year_rows / again_seconds:,.0f} rows/s, {again_cpu:.1f} s CPU, "
            f"{rss(year_before, again_peak)}",
        ),
        Result(
            f"counts correction of one day ({len(codes):,} figures replaced and logged)",
            fix_seconds,
            "s",
        ),
    ]
