"""Every CSV export is inert in a spreadsheet program whatever its list separator: Excel
with Indonesian regional settings splits cells on ``;``, so a cell that is safe for a
``,`` reader (``Kantor Aman;=cmd|…``) would start a formula there.

The exports are found from the URL configuration (every admin view with ``list_export``),
so an export added later is covered without touching this file.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.contrib.redirects.models import Redirect

from campaign.core.exports import SafeCsvWriter, SafeSpreadsheetExportMixin, csv_cell
from campaign.materials.models import Scan

pytestmark = pytest.mark.django_db

PAYLOAD = "Kantor Aman;=cmd|' /C calc'!A0"
VARIANTS = [
    PAYLOAD,
    "-2+3+cmd|' /C calc'!A0",
    "Dinas, @SUM(1+1)*cmd|' /C calc'!A0",
    'Jl. Timor Raya\n=HYPERLINK("http://evil.example/")',
    "Kupang;\t+1+cmd|' /C calc'!A0",
]
# Exports whose rows hold no free text we set here (numbers, dates, workflow states; the
# "did it work" report's only text is region names, loaded from the BPS reference data and
# read-only in the admin).
WITHOUT_HOSTILE_TEXT = {
    "institutions_report_team_performance",
    "response_report_uplift",
    "wagtailadmin_reports:workflow",
    "wagtailadmin_reports:workflow_tasks",
}
FORMULA = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def _exports(patterns=None, prefix=""):
    """(URL name, view class) of every view that can export a spreadsheet."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _exports(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.name.endswith("results"):
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class is None or not issubclass(view_class, SpreadsheetExportMixin):
                continue
            kwargs = getattr(pattern.callback, "view_initkwargs", {})
            if kwargs.get("list_export", view_class.list_export):
                yield prefix + pattern.name, view_class


EXPORTS = sorted(set(_exports()), key=lambda pair: pair[0])


def test_the_exports_are_found():
    names = {name for name, _view in EXPORTS}
    assert {
        "wagtailsnippets_institutions_institution:list",
        "wagtailsnippets_institutions_contact:list",
        "wagtailsnippets_invitations_recipient:list",
        "institutions_report_sessions",
        "materials_scans_institutions",
    } <= names


@pytest.mark.parametrize(("name", "view_class"), EXPORTS, ids=[name for name, _view in EXPORTS])
def test_every_export_writes_csv_through_the_safe_writer(name, view_class):
    assert view_class.stream_csv is SafeSpreadsheetExportMixin.stream_csv, name
    assert view_class.write_csv_row is SafeSpreadsheetExportMixin.write_csv_row, name


def test_no_module_writes_csv_with_its_own_writer():
    """The one writer is campaign.core.exports; a second csv.writer would bypass it."""
    root = Path(__file__).resolve().parents[2] / "campaign"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "exports.py" and re.search(r"csv\.(writer|DictWriter)\(", path.read_text())
    ]
    assert offenders == []


def _assert_inert(text, delimiter):
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
    for cell in cells:
        start = cell.lstrip(' "')
        assert NUMBER.fullmatch(cell) or not start.startswith(FORMULA), (delimiter, cell)
    return cells


@pytest.fixture
def hostile_world(world):
    o = world.objects
    o["institution"].name = PAYLOAD
    o["institution"].address = VARIANTS[3]
    o["institution"].save()
    o["contact"].name, o["contact"].position = VARIANTS[1], VARIANTS[2]
    o["contact"].save()
    o["mediapartner"].name = PAYLOAD
    o["mediapartner"].save()
    o["recipient"].name, o["recipient"].error = PAYLOAD, VARIANTS[4]
    o["recipient"].save()
    o["suppression"].source, o["suppression"].detail = PAYLOAD, VARIANTS[2]
    o["suppression"].save()
    o["channelsuppression"].source = PAYLOAD
    o["channelsuppression"].save()
    o["guidedsession"].notes = PAYLOAD
    o["guidedsession"].save()
    o["guide"].title = PAYLOAD
    o["guide"].save_revision().publish()
    o["news"].title = PAYLOAD  # Wagtail's page reports: aging, locked pages, site history
    o["news"].locked, o["news"].locked_by, o["news"].locked_at = True, world.users["admin"], timezone.now()
    o["news"].save_revision(user=world.users["admin"]).publish()
    o["letter"].addressee, o["letter"].address = PAYLOAD, VARIANTS[3]
    o["letter"].save()
    Redirect.objects.create(old_path="/lama", redirect_link="https://example.org/a;=cmd|' /C calc'!A0")
    Scan.objects.create(guide=o["guide"], institution=o["institution"], material=Scan.Material.choices[0][0])
    return world


@pytest.mark.parametrize(("name", "view_class"), EXPORTS, ids=[name for name, _view in EXPORTS])
def test_every_csv_export_is_inert_with_a_comma_or_a_semicolon_reader(
    client, hostile_world, name, view_class
):
    client.force_login(hostile_world.users["admin"])
    response = client.get(reverse(name), {"export": "csv"})
    assert response.status_code == 200, name
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    _assert_inert(text, ";")
    cells = _assert_inert(text, ",")
    if name not in WITHOUT_HOSTILE_TEXT:
        assert any("'=cmd|" in cell or "'-2+3" in cell or "'@SUM" in cell for cell in cells), (
            "the hostile value did not reach this export: the check would prove nothing"
        )


@pytest.mark.parametrize("value", VARIANTS)
def test_the_writer_neutralises_a_formula_after_any_separator(value):
    output = io.StringIO()
    SafeCsvWriter(output).writerow(["1", value, -3, "+6281234567890"])
    text = output.getvalue()
    assert text.startswith('"1",')  # every field quoted
    for delimiter in (",", ";", "\t"):
        _assert_inert(text, delimiter)
    row = next(csv.reader(io.StringIO(text)))
    assert row[0] == "1" and row[2] == "-3" and row[3] == "+6281234567890"  # numbers stay numbers
    assert row[1].replace("'", "") == value.replace("'", "")  # the text itself is kept


def test_plain_text_is_left_alone():
    assert csv_cell("Kantor Camat Alak, Kota Kupang; RT 01") == "Kantor Camat Alak, Kota Kupang; RT 01"
    assert csv_cell("=1+1") == "'=1+1"
