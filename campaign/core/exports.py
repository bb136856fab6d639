"""One CSV writer for every export: no cell a spreadsheet program opens starts a formula.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some
with tab or CR) as a formula (OWASP "CSV injection"). Which character separates cells
depends on the reader: Excel with Indonesian regional settings splits on ``;``, so a
cell such as ``Kantor Aman;=cmd|' /C calc'!A0`` becomes two cells there, the second a
formula, even though a ``,`` reader sees one quoted cell. So every field is quoted
(``csv.QUOTE_ALL``) and a text cell is neutralised with ``'`` both at its start and after
any character that some reader takes as a separator or line break (``,`` ``;`` tab CR LF).
Plain numbers (``-3``, ``1.200``, an E.164 phone number ``+6281234567890``) are not
formulas and stay as they are.
"""

import csv
import re

from wagtail.admin.views.mixins import Echo, SpreadsheetExportMixin

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")
# Where a cell may begin (the start, or after a separator) and would begin with a tab, a
# CR, or a formula character behind spaces, tabs or quotes: an apostrophe goes there.
_CELL_STARTING_A_FORMULA = re.compile(r"(?:^|(?<=[,;\t\r\n]))(?=[ \"\t\r]*[=+\-@]|[\t\r])")


def csv_cell(value):
    """``value`` made inert in every spreadsheet program, whatever its list separator."""
    if not isinstance(value, str) or _NUMBER.fullmatch(value):
        return value
    return _CELL_STARTING_A_FORMULA.sub("'", value)


class SafeCsvWriter:
    """``csv.writer`` with every field quoted and every text cell neutralised."""

    def __init__(self, output, **kwargs):
        self._writer = csv.writer(output, quoting=csv.QUOTE_ALL, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class SafeSpreadsheetExportMixin:
    """For Wagtail views with ``list_export`` (SpreadsheetExportMixin: snippet index views,
    ReportView): their CSV goes through ``SafeCsvWriter``. XLSX needs nothing more:
    Wagtail writes a cell openpyxl takes for a formula as text.

    ``install()`` puts the same two methods on Wagtail's own SpreadsheetExportMixin, so
    Wagtail's reports (site history, aging and locked pages, workflows), the redirects
    list and any export a later release adds write through the same writer."""

    def stream_csv(self, queryset):
        writer = SafeCsvWriter(Echo())
        yield writer.writerow([self.get_heading(queryset, field) for field in self.list_export])
        for item in queryset:
            yield self.write_csv_row(writer, self.to_row_dict(item))

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            [self.preprocess_field_value(field, value, self.FORMAT_CSV) for field, value in row_dict.items()]
        )


def install():
    """Called once from CoreConfig.ready()."""
    SpreadsheetExportMixin.stream_csv = SafeSpreadsheetExportMixin.stream_csv
    SpreadsheetExportMixin.write_csv_row = SafeSpreadsheetExportMixin.write_csv_row
