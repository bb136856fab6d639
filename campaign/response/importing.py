"""Reading and checking files of official online figures (CSV or XLSX), row by row.

A year of daily figures for every district of the country is 2.6 million rows (about
100 MB of CSV), so the file is never held whole: ``CountFile`` reads it from disk (or
any seekable binary file) lazily, as often as the import needs (a first pass checks
every row, a second writes). The checks are pure and name the row and column of every
problem. Row numbers are spreadsheet rows: the header is row 1, blank rows count.

Region codes: a code made of digits is a BPS code (53, 5371, 5371030); a dotted code is
a Kemendagri code (53.71, 53.71.04), translated through the crosswalk loaded with the
regions (``Region.kemendagri_code``).
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from campaign.institutions.importing import ImportFileError, RowError, Table, parse_int

__all__ = [
    "COLUMNS",
    "CleanCount",
    "CountChecker",
    "CountFile",
    "ImportFileError",
    "RowError",
    "check_counts",
]

# Canonical column → accepted headers, English and Indonesian.
COLUMNS = {
    "region_code": ["region_code", "kode_wilayah", "kode_bps", "bps_code", "kode"],
    "kemendagri_code": ["kemendagri_code", "kode_kemendagri"],
    "date": ["date", "tanggal"],
    "persons": ["persons", "persons_online", "penduduk", "penduduk_online", "jumlah_penduduk"],
    "households": ["households", "ruta", "rumah_tangga", "jumlah_ruta"],
    "accessed": ["accessed", "accessed_not_completed", "akses_belum_selesai", "belum_selesai"],
}
_ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
TEMPLATE_COLUMNS = ["region_code", "date", "persons", "households", "accessed"]
# A year of daily figures for every district of Indonesia (365 × 7,200) fits in one file.
MAX_ROWS = 3_000_000
MAX_FILE_BYTES = 300 * 1024 * 1024
# XLSX is a zip: refuse archives that would inflate far beyond their size (zip bombs).
MAX_XLSX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_XLSX_MEMBERS = 1_000
# Problems kept with their text (the rest are counted): a file wrong on every row would
# otherwise hold millions of messages.
MAX_ERRORS = 1_000
# The columns are PositiveIntegerField: PostgreSQL's integer.
MAX_NUMBER = 2_147_483_647
LEVELS = ("province", "regency", "district")
_BLOCK = 1024 * 1024


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


def canonical_header(header) -> str:
    key = re.sub(r"[\s\-]+", "_", (header or "").strip().casefold())
    return _ALIASES.get(key, "")


# --- Reading ------------------------------------------------------------------------

# A valid UTF-8 sequence of two to four bytes: Windows-1252 text practically never has one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _file_size(file) -> int:
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


class CountFile:
    """A CSV (comma or semicolon; UTF-8 with or without BOM, or Windows-1252) or XLSX
    file, read row by row each time ``rows()`` is called.

    ``file`` is a seekable binary file (an open file on disk, an upload, a BytesIO);
    it is refused before parsing when too large, an old binary Excel file, an archive
    that would inflate too far, or not a spreadsheet.
    """

    def __init__(self, file, filename: str = ""):
        self.file = file
        self.filename = filename
        size = _file_size(file)
        if size > MAX_FILE_BYTES:
            raise ImportFileError(
                _("The file is larger than %(limit)d MB. Split it into smaller files.")
                % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
            )
        start = file.read(4096)
        file.seek(0)
        if not start.strip():
            raise ImportFileError(_("The file is empty."))
        if start.startswith(b"PK\x03\x04"):
            self.kind = "xlsx"
            self._check_xlsx()
        elif start.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportFileError(
                _("Old Excel files (.xls) are not supported. Save the sheet as .xlsx or .csv.")
            )
        else:
            if b"\x00" in start:
                raise ImportFileError(_("This is not a spreadsheet (CSV or XLSX)."))
            self.kind = "csv"
            self.encoding = self._sniff_encoding()
        self.header_row, self.original_headers = self._header()
        self.headers = [canonical_header(cell) for cell in self.original_headers]

    @property
    def unknown_columns(self):
        return [o for o, c in zip(self.original_headers, self.headers, strict=True) if o and not c]

    def rows(self):
        """(row number, cells) of every data row after the header; blank rows skipped."""
        for number, cells in self._records():
            if number > self.header_row and "".join(cells).strip():
                yield number, cells

    def _header(self):
        for number, cells in self._records():
            if any(cell.strip() for cell in cells):
                return number, [cell.strip() for cell in cells]
        raise ImportFileError(_("The file is empty."))

    def _records(self):
        if self.kind == "xlsx":
            yield from self._xlsx_records()
        else:
            yield from self._csv_records()

    # CSV

    def _sniff_encoding(self) -> str:
        """UTF-8 when every byte decodes as such, else Windows-1252 unless the file has
        UTF-8 letters in it (then a broken row would be imported garbled): one pass over
        the bytes, a block at a time."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        newlines = 0
        has_utf8 = False
        self.file.seek(0)
        while block := self.file.read(_BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                if has_utf8 or _UTF8_SEQUENCE.search(block):
                    row = newlines + block.count(b"\n", 0, max(error.start, 0)) + 1
                    raise ImportFileError(
                        _(
                            "Row %(row)d is not valid UTF-8 text, unlike the rest of the file. "
                            "Correct it, save the file as “CSV UTF-8” and upload it again."
                        )
                        % {"row": row}
                    ) from error
                return self._check_cp1252()
            has_utf8 = has_utf8 or not block.isascii()
            newlines += block.count(b"\n")
        self.file.seek(0)
        return "utf-8-sig"

    def _check_cp1252(self) -> str:
        decoder = codecs.getincrementaldecoder("cp1252")()
        self.file.seek(0)
        try:
            while block := self.file.read(_BLOCK):
                decoder.decode(block)
        except UnicodeDecodeError as error:
            raise ImportFileError(_("The file's text encoding is not UTF-8 or Windows-1252.")) from error
        self.file.seek(0)
        return "cp1252"

    def _csv_records(self):
        self.file.seek(0)
        text = io.TextIOWrapper(self.file, encoding=self.encoding, newline="")
        try:
            first_line = text.readline()
            delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
            text.seek(0)
            reader = csv.reader(text, delimiter=delimiter)
            number = 0
            try:
                for number, cells in enumerate(reader, start=1):  # noqa: B007 - number used below
                    yield number, cells
            except csv.Error as error:
                raise ImportFileError(
                    _("The CSV file is malformed at row %(row)d: %(error)s")
                    % {"row": number + 1, "error": error}
                ) from error
        finally:
            text.detach()  # the caller's file stays open for the next pass

    # XLSX

    def _check_xlsx(self):
        try:
            archive = zipfile.ZipFile(self.file)
            members = archive.infolist()
            names = archive.namelist()
        except zipfile.BadZipFile as error:
            raise ImportFileError(_("This is not a spreadsheet (CSV or XLSX).")) from error
        finally:
            self.file.seek(0)
        total = sum(member.file_size for member in members)
        packed = sum(member.compress_size for member in members) or 1
        if (
            len(members) > MAX_XLSX_MEMBERS
            or total > MAX_XLSX_UNCOMPRESSED_BYTES
            or total / packed > MAX_XLSX_RATIO
        ):
            raise ImportFileError(_("The XLSX file unpacks to far more than its size; refused."))
        if "xl/workbook.xml" not in names:
            raise ImportFileError(_("This is not a spreadsheet (CSV or XLSX)."))

    def _xlsx_records(self):
        from openpyxl import load_workbook

        self.file.seek(0)
        try:
            workbook = load_workbook(self.file, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for broken files
            raise ImportFileError(_("The XLSX file cannot be read.")) from error
        number = 0
        try:
            sheet = workbook.worksheets[0]
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):  # noqa: B007
                yield number, [_cell_text(value) for value in row]
        except ImportFileError:
            raise
        except Exception as error:  # the sheet's XML is parsed row by row, as it is read
            raise ImportFileError(
                _("Row %(row)d of the XLSX file cannot be read (damaged or wrongly encoded text).")
                % {"row": number + 1}
            ) from error
        finally:
            workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    return str(value)


# --- Checking -----------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(value: str):
    value = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


class _Seen:
    """Which (region, day) pairs a file has had: one bit per region and day (a year of
    7,200 districts takes a few hundred KB, not a set of 2.6 million tuples)."""

    def __init__(self):
        self.bits = {}  # region id → [first ordinal, bytearray]

    def add(self, region_id, ordinal) -> bool:
        """Mark the pair; True when it was already marked."""
        entry = self.bits.get(region_id)
        if entry is None:
            entry = self.bits[region_id] = [ordinal, bytearray(48)]
        offset = ordinal - entry[0]
        if offset < 0:
            grow = -offset // 8 + 48
            entry[0] -= grow * 8
            entry[1] = bytearray(grow) + entry[1]
            offset += grow * 8
        bits = entry[1]
        index = offset >> 3
        if index >= len(bits):
            bits.extend(bytearray(index - len(bits) + 48))
        mask = 1 << (offset & 7)
        if bits[index] & mask:
            return True
        bits[index] |= mask
        return False


class CountChecker:
    """Checks one row at a time; holds only what does not grow with the file (the
    region lookups, the dates seen, one bit per region and day)."""

    def __init__(self, headers, lookups: RegionLookups, *, today: datetime.date):
        self.headers = headers
        self.lookups = lookups
        self.today = today
        self.index = {name: position for position, name in enumerate(headers) if name}
        self.header_errors = []
        present = set(self.index)
        if "region_code" not in present and "kemendagri_code" not in present:
            self.header_errors.append(
                RowError(
                    1, "region_code", _("Add a column “region_code” (kode_wilayah) or “kemendagri_code”.")
                )
            )
        if "date" not in present:
            self.header_errors.append(RowError(1, "date", _("The column “date” (or “tanggal”) is missing.")))
        if "persons" not in present:
            self.header_errors.append(
                RowError(1, "persons", _("The column “persons” (or “penduduk”) is missing."))
            )
        self._dates = {}  # text → date, or None when it is not a date
        self._good_dates = {}  # text → date, for dates that are not in the future
        self._fast = None
        if "region_code" in self.index and "date" in self.index and "persons" in self.index:
            self._fast = (
                self.index["region_code"],
                self.index["date"],
                self.index["persons"],
                self.index.get("households"),
                self.index.get("accessed"),
                max(self.index.values()) + 1,
            )
        self.seen = _Seen()
        self.duplicates = {}  # (region id, date) → row numbers that repeat it

    def _cell(self, cells, name):
        position = self.index.get(name)
        if position is None or position >= len(cells):
            return ""
        return (cells[position] or "").strip()

    def _date(self, value):
        found = self._dates.get(value, False)
        if found is False:
            try:
                iso = len(value) == 10 and value[4] == "-" and value[7] == "-"
                found = datetime.date.fromisoformat(value) if iso else parse_date(value)
            except ValueError:
                found = parse_date(value)
            if len(self._dates) < 100_000:  # a year of days is 365 texts
                self._dates[value] = found
                if found is not None and found <= self.today:
                    self._good_dates[value] = found
        return found

    def _region(self, cells):
        """(id, column, error message) for a BPS code (digits) or a Kemendagri code."""
        column = "region_code"
        code = self._cell(cells, "region_code")
        if not code:
            column = "kemendagri_code"
            code = self._cell(cells, "kemendagri_code")
            if not code:
                return None, "region_code", _("The region code is missing.")
        if column == "region_code" and "." not in code:
            found = self.lookups.by_bps.get(code)
            if found is None:
                return None, column, _("Unknown region code “%(code)s”.") % {"code": code}
            return found[0], column, None
        found = self.lookups.by_kemendagri.get(code)
        if found is None:
            return None, column, _("Unknown Kemendagri code “%(code)s”.") % {"code": code}
        return found[0], column, None

    def clean(self, row_number, cells):
        """(clean row as a tuple (region id, date, persons, households, accessed), or
        None, the column holding the region code, and the row's errors)."""
        if self._fast is not None and len(cells) >= self._fast[5]:
            row = self._clean_fast(cells)
            if row is not None:
                return row, "region_code", []
        return self._clean(row_number, cells)

    def _clean_fast(self, cells):
        """The row when it is plainly good (a known BPS code, a date already seen, plain
        digits), else None and ``_clean`` decides: two passes over millions of rows
        spend most of their time here."""
        code_at, date_at, persons_at, households_at, accessed_at, _width = self._fast
        found = self.lookups.by_bps.get(cells[code_at].strip())
        date = self._good_dates.get(cells[date_at].strip())
        if found is None or date is None:
            return None
        numbers = []
        for position in (persons_at, households_at, accessed_at):
            if position is None:
                numbers.append(None)
                continue
            value = cells[position].strip()
            if value.isdigit() and value.isascii() and len(value) < 10:
                numbers.append(int(value))
            elif value or position == persons_at:
                return None
            else:
                numbers.append(None)
        return (found[0], date, *numbers)

    def _clean(self, row_number, cells):
        errors = []
        region_id, column, message = self._region(cells)
        if message:
            errors.append(RowError(row_number, column, message))

        date = None
        value = self._cell(cells, "date")
        if not value:
            errors.append(RowError(row_number, "date", _("The date is missing.")))
        else:
            date = self._date(value)
            if date is None:
                errors.append(
                    RowError(
                        row_number,
                        "date",
                        _("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": value},
                    )
                )
            elif date > self.today:
                errors.append(
                    RowError(row_number, "date", _("%(date)s is in the future.") % {"date": date.isoformat()})
                )

        numbers = []
        for name in ("persons", "households", "accessed"):
            value = self._cell(cells, name)
            if not value:
                numbers.append(None)
                if name == "persons":
                    errors.append(RowError(row_number, name, _("The number of persons is missing.")))
                continue
            number = int(value) if value.isascii() and value.isdigit() else parse_int(value)
            if number is None:
                errors.append(
                    RowError(row_number, name, _("“%(value)s” is not a whole number.") % {"value": value})
                )
            elif number > MAX_NUMBER:
                errors.append(RowError(row_number, name, _("%(value)s is too large.") % {"value": value}))
                number = None
            numbers.append(number)

        if errors:
            return None, column, errors
        return (region_id, date, *numbers), column, errors

    def check(self, row_number, cells):
        """``clean``, and a region and date already seen in the file is an error. Its
        message is left empty: the first row with that region and date is found by a
        second look at the file (``first_rows``), as remembering every row's number
        would not stay small."""
        row, column, errors = self.clean(row_number, cells)
        if errors:
            return None, errors
        if self.seen.add(row[0], row[1].toordinal()):
            if len(self.duplicates) < MAX_ERRORS:
                self.duplicates.setdefault((row[0], row[1]), []).append(row_number)
            return None, [RowError(row_number, column, "")]
        return row, errors

    def first_rows(self, rows):
        """{(region id, date): the first good row that has it}, for the duplicates found."""
        wanted = set(self.duplicates)
        first = {}
        for number, cells in rows:
            row, _column, errors = self.clean(number, cells)
            if errors or (row[0], row[1]) not in wanted:
                continue
            first.setdefault((row[0], row[1]), number)
            if len(first) == len(wanted):
                break
        return first


def duplicate_message(first_row: int) -> str:
    return _("The same region and date are on row %(row)d.") % {"row": first_row}


def check_counts(table: Table, lookups: RegionLookups, *, today: datetime.date):
    """Check every row of a table held in memory (a scheduled fetch); return (clean
    rows, errors). Nothing is written."""
    checker = CountChecker(table.headers, lookups, today=today)
    if checker.header_errors:
        return [], checker.header_errors
    clean, errors = [], []
    rows = [(offset + 2, raw) for offset, raw in enumerate(table.rows)]
    for number, raw in rows:
        row, row_errors = checker.check(number, raw)
        if row_errors:
            errors.extend(row_errors)
        else:
            clean.append(CleanCount(number, *row))
    if checker.duplicates:
        first = checker.first_rows(rows)
        keys = {n: key for key, numbers in checker.duplicates.items() for n in numbers}
        for error in errors:
            if not error.message and error.row in keys:
                error.message = duplicate_message(first[keys[error.row]])
    return clean, errors
