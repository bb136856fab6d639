"""Imports of files larger than one write chunk (10,000 rows), read from disk: all or
nothing, idempotent, corrections logged row by row."""

import datetime
import random

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from campaign.core.models import Region
from campaign.response.models import CountChange, OfficialCount
from campaign.response.services import CHUNK, counts_import

pytestmark = pytest.mark.django_db

START = datetime.date(2020, 2, 15)


def figures(codes, days):
    """{(code, date): (persons, households)}: a day's districts together, as exported."""
    return {
        (code, START + datetime.timedelta(days=day)): (100 * (day + 1) + index, 25 * (day + 1))
        for day in range(days)
        for index, code in enumerate(codes)
    }


def write(path, rows, *, last=None, order=None):
    keys = list(rows) if order is None else order
    with path.open("w", encoding="utf-8") as file:
        file.write("kode_wilayah;tanggal;penduduk;ruta\n")
        for code, date in keys:
            persons, households = rows[code, date]
            file.write(f"{code};{date:%d/%m/%Y};{persons};{'' if households is None else households}\n")
        if last:
            file.write(last + "\n")
    return path


def imported(path, source="BPS"):
    with path.open("rb") as file:
        return counts_import(file=file, filename=path.name, source=source)


@pytest.fixture
def large(regions, tmp_path):
    """About 20,000 rows: every NTT district over enough days, in a file on disk."""
    codes = list(Region.objects.filter(level="district").order_by("code").values_list("code", flat=True))
    days = -(-20_000 // len(codes))
    rows = figures(codes, days)
    assert len(rows) > 2 * CHUNK
    return rows, write(tmp_path / "angka.csv", rows)


def stored():
    return {
        (code, date): (persons, households)
        for code, date, persons, households in OfficialCount.objects.values_list(
            "region__code", "date", "persons", "households"
        )
    }


def test_a_bad_last_row_names_row_and_column_and_nothing_is_written(large, tmp_path):
    rows, path = large
    first_day = {key: value for key, value in rows.items() if key[1] == START}
    assert imported(write(tmp_path / "hari1.csv", first_day)).ok
    before = stored()
    changed = {key: (persons + 1, households) for key, (persons, households) in rows.items()}
    bad = write(tmp_path / "buruk.csv", changed, last="5371030;28/05/2020;seribu;3")

    result = imported(bad)

    last_row = len(rows) + 2  # the header is row 1
    assert [(e.row, e.column) for e in result.errors] == [(last_row, "persons")]
    assert "seribu" in result.errors[0].message
    assert stored() == before  # not the first 20,000 rows either, nor their corrections
    assert not CountChange.objects.exists()


def test_a_repeated_region_and_date_names_the_first_row_far_above(large, tmp_path):
    rows, path = large
    code, date = next(iter(rows))
    repeated = write(tmp_path / "ganda.csv", rows, last=f"{code};{date:%d/%m/%Y};1;1")

    result = imported(repeated)

    assert [(e.row, e.column) for e in result.errors] == [(len(rows) + 2, "region_code")]
    assert "2" in result.errors[0].message.split()[-1]  # "… on row 2."
    assert not OfficialCount.objects.exists()


def test_the_same_file_twice_writes_nothing(large):
    rows, path = large
    first = imported(path)
    assert (first.created, first.changed, first.unchanged) == (len(rows), 0, 0)
    stamps = list(OfficialCount.objects.order_by("pk").values_list("pk", "imported_at", "source"))

    with CaptureQueriesContext(connection) as queries:
        again = imported(path, source="BPS lagi")

    assert (again.created, again.changed, again.unchanged) == (0, 0, len(rows))
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert list(OfficialCount.objects.order_by("pk").values_list("pk", "imported_at", "source")) == stamps
    assert not CountChange.objects.exists()
    assert stored() == rows


def test_a_correction_replaces_and_logs_only_the_rows_that_changed(large, tmp_path):
    rows, path = large
    assert imported(path).ok
    keys = list(rows)
    corrected = dict(rows)
    picked = [keys[0], keys[CHUNK - 1], keys[CHUNK], keys[-1]]  # on both sides of a chunk
    corrected[picked[0]] = (rows[picked[0]][0] + 7, rows[picked[0]][1])
    corrected[picked[1]] = (rows[picked[1]][0], None)  # households no longer given
    corrected[picked[2]] = (rows[picked[2]][0] - 1, rows[picked[2]][1] + 1)
    corrected[picked[3]] = (rows[picked[3]][0] + 1000, rows[picked[3]][1])
    shuffled = keys[:]
    random.Random(16).shuffle(shuffled)  # any order: the comparison is per region and date
    correction = write(tmp_path / "koreksi.csv", corrected, order=shuffled)

    result = imported(correction, source="BPS koreksi")

    assert (result.created, result.changed, result.unchanged) == (0, 4, len(rows) - 4)
    assert stored() == corrected
    logged = {
        (change.count.region.code, change.count.date): (change.old, change.new, change.source)
        for change in CountChange.objects.select_related("count__region")
    }
    assert logged == {
        key: (
            {"persons": rows[key][0], "households": rows[key][1], "accessed": None},
            {"persons": corrected[key][0], "households": corrected[key][1], "accessed": None},
            "BPS koreksi",
        )
        for key in picked
    }
    sources = dict(OfficialCount.objects.values_list("source").annotate(n=Count("pk")))
    assert sources == {"BPS koreksi": 4, "BPS": len(rows) - 4}


def test_an_xlsx_upload_is_kept_as_a_file_and_read_from_it_twice(regions):
    import io

    from openpyxl import Workbook

    from campaign.response.services import count_import_confirm, count_import_create

    book = Workbook()
    sheet = book.active
    sheet.append(["Kode Wilayah", "Tanggal", "Penduduk"])
    for day in range(1, 29):
        sheet.append(["5371", datetime.datetime(2020, 2, day), 1000 + day])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)

    run = count_import_create(file=buffer, filename="angka.xlsx", source="BPS", user=None)

    assert run.status == "valid" and run.report["created"] == 28, run.report
    assert run.file.name.startswith("response/imports/") and run.file.name.endswith(".xlsx")
    assert "angka" not in run.file.name  # the uploader's name is not a path in the storage
    assert not OfficialCount.objects.exists()
    run = count_import_confirm(run=run, user=None)
    assert run.status == "done" and OfficialCount.objects.count() == 28
