import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from campaign.core.models import Region
from campaign.response.models import CountChange, OfficialCount
from campaign.response.services import count_import_confirm, count_import_create, counts_import

pytestmark = pytest.mark.django_db


def csv_bytes(text):
    return text.strip().encode() + b"\n"


GOOD = """
kode_wilayah;tanggal;penduduk;ruta;akses_belum_selesai
5371;2020-05-27;60.120;15.002;4.100
5371;2020-05-28;61.000;15.210;
53.12;28/05/2020;9.500;;
5371030;2020-05-28;12.004;;
"""


def imported(content=GOOD, **kwargs):
    return counts_import(content=csv_bytes(content), filename="angka.csv", source="BPS", **kwargs)


def test_a_good_file_is_stored_with_indonesian_headers_and_kemendagri_codes(regions):
    result = imported()

    assert result.ok and (result.created, result.changed, result.unchanged) == (4, 0, 0)
    stored = {
        (c.region.code, c.date.isoformat()): (c.persons, c.households, c.accessed)
        for c in OfficialCount.objects.select_related("region")
    }
    assert stored == {
        ("5371", "2020-05-27"): (60_120, 15_002, 4_100),
        ("5371", "2020-05-28"): (61_000, 15_210, None),
        ("5301", "2020-05-28"): (9_500, None, None),  # Kemendagri 53.12 is BPS 5301 (Sumba Barat)
        ("5371030", "2020-05-28"): (12_004, None, None),
    }


def test_a_bad_row_names_row_and_column_and_changes_nothing(regions):
    imported()
    before = list(OfficialCount.objects.values_list("region_id", "date", "persons"))
    bad = GOOD.replace("53.12;28/05/2020;9.500", "53.12;28/05/2020;sembilan").replace("5371030;", "9999;")

    result = imported(bad.replace("61.000", "62.000"))

    assert [(e.row, e.column) for e in result.errors] == [(4, "persons"), (5, "region_code")]
    assert "sembilan" in result.errors[0].message and "9999" in result.errors[1].message
    assert list(OfficialCount.objects.values_list("region_id", "date", "persons")) == before
    assert not CountChange.objects.exists()


def test_the_same_file_twice_changes_nothing(regions):
    imported()
    stamps = list(OfficialCount.objects.order_by("pk").values_list("pk", "imported_at"))

    again = imported()

    assert (again.created, again.changed, again.unchanged) == (0, 0, 4)
    assert list(OfficialCount.objects.order_by("pk").values_list("pk", "imported_at")) == stamps
    assert not CountChange.objects.exists()


def test_a_correction_replaces_and_is_logged(regions):
    imported()
    correction = "region_code,date,persons\n5371,2020-05-28,61500\n5371,2020-05-29,61900\n"

    result = counts_import(content=correction.encode(), filename="koreksi.csv", source="BPS koreksi")

    assert (result.created, result.changed, result.unchanged) == (1, 1, 0)
    count = OfficialCount.objects.get(region__code="5371", date=datetime.date(2020, 5, 28))
    assert (count.persons, count.households, count.source) == (61_500, None, "BPS koreksi")
    change = CountChange.objects.get()
    assert change.count == count
    assert change.old == {"persons": 61_000, "households": 15_210, "accessed": None}
    assert change.new == {"persons": 61_500, "households": None, "accessed": None}


def test_duplicates_future_dates_and_missing_columns_are_named(regions):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    text = (
        f"region_code,date,persons\n5371,2020-05-28,1\n5371,2020-05-28,2\n5371,{tomorrow},3\n5371,kemarin,4\n"
    )
    result = counts_import(content=text.encode(), filename="a.csv", source="x")
    assert [(e.row, e.column) for e in result.errors] == [(3, "region_code"), (4, "date"), (5, "date")]
    assert "row 2" in result.errors[0].message or "baris 2" in result.errors[0].message

    missing = counts_import(content=b"kode_wilayah,jumlah\n5371,3\n", filename="b.csv", source="x")
    assert {e.column for e in missing.errors} == {"date", "persons"}
    assert not OfficialCount.objects.exists()


def test_xlsx_with_date_cells(regions):
    book = Workbook()
    sheet = book.active
    sheet.append(["Kode Kemendagri", "Tanggal", "Penduduk"])
    sheet.append(["53.71.04", datetime.datetime(2020, 5, 28), 8123])
    buffer = io.BytesIO()
    book.save(buffer)

    result = counts_import(content=buffer.getvalue(), filename="angka.xlsx", source="BPS")

    assert result.ok, result.errors
    count = OfficialCount.objects.get()
    assert (count.region.code, count.date, count.persons) == ("5371030", datetime.date(2020, 5, 28), 8123)


def test_preview_then_confirm(regions):
    run = count_import_create(content=csv_bytes(GOOD), filename="angka.csv", source="BPS", user=None)
    assert run.status == "valid" and run.report["created"] == 4
    assert not OfficialCount.objects.exists()  # the preview writes nothing

    run = count_import_confirm(run=run, user=None)

    assert run.status == "done" and OfficialCount.objects.count() == 4


def test_command_prints_bad_rows_and_exits_non_zero(regions, tmp_path, capsys):
    path = tmp_path / "angka.csv"
    path.write_text("region_code,date,persons\n5371,2020-05-28,x\n")
    with pytest.raises(CommandError):
        call_command("import_official_counts", str(path))
    assert "angka.csv: " in capsys.readouterr().err
    assert not OfficialCount.objects.exists()

    path.write_text("region_code,date,persons\n5371,2020-05-28,100\n")
    call_command("import_official_counts", str(path), "--source", "BPS")
    assert OfficialCount.objects.get().region == Region.objects.get(code="5371")
