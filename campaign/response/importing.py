"""Reading and checking files of official online figures (CSV or XLSX).

The file is read by the institution registry's reader (``institutions.importing``:
size and zip-bomb limits, encodings, CSV separators, XLSX) with this file's columns;
the checks below are pure and name the row and column of every problem.

Region codes: a code made of digits is a BPS code (53, 5371, 5371030); a dotted code is
a Kemendagri code (53.71, 53.71.04), translated through the crosswalk loaded with the
regions (``Region.kemendagri_code``).
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from campaign.institutions.importing import ImportFileError, RowError, Table, parse_int, read_table

__all__ = ["COLUMNS", "CleanCount", "ImportFileError", "RowError", "check_counts", "read_counts"]

# Canonical column → accepted headers, English and Indonesian.
COLUMNS = {
    "region_code": ["region_code", "kode_wilayah", "kode_bps", "bps_code", "kode"],
    "kemendagri_code": ["kemendagri_code", "kode_kemendagri"],
    "date": ["date", "tanggal"],
    "persons": ["persons", "persons_online", "penduduk", "penduduk_online", "jumlah_penduduk"],
    "households": ["households", "ruta", "rumah_tangga", "jumlah_ruta"],
    "accessed": ["accessed", "accessed_not_completed", "akses_belum_selesai", "belum_selesai"],
}
TEMPLATE_COLUMNS = ["region_code", "date", "persons", "households", "accessed"]
# A year of daily figures for every district of a large province fits in one file.
MAX_ROWS = 500_000
LEVELS = ("province", "regency", "district")


@dataclass(frozen=True)
class CleanCount:
    row: int
    region_id: int
    date: datetime.date
    persons: int
    households: int | None
    accessed: int | None


@dataclass
class RegionLookups:
    by_bps: dict  # code → (id, level)
    by_kemendagri: dict  # dotted code → (id, level)

    @classmethod
    def load(cls):
        from campaign.core.models import Region

        by_bps, by_kemendagri = {}, {}
        for pk, code, kemendagri, level in Region.objects.filter(level__in=LEVELS).values_list(
            "pk", "code", "kemendagri_code", "level"
        ):
            by_bps[code] = (pk, level)
            if kemendagri:
                by_kemendagri[kemendagri] = (pk, level)
        return cls(by_bps=by_bps, by_kemendagri=by_kemendagri)


def read_counts(content: bytes, filename: str) -> Table:
    return read_table(content, filename, columns=COLUMNS, max_rows=MAX_ROWS)


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(value: str):
    value = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _region(value, lookups, column):
    """(id, error message) for a BPS code (digits) or a Kemendagri code (dotted)."""
    code = value.strip()
    if re.fullmatch(r"\d+(\.\d+)+", code) or column == "kemendagri_code":
        found = lookups.by_kemendagri.get(code)
        if found is None:
            return None, _("Unknown Kemendagri code “%(code)s”.") % {"code": code}
    else:
        found = lookups.by_bps.get(code)
        if found is None:
            return None, _("Unknown region code “%(code)s”.") % {"code": code}
    return found[0], None


def check_counts(table: Table, lookups: RegionLookups, *, today: datetime.date):
    """Check every row; return (clean rows, errors). Nothing is written."""
    present = set(table.headers)
    errors = []
    if "region_code" not in present and "kemendagri_code" not in present:
        errors.append(
            RowError(1, "region_code", _("Add a column “region_code” (kode_wilayah) or “kemendagri_code”."))
        )
    if "date" not in present:
        errors.append(RowError(1, "date", _("The column “date” (or “tanggal”) is missing.")))
    if "persons" not in present:
        errors.append(RowError(1, "persons", _("The column “persons” (or “penduduk”) is missing.")))
    if errors:
        return [], errors

    index = {name: position for position, name in enumerate(table.headers) if name}
    clean, seen = [], {}
    for offset, raw in enumerate(table.rows):
        row_number = offset + 2
        values = {
            name: (raw[position].strip() if position < len(raw) and raw[position] else "")
            for name, position in index.items()
        }
        row_errors = []

        def fail(column, message, row_errors=row_errors, row_number=row_number):
            row_errors.append(RowError(row_number, column, message))

        region_id = None
        column = "region_code" if values.get("region_code") else "kemendagri_code"
        if not values.get(column):
            fail("region_code", _("The region code is missing."))
        else:
            region_id, message = _region(values[column], lookups, column)
            if message:
                fail(column, message)

        date = None
        if not values.get("date"):
            fail("date", _("The date is missing."))
        else:
            date = parse_date(values["date"])
            if date is None:
                fail("date", _("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": values["date"]})
            elif date > today:
                fail("date", _("%(date)s is in the future.") % {"date": date.isoformat()})

        numbers = {}
        for name in ("persons", "households", "accessed"):
            value = values.get(name, "")
            if not value:
                numbers[name] = None
                if name == "persons":
                    fail(name, _("The number of persons is missing."))
                continue
            numbers[name] = parse_int(value)
            if numbers[name] is None:
                fail(name, _("“%(value)s” is not a whole number.") % {"value": value})

        if region_id and date and not row_errors:
            first = seen.setdefault((region_id, date), row_number)
            if first != row_number:
                fail(column, _("The same region and date are on row %(row)d.") % {"row": first})

        if row_errors:
            errors.extend(row_errors)
        else:
            clean.append(CleanCount(row_number, region_id, date, **numbers))
    return clean, errors
