"""Reading and checking institution spreadsheets (CSV or XLSX).

Everything here is pure: it reads bytes and the reference tables it is given, and
returns rows or errors. ``imports.institutions_import`` decides what is written.
Row numbers are spreadsheet rows: the header is row 1, the first data row is row 2.
"""

import codecs
import csv
import hashlib
import io
import re
import sqlite3
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.core.phones import parse_phone

from .models import normalise_name

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_ROWS = 100_000
# XLSX is a zip: refuse archives that would inflate far beyond their size (zip bombs).
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_XLSX_MEMBERS = 1_000
MAX_CELL_CHARS = 2_000

# Canonical column → accepted headers (English and Indonesian), compared after
# lower-casing and turning spaces and dashes into underscores.
COLUMNS = {
    "external_id": ["external_id", "id_eksternal", "kode_institusi"],
    "name": ["name", "nama", "nama_institusi"],
    "kind": ["kind", "jenis", "jenis_institusi"],
    "region_code": ["region_code", "kode_wilayah"],
    "region": ["region", "wilayah"],
    "address": ["address", "alamat"],
    "employees": ["employees", "jumlah_pegawai"],
    "latitude": ["latitude", "lintang"],
    "longitude": ["longitude", "bujur"],
    "notes": ["notes", "catatan"],
    "contact_name": ["contact_name", "nama_kontak"],
    "contact_position": ["contact_position", "jabatan_kontak"],
    "contact_email": ["contact_email", "email_kontak"],
    "contact_phone": ["contact_phone", "telepon_kontak"],
}
# What each column holds, for the import page (one entry per column above).
COLUMN_HELP = {
    "external_id": gettext_lazy("The institution's ID in the source list; re-importing updates by it."),
    "name": gettext_lazy("Required. The institution's name."),
    "kind": gettext_lazy("Required. One of the institution kinds in the admin (any case)."),
    "region_code": gettext_lazy(
        "BPS code of the district (7 digits) or regency (4 digits); this or the region."
    ),
    "region": gettext_lazy("District or regency name, when it is unambiguous; this or the region code."),
    "address": gettext_lazy("Street address."),
    "employees": gettext_lazy("Whole number; 1.200 and 1,200 are read as 1200."),
    "latitude": gettext_lazy("Decimal degrees, e.g. -10.1583."),
    "longitude": gettext_lazy("Decimal degrees, e.g. 123.6077."),
    "notes": gettext_lazy("Free text."),
    "contact_name": gettext_lazy("The person to invite; needed with an email or a phone number."),
    "contact_position": gettext_lazy("Their position."),
    "contact_email": gettext_lazy("Email address."),
    "contact_phone": gettext_lazy("Phone number in any Indonesian notation (0812-3456-7890, +62 812 …)."),
}
# The template's header: every column the importer reads, in this order.
TEMPLATE_COLUMNS = list(COLUMNS)
# The template's example row. Plainly an example ("CONTOH", the note tells to delete it),
# and no value of it is an ID, name, email or phone number of real or demo data, so a
# template imported as it is adds one obvious row instead of merging into a real one.
TEMPLATE_SAMPLE = {
    "external_id": "CONTOH-001",
    "name": "CONTOH Kantor Uji Coba Impor",
    "kind": "Kantor Pemerintah",
    "region_code": "5371030",
    "region": "Oebobo",
    "address": "Jl. Contoh No. 1",
    "employees": "25",
    "latitude": "-10.1583",
    "longitude": "123.6077",
    "notes": "Baris contoh: ganti dengan data Anda atau hapus sebelum mengimpor.",
    "contact_name": "Nama Kontak Contoh",
    "contact_position": "Jabatan Contoh",
    "contact_email": "kontak.contoh@example.org",
    "contact_phone": "0812 0000 0001",
}
_ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}


class ImportFileError(Exception):
    """The file as a whole cannot be read: nothing in it was checked."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": str(self.message)}


@dataclass
class CleanRow:
    row: int
    key: tuple
    external_id: str
    name: str
    name_normalised: str
    kind_id: int
    region_id: int
    address: str
    employees: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    notes: str
    contact: dict | None = None


@dataclass
class Table:
    headers: list[str]  # canonical names, "" for an unknown column
    original_headers: list[str]
    rows: list[list[str]] = field(default_factory=list)

    @property
    def unknown_columns(self):
        return [o for o, c in zip(self.original_headers, self.headers, strict=True) if not c]


# --- Reading ------------------------------------------------------------------------


def read_table(
    content: bytes, filename: str, *, columns: dict | None = None, max_rows: int = MAX_ROWS
) -> Table:
    """Parse CSV (comma or semicolon; UTF-8 with or without BOM, or cp1252) or XLSX.

    ``columns`` maps canonical column names to their accepted headers (the institution
    list's ``COLUMNS`` by default); other importers (official figures) pass their own.

    Refuses, before parsing, files that are too large, old binary Excel files,
    archives that would inflate too far, and anything that is not a spreadsheet.
    The whole table in memory; ``RowStream`` reads the same rows one at a time.
    """
    stream = RowStream(content, columns=columns, max_rows=max_rows)
    rows = [raw for _number, raw in stream.rows()]
    return Table(headers=stream.headers, original_headers=stream.original_headers, rows=rows)


class RowStream:
    """A CSV or XLSX file read row by row, each time ``rows()`` is called: nothing but
    the file's bytes and one row at a time is held. Blank rows are skipped; the first
    other row is the header (row 1) and data rows are numbered from 2 after it."""

    def __init__(self, content: bytes, *, columns: dict | None = None, max_rows: int = MAX_ROWS):
        if len(content) > MAX_FILE_BYTES:
            raise ImportFileError(
                _("The file is larger than %(limit)d MB. Split it into smaller files.")
                % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
            )
        # Not content.strip(): that copies the whole file (13 MB of heap for 100,000 rows).
        if _VISIBLE.search(content) is None:
            raise ImportFileError(_("The file is empty."))
        self.content = content
        self.max_rows = max_rows
        if content.startswith(b"PK\x03\x04"):
            _check_xlsx(content)
            self._records = self._xlsx_records
        elif content.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportFileError(
                _("Old Excel files (.xls) are not supported. Save the sheet as .xlsx or .csv.")
            )
        else:
            self.encoding = _sniff_encoding(content)
            self._records = self._csv_records
        self.original_headers = None
        for cells in self._nonblank():
            self.original_headers = [(cell or "").strip() for cell in cells]
            break
        if self.original_headers is None:
            raise ImportFileError(_("The file is empty."))
        aliases = aliases_of(columns) if columns is not None else None
        self.headers = [canonical_header(cell, aliases) for cell in self.original_headers]

    @property
    def unknown_columns(self):
        return [o for o, c in zip(self.original_headers, self.headers, strict=True) if not c]

    def _nonblank(self):
        for cells in self._records():
            if any((cell or "").strip() for cell in cells):
                yield cells

    def rows(self):
        """(row number, cells) of each data row; refuses a file with more than
        ``max_rows`` of them when the row after the limit is reached."""
        records = self._nonblank()
        next(records, None)  # the header
        for offset, cells in enumerate(records):
            if offset >= self.max_rows:
                raise ImportFileError(
                    _("The file has more than %(limit)s rows. Split it into smaller files.")
                    % {"limit": f"{self.max_rows:,}"}
                )
            yield offset + 2, cells

    def count(self) -> int:
        """How many data rows (reads the file once more)."""
        return sum(1 for _row in self.rows())

    def _csv_records(self):
        text = io.TextIOWrapper(io.BytesIO(self.content), encoding=self.encoding, newline="")
        first_line = text.readline()
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        text.seek(0)
        try:
            yield from csv.reader(text, delimiter=delimiter)
        except csv.Error as error:
            raise ImportFileError(_("The CSV file is malformed: %(error)s") % {"error": error}) from error

    def _xlsx_records(self):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(self.content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for broken files
            raise ImportFileError(_("The XLSX file cannot be read.")) from error
        number = 0
        try:
            sheet = workbook.worksheets[0]
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):  # noqa: B007
                yield [_cell_text(value) for value in row]
        except Exception as error:  # the sheet's XML is parsed row by row, as it is read
            raise ImportFileError(
                _("Row %(row)d of the XLSX file cannot be read (damaged or wrongly encoded text).")
                % {"row": number + 1}
            ) from error
        finally:
            workbook.close()


# A valid UTF-8 sequence of two to four bytes: Windows-1252 text practically never has one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_BLOCK = 1 << 16
_VISIBLE = re.compile(rb"\S")


def _sniff_encoding(content: bytes) -> str:
    """UTF-8 (with or without BOM) when every byte decodes as such, else Windows-1252
    unless the file has UTF-8 letters in it (then a broken row would be imported
    garbled). Decoded a block at a time, the text is not kept."""
    if b"\x00" in content[:4096]:
        raise ImportFileError(_("This is not a spreadsheet (CSV or XLSX)."))
    view = memoryview(content)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(content), _BLOCK):
            decoder.decode(view[start : start + _BLOCK], final=start + _BLOCK >= len(content))
        return "utf-8-sig"
    except UnicodeDecodeError as error:
        if _UTF8_SEQUENCE.search(content):
            # UTF-8 text with broken bytes in it: read as Windows-1252, every accented
            # letter and dash of the file would be imported garbled.
            row = content.count(b"\n", 0, start + max(error.start, 0)) + 1
            raise ImportFileError(
                _(
                    "Row %(row)d is not valid UTF-8 text, unlike the rest of the file. "
                    "Correct it, save the file as “CSV UTF-8” and upload it again."
                )
                % {"row": row}
            ) from error
    decoder = codecs.getincrementaldecoder("cp1252")()
    try:
        for start in range(0, len(content), _BLOCK):
            decoder.decode(view[start : start + _BLOCK])
    except UnicodeDecodeError as error:
        raise ImportFileError(_("The file's text encoding is not UTF-8 or Windows-1252.")) from error
    return "cp1252"


def _check_xlsx(content: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise ImportFileError(_("This is not a spreadsheet (CSV or XLSX).")) from error
    total = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if (
        len(members) > MAX_XLSX_MEMBERS
        or total > MAX_XLSX_UNCOMPRESSED_BYTES
        or total / packed > MAX_XLSX_RATIO
    ):
        raise ImportFileError(_("The XLSX file unpacks to far more than its size; refused."))
    if "xl/workbook.xml" not in archive.namelist():
        raise ImportFileError(_("This is not a spreadsheet (CSV or XLSX)."))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def canonical_header(header: str, aliases: dict | None = None) -> str:
    key = re.sub(r"[\s\-]+", "_", (header or "").strip().casefold())
    return (_ALIASES if aliases is None else aliases).get(key, "")


def aliases_of(columns: dict) -> dict:
    """Accepted header → canonical column, for a ``COLUMNS``-shaped mapping."""
    return {alias: column for column, names in columns.items() for alias in names}


# --- Checking -----------------------------------------------------------------------


@dataclass
class Lookups:
    """Reference data the checker needs, loaded once per import."""

    kinds: dict  # normalised name → id
    regions_by_code: dict  # BPS code → (id, level)
    regions_by_name: dict  # normalised name → [ids] (districts and regencies)
    erased_digests: set
    digest: callable  # value → digest, to compare against erased_digests


def _parse_int(value: str):
    compact = value.replace(" ", "")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", compact):
        compact = re.sub(r"[.,]", "", compact)
    if re.fullmatch(r"\d+", compact):
        return int(compact)
    return None


def _parse_coordinate(value: str, limit: int):
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) > limit:
        return None
    return number.quantize(Decimal("0.000001"))


def check_rows(table: Table, lookups: Lookups, *, progress=None):
    """Check every row; return (clean rows, errors). Nothing is written."""
    checker = RowChecker(table.headers, lookups)
    if checker.errors:
        return [], checker.errors
    clean: list[CleanRow] = []
    errors: list[RowError] = []
    with checker:
        for offset, raw in enumerate(table.rows):
            row, row_errors = checker.check(offset + 2, raw)
            if row_errors:
                errors.extend(row_errors)
            else:
                clean.append(row)
            if progress and (offset + 2) % 1000 == 0:
                progress(offset + 1)
        duplicates = checker.duplicate_errors()
    if duplicates:
        errors = merge_errors(errors, duplicates)
        bad = {error.row for _slot, error in duplicates}
        clean = [row for row in clean if row.row not in bad]
    return clean, errors


class RowChecker:
    """The checks of one file's rows, one row at a time, in file order: each row on its
    own, then (``duplicate_errors``, once every row is checked) against the rows before
    it (the same institution, email or phone twice). ``errors`` holds the header's
    problems; with any, no row can be checked.

    ``check`` returns a row's own errors only: the keys of the duplicate checks go to a
    ``DuplicateSpill`` (a temporary file), so the memory of a check does not grow with
    the file. A row ``check`` passes can still be a duplicate: only after
    ``duplicate_errors`` is the file known to be clean. Use it as a context manager (or
    call ``close``) to delete the temporary file."""

    def __init__(self, headers: list[str], lookups: Lookups):
        self.lookups = lookups
        self.errors: list[RowError] = []
        present = set(headers)
        if "name" not in present:
            self.errors.append(RowError(1, "name", _("The column “name” (or “nama”) is missing.")))
        if "kind" not in present:
            self.errors.append(RowError(1, "kind", _("The column “kind” (or “jenis”) is missing.")))
        if "region_code" not in present and "region" not in present:
            self.errors.append(
                RowError(
                    1, "region_code", _("Add a column “region_code” (kode_wilayah) or “region” (wilayah).")
                )
            )
        self.index = {name: position for position, name in enumerate(headers) if name}
        self.spill = DuplicateSpill()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        self.spill.close()

    def duplicate_errors(self) -> list[tuple[int, RowError]]:
        """(slot, error) of every row that repeats an earlier row's institution, email or
        phone, in row order, each with the message (and the first row's number) the
        row-by-row check gave; ``merge_errors`` puts them among the rows' own errors."""
        return self.spill.errors()

    def check(self, row_number: int, raw: list) -> tuple[CleanRow | None, list[RowError]]:
        lookups = self.lookups
        values = {
            name: (raw[position].strip() if position < len(raw) and raw[position] else "")
            for name, position in self.index.items()
        }
        row_errors = []

        def fail(column, message):
            row_errors.append(RowError(row_number, column, message))

        for column, value in values.items():
            if len(value) > MAX_CELL_CHARS:
                fail(column, _("The text is too long (at most %(n)d characters).") % {"n": MAX_CELL_CHARS})
                values[column] = ""

        name = " ".join(values.get("name", "").split())
        if not name:
            fail("name", _("The name is missing."))
        elif len(name) > 255:
            fail("name", _("The name is longer than 255 characters."))

        kind_id = None
        kind = values.get("kind", "")
        if not kind:
            fail("kind", _("The kind is missing."))
        else:
            kind_id = lookups.kinds.get(normalise_name(kind))
            if kind_id is None:
                fail("kind", _("Unknown kind “%(kind)s”.") % {"kind": kind})

        region_id = _check_region(values, lookups, fail)

        employees = None
        if values.get("employees"):
            employees = _parse_int(values["employees"])
            if employees is None:
                fail("employees", _("“%(value)s” is not a whole number.") % {"value": values["employees"]})
        latitude = longitude = None
        if values.get("latitude"):
            latitude = _parse_coordinate(values["latitude"], 90)
            if latitude is None:
                fail("latitude", _("Latitude must be a number between -90 and 90."))
        if values.get("longitude"):
            longitude = _parse_coordinate(values["longitude"], 180)
            if longitude is None:
                fail("longitude", _("Longitude must be a number between -180 and 180."))

        contact = _check_contact(values, lookups, fail, row_number, self.spill, row_errors)

        external_id = values.get("external_id", "")
        if len(external_id) > 64:
            fail("external_id", _("The external ID is longer than 64 characters."))
        name_normalised = normalise_name(name)
        name_key = ("name", name_normalised, region_id)
        key = ("external_id", external_id) if external_id else name_key
        if name and region_id and not row_errors:
            # The same institution twice: by external ID, or by name within the region
            # (checked only for a row with no other error, its email and phone included).
            self.spill.add_institution(row_number, key if external_id else None, name_key)

        if row_errors:
            return None, row_errors
        return (
            CleanRow(
                row=row_number,
                key=key,
                external_id=external_id,
                name=name,
                name_normalised=name_normalised,
                kind_id=kind_id,
                region_id=region_id,
                address=values.get("address", ""),
                employees=employees,
                latitude=latitude,
                longitude=longitude,
                notes=values.get("notes", ""),
                contact=contact,
            ),
            row_errors,
        )


def _digest(key) -> int:
    """A key as a 64-bit digest of its text: two different keys collide with a
    probability of about 3 in 10^8 over a million keys; the import would then refuse a
    row as a duplicate, never write a wrong one."""
    return int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=8).digest(), "little", signed=True)


class DuplicateSpill:
    """The duplicate checks of a file, out of the Python heap.

    ``RowChecker`` compared each row's keys with a dict of the keys before it: about
    0.4 KB a row that stayed for the whole import (docs/performance.md, issue 20). Here
    each key goes, as (kind, 64-bit digest, row, slot), to a private SQLite database in a
    temporary file (deleted when closed) with a small page cache, a few thousand at a
    time; once every row is checked, a ``GROUP BY … HAVING COUNT(*) > 1`` per kind finds
    the repeated keys and the rows after the first. ``slot`` is how many of its own errors
    the row had when the key was checked: the duplicate's message goes back in that place.

    The rules are the row-by-row check's: an email or phone repeats the first row with
    that (valid) address, whatever that row's other errors; the institution is checked
    only for a row with no other error (a repeated email or phone included), by external
    ID first, then (when the external ID is new) by name within the region.
    """

    EMAIL, PHONE, EXTERNAL_ID, NAME = 1, 2, 3, 4
    _BUFFER = 4_000

    def __init__(self):
        self._pending: list[tuple] = []
        self._db = None

    def _connection(self):
        if self._db is None:
            # "" is SQLite's private temporary database: a file, deleted on close.
            self._db = sqlite3.connect("", isolation_level=None)
            self._db.executescript(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -2048;"
                "PRAGMA temp_store = FILE;"
                "CREATE TABLE key (kind INTEGER, digest INTEGER, row INTEGER, slot INTEGER);"
            )
        return self._db

    def add(self, kind: int, key, row_number: int, slot: int):
        self._pending.append((kind, _digest(key), row_number, slot))
        if len(self._pending) >= self._BUFFER:
            self._flush()

    def add_institution(self, row_number: int, external_key, name_key):
        if external_key is not None:
            self.add(self.EXTERNAL_ID, external_key, row_number, 0)
        self.add(self.NAME, name_key, row_number, 0)

    def _flush(self):
        if self._pending:
            db = self._connection()
            db.execute("BEGIN")
            db.executemany("INSERT INTO key VALUES (?, ?, ?, ?)", self._pending)
            db.execute("COMMIT")
            self._pending = []

    def errors(self) -> list[tuple[int, RowError]]:
        """(slot, error) of every duplicate, sorted by row and, within a row, in the
        order the row-by-row check found them."""
        self._flush()
        if self._db is None:
            return []
        db = self._db
        db.executescript(
            "CREATE INDEX IF NOT EXISTS key_digest ON key (kind, digest, row);"
            "DROP TABLE IF EXISTS repeated; CREATE TABLE repeated (row INTEGER PRIMARY KEY);"
        )
        # A kind's repeated keys, and every row after the first with one. Institution
        # keys were only written for rows with no error of their own, but a repeated
        # email or phone (found first) is an error too, and a repeated external ID ends
        # the row's check: such rows are left out of the later kinds.
        repeated = """
            SELECT key.row, key.kind, key.slot, first.row
            FROM key JOIN (
                SELECT digest, MIN(row) AS row FROM key
                WHERE kind = :kind {eligible} GROUP BY digest HAVING COUNT(*) > 1
            ) AS first ON key.digest = first.digest
            WHERE key.kind = :kind AND key.row > first.row {eligible}
        """
        found = []
        for kind in (self.EMAIL, self.PHONE, self.EXTERNAL_ID, self.NAME):
            eligible = "AND key.row NOT IN (SELECT row FROM repeated)" if kind > self.PHONE else ""
            rows = db.execute(repeated.format(eligible=eligible), {"kind": kind}).fetchall()
            if kind < self.NAME:
                db.executemany("INSERT OR IGNORE INTO repeated VALUES (?)", [(row[0],) for row in rows])
            found += rows
        messages = {
            self.EMAIL: ("contact_email", _("The same email address is on row %(row)d.")),
            self.PHONE: ("contact_phone", _("The same phone number is on row %(row)d.")),
            self.EXTERNAL_ID: ("external_id", _("Duplicate of row %(row)d.")),
            self.NAME: ("name", _("Duplicate of row %(row)d.")),
        }
        found.sort(key=lambda found_row: (found_row[0], found_row[2], found_row[1]))
        return [
            (slot, RowError(row_number, messages[kind][0], messages[kind][1] % {"row": first}))
            for row_number, kind, slot, first in found
        ]

    def close(self):
        self._pending = []
        if self._db is not None:
            self._db.close()
            self._db = None


def merge_errors(own: list[RowError], duplicates: list[tuple[int, RowError]]) -> list[RowError]:
    """The rows' own errors (in row order) with the duplicate errors put back where the
    row-by-row check gave them: after the first ``slot`` of their row's own errors."""
    merged, position, row_number, taken = [], 0, None, 0
    for slot, duplicate in duplicates:
        while position < len(own) and own[position].row < duplicate.row:
            merged.append(own[position])
            position += 1
        if duplicate.row != row_number:
            row_number, taken = duplicate.row, 0
        while position < len(own) and own[position].row == row_number and taken < slot:
            merged.append(own[position])
            position += 1
            taken += 1
        merged.append(duplicate)
    merged += own[position:]
    return merged


def _check_region(values, lookups, fail):
    code = values.get("region_code", "")
    if code:
        found = lookups.regions_by_code.get(code)
        if found is None:
            fail("region_code", _("Unknown region code “%(code)s”.") % {"code": code})
            return None
        region_id, level = found
        if level not in ("regency", "district"):
            fail(
                "region_code", _("Use the code of a district or a regency, not “%(code)s”.") % {"code": code}
            )
            return None
        return region_id
    name = values.get("region", "")
    if not name:
        fail("region_code", _("The region is missing: give “region_code” or “region”."))
        return None
    matches = lookups.regions_by_name.get(normalise_name(name), [])
    if not matches:
        fail("region", _("Unknown region “%(name)s”.") % {"name": name})
        return None
    if len(matches) > 1:
        fail("region", _("Several regions are called “%(name)s”: give its code instead.") % {"name": name})
        return None
    return matches[0]


def _check_contact(values, lookups, fail, row_number, spill, row_errors):
    name = " ".join(values.get("contact_name", "").split())
    email = values.get("contact_email", "").strip().lower()
    phone_raw = values.get("contact_phone", "")
    if not (name or email or phone_raw):
        return None
    if not name:
        fail("contact_name", _("A contact needs a name."))
    elif len(name) > 200:
        fail("contact_name", _("The contact name is longer than 200 characters."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            fail("contact_email", _("“%(value)s” is not a valid email address.") % {"value": email})
            email = ""
        else:
            # A repeated address: found once every row is checked, named here.
            spill.add(spill.EMAIL, email, row_number, len(row_errors))
            if lookups.erased_digests and lookups.digest(email) in lookups.erased_digests:
                fail(
                    "contact_email",
                    _("This person's data was erased at their request; it cannot be imported again."),
                )
    phone = ""
    if phone_raw:
        phone = parse_phone(phone_raw)
        if phone is None:
            fail("contact_phone", _("“%(value)s” is not a valid phone number.") % {"value": phone_raw})
            phone = ""
        else:
            spill.add(spill.PHONE, phone, row_number, len(row_errors))
            if lookups.erased_digests and lookups.digest(phone) in lookups.erased_digests:
                fail(
                    "contact_phone",
                    _("This person's data was erased at their request; it cannot be imported again."),
                )
    return {
        "name": name,
        "position": " ".join(values.get("contact_position", "").split())[:200],
        "email": email,
        "phone": phone,
    }


parse_int = _parse_int  # public name for the other importers (official figures)
