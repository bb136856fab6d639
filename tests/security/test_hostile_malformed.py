"""Malformed input at every entry point: invalid UTF-8 (in uploads, query strings, form
posts and API bodies), very long strings, CRLF and ``../`` in file names, and hostile
``next`` addresses on the field app's sign-in. Nothing answers 500; what is refused is
refused with a translated message that says what to fix, and nothing is half-written."""

import io
import json
import uuid
import zipfile
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from campaign.core.models import CampaignSettings
from campaign.institutions import services
from campaign.institutions.models import (
    CoordinationMeeting,
    GuidedSession,
    ImportRun,
    Institution,
    PersonalDataLog,
)
from tests.factories import UserFactory
from tests.security.hostile import CRLF, INVALID_UTF8, LONG, PAYLOAD, assert_html_safe

pytestmark = pytest.mark.django_db

COVERS = {
    ("institutions.ImportRun", "filename"): {"admin"},
    ("institutions.PersonalDataLog", "detail"): {"export"},
    ("institutions.Institution", "name"): {"admin", "refused"},
    ("institutions.Institution", "notes"): {"admin"},
    ("institutions.Contact", "name"): {"refused"},
    ("core.CampaignSettings", "organisation_name"): {"refused"},
    ("institutions.GuidedSession", "notes"): {"api", "refused"},
    ("institutions.CoordinationMeeting", "notes"): {"api", "refused"},
}


@pytest.fixture
def admin(world):
    client = Client()
    client.force_login(world.users["admin"])
    return client


@pytest.fixture
def field_user(db):
    """Just a field team member (for the sign-in forms): cheaper than the whole world."""
    return UserFactory(username="anggota1")


@pytest.fixture
def member(world):
    client = Client()
    client.force_login(world.users["member"])
    return client


# --- Institution imports: broken encodings, broken workbooks, long cells --------------


def upload(admin, name, content):
    """Upload a list through the admin; the checked run and its page."""
    response = admin.post(
        reverse("institutions_import"),
        {"file": SimpleUploadedFile(name, content), "source": "uji", "lawful_basis": "public_task"},
    )
    assert response.status_code == 302, response.status_code
    run = ImportRun.objects.latest("pk")
    page = admin.get(response["Location"])
    assert page.status_code == 200
    return run, page.content.decode()


def csv_rows(*rows):
    return b"".join(row + b"\r\n" for row in (b"name,kind,region_code,address", *rows))


GOOD_UTF8_ROW = "Kantor Camat Alak – Penkase,Kantor Pemerintah,5371010,Jl. Timor Raya".encode()


@pytest.mark.parametrize(
    ("content", "row"),
    [
        (csv_rows(GOOD_UTF8_ROW, INVALID_UTF8 + b",Kantor Pemerintah,5371010,"), 3),
        (csv_rows(b"Dinas A,Kantor Pemerintah,5371010," + INVALID_UTF8, GOOD_UTF8_ROW), 2),
    ],
)
def test_a_csv_row_of_invalid_utf8_is_refused_naming_the_row(world, admin, content, row):
    before = Institution.objects.count()
    run, html = upload(admin, "daftar.csv", content)
    assert run.status == ImportRun.Status.INVALID
    [error] = run.report["errors"]
    # Read as Windows-1252 instead, "–" of the good row would be imported as "â€“".
    assert "UTF-8" in error["message"] and str(row) in error["message"]
    assert error["message"] in html
    assert Institution.objects.count() == before
    assert not Institution.objects.filter(name__contains="â€").exists()


def test_a_windows_1252_file_is_still_read_as_such(world):
    content = csv_rows("Kantor Camat – Alak,Kantor Pemerintah,5371010,Jl. Café".encode("cp1252"))
    result = services.institutions_import(content=content, filename="daftar.csv", source="uji", dry_run=True)
    assert result.errors == [] and result.created == 1


def xlsx(rows, *, broken=None, shared=False):
    """An XLSX workbook of ``rows``; the cell holding "RUSAK" gets ``broken`` bytes (invalid
    UTF-8: the XML is no longer well-formed), in the sheet or in the shared strings."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml" and shared:
                data = data.replace(b't="inlineStr"><is><t>RUSAK</t></is>', b't="s"><v>0</v>')
            elif item.filename == "[Content_Types].xml" and shared:
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif item.filename == "xl/_rels/workbook.xml.rels" and shared:
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/officeDocument/'
                    b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            if broken is not None:
                data = data.replace(b"RUSAK", broken)
            target.writestr(item, data)
        if shared:
            target.writestr(
                "xl/sharedStrings.xml",
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                b'uniqueCount="1"><si><t>' + (broken or b"RUSAK") + b"</t></si></sst>",
            )
    return output.getvalue()


XLSX_ROWS = [
    ["name", "kind", "region_code"],
    ["Dinas A", "Kantor Pemerintah", "5371010"],
    ["Dinas B", "Kantor Pemerintah", "5371010"],
    ["RUSAK", "Kantor Pemerintah", "5371010"],
]


def test_the_xlsx_helper_makes_readable_workbooks_when_nothing_is_broken(world):
    for shared in (False, True):
        result = services.institutions_import(
            content=xlsx(XLSX_ROWS, shared=shared), filename="a.xlsx", source="uji", dry_run=True
        )
        assert result.errors == [] and result.created == 3, shared


@pytest.mark.parametrize("shared", [False, True], ids=["inline-cell", "shared-strings"])
def test_an_xlsx_with_a_broken_cell_is_refused_with_a_message_not_a_500(world, admin, shared):
    before = Institution.objects.count()
    run, html = upload(admin, "daftar.xlsx", xlsx(XLSX_ROWS, broken=INVALID_UTF8, shared=shared))
    assert run.status == ImportRun.Status.INVALID
    [error] = run.report["errors"]
    if shared:
        # Shared strings are read when the workbook opens: the file as a whole.
        assert error["message"] == "Berkas XLSX tidak dapat dibaca."
    else:
        # Cells are read row by row: the message names the row (a new message, Indonesian
        # once translated; the row number in either language).
        assert "4" in error["message"] and "XLSX" in error["message"]
    assert error["message"] in html.replace("&#x27;", "'")
    assert Institution.objects.count() == before


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_very_long_cell_is_refused_per_row_and_column(world, admin, kind):
    rows = [["name", "kind", "region_code", "address"], ["Dinas A", "Kantor Pemerintah", "5371010", LONG]]
    if kind == "csv":
        content = "\r\n".join(",".join(row) for row in rows).encode()
    else:
        content = xlsx(rows)
    run, html = upload(admin, f"daftar.{kind}", content)
    assert run.status == ImportRun.Status.INVALID
    assert [(e["row"], e["column"]) for e in run.report["errors"]] == [(2, "address")]
    assert "Teks terlalu panjang (paling banyak 2000 karakter)." in html
    assert LONG[:2000] not in html


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.csv",
        "..\\..\\windows\\daftar.csv",
        "daftar\r\nX-Injected: 1.csv",
        "daftar%0d%0aX-Injected: 1.csv",
        PAYLOAD + ".csv",
        "x" * 300 + ".csv",
    ],
)
def test_upload_file_names_are_never_paths_or_headers(world, admin, name):
    run, html = upload(admin, name, b"name,kind,region_code\r\nDinas A,Kantor Pemerintah,5371010\r\n")
    for forbidden in ("/", "\\", "\r", "\n"):
        assert forbidden not in run.filename, run.filename
    assert len(run.filename) <= 255
    assert_html_safe(html, run.filename)
    response = admin.get(reverse("institutions_import_run", args=[run.pk]))
    assert not any("Injected" in value or "\n" in value for _, value in response.items())


def test_a_stored_file_name_with_crlf_and_dots_is_only_shown_as_text(world, admin):
    """The management command and the services take any name: it is text, never a path."""
    name = f"../{CRLF}{PAYLOAD}.csv"
    run = services.import_run_create(
        content=b"name,kind,region_code\r\nDinas A,Kantor Pemerintah,5371010\r\n",
        filename=name,
        source="uji",
        lawful_basis="public_task",
        user=world.users["admin"],
    )
    response = admin.get(reverse("institutions_import_run", args=[run.pk]))
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html and "<img src=x onerror" not in html
    assert "Bcc: korban@example.org" in html  # shown, as text
    assert not any("korban" in value for _, value in response.items())


# --- Query strings: invalid UTF-8, very long values -----------------------------------

LONG_Q = quote(LONG)


def _public_urls(world):
    news = world.objects["news"]
    index = news.get_parent().url
    return [
        "/?q=%FF%FE",
        f"{index}?q=%FF%FE",
        f"{index}?q=%C3%28",
        f"{index}?tag=%C3%28",
        f"{index}?region=%FF",
        f"{index}?page=%FF",
        f"{index}?q={LONG_Q}",
        f"{index}?q=%22",
        f"{index}?q=a%22b%00c",
        f"{index}?q={quote(PAYLOAD)}",
        f"{news.url}?x=%FF%FE",
        "/feeds/news/rss.xml?q=%FF",
        "/feeds/news/tag/%C3%28/atom.xml",
        "/%FF%FE/",
    ]


WAGTAIL_PAGE_SEARCHES = ["wagtailadmin_pages:search", "wagtailadmin_explore_root"]


def _admin_urls(world):
    snippets = [
        "wagtailsnippets_institutions_institution:list",
        "wagtailsnippets_institutions_contact:list",
        "wagtailsnippets_institutions_mediapartner:list",
        "wagtailsnippets_institutions_guidedsession:list",
        "wagtailsnippets_institutions_assignment:list",
        "wagtailsnippets_core_region:list",
        "wagtailsnippets_core_campaign:list",
    ]
    queries = ["?q=%FF%FE", "?q=%C3%28", "?q=%00", "?q=%22", f"?q={LONG_Q}"]
    reports = [
        reverse("institutions_dashboard") + "?week=%FF%FE",
        reverse("institutions_planning") + "?week=%C3%28&district=%FF",
        reverse("institutions_report_sessions") + "?team=%FF&status=%C3%28",
        reverse("institutions_report_not_reached") + "?region=%FF",
    ]
    return (
        [reverse(name) + query for name in snippets for query in queries]
        + [reverse(name) + query for name in WAGTAIL_PAGE_SEARCHES for query in queries[:3]]
        + [reverse("wagtailadmin_pages:search") + "?q=%22"]
        + reports
    )


def test_public_pages_answer_invalid_utf8_and_long_query_strings_without_a_500(world, client):
    for url in _public_urls(world):
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
    index = world.objects["news"].get_parent().url
    assert client.get(f"{index}?q=%FF%FE").status_code == 200
    html = client.get(f"{index}?q={LONG_Q}").content.decode()
    assert 'value="panjang panjang' in html and LONG[:200] not in html  # kept to 100 characters


def test_admin_searches_and_reports_answer_invalid_utf8_and_long_query_strings(world, admin):
    failed = []
    for url in _admin_urls(world):
        try:
            status = admin.get(url).status_code
        except Exception as error:
            status = repr(error)[:80]
        if status != 200:
            failed.append((url[:90], status))
    assert not failed, failed


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("wagtailadmin_explore_root", "%22"),
        ("wagtailadmin_explore_root", LONG_Q),
        ("wagtailadmin_pages:search", LONG_Q),
    ],
    ids=["explorer-quote", "explorer-long", "search-long"],
)
def test_wagtail_page_searches_with_a_double_quote_or_thousands_of_words(world, admin, name, query):
    response = admin.get(reverse(name) + "?q=" + query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    ["week=%FF%FE", "team=%C3%28", "week=" + LONG_Q, "team=" + "9" * 5000, "team=%C2%B2", "week=2020-02-31"],
)
def test_field_app_week_api_refuses_malformed_parameters_with_json(world, member, query):
    response = member.get(reverse("fieldapp:api_week") + "?" + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "invalid" and body["fields"]
    assert body["error"] in ("Tim tidak ditemukan.", "Bukan tanggal (gunakan TTTT-BB-HH).")


def test_field_app_pages_answer_invalid_utf8_query_strings(world, member):
    for url in [reverse("fieldapp:shell") + "?x=%FF%FE", reverse("fieldapp:manifest") + "?%C3%28"]:
        assert member.get(url).status_code == 200, url
    assert Client().get(reverse("fieldapp:login") + "?next=%FF%FE").status_code == 200


# --- The field app's sync API: bodies that are not JSON, not UTF-8, too long ----------

NOT_JSON = "Isi permintaan bukan JSON yang sah."
NOT_OBJECT = "Isi permintaan harus berupa objek JSON."


def session_body(world, **fields):
    return {
        "client_id": str(uuid.uuid4()),
        "team": world.teams[0].pk,
        "institution": world.objects["institution"].pk,
        "starts_at": timezone.localtime().replace(microsecond=0).isoformat(),
        "status": "held",
        "people_guided": 3,
        "people_completed": 1,
        **fields,
    }


def _raw(world, notes_json):
    """A session body whose notes are the given JSON text (escapes kept as written)."""
    body = json.dumps(session_body(world, notes="@@"))
    return body.replace('"@@"', notes_json).encode()


@pytest.mark.parametrize(
    ("make_body", "field", "message"),
    [
        (lambda world: INVALID_UTF8, None, NOT_JSON),
        (lambda world: b'{"notes": "' + INVALID_UTF8 + b'"}', None, NOT_JSON),
        (lambda world: b"bukan json", None, NOT_JSON),
        (lambda world: b"", None, NOT_JSON),
        (lambda world: b'{"a": ' + b"[" * 100_000, None, NOT_JSON),  # nested past the recursion limit
        (lambda world: b"[1, 2]", None, NOT_OBJECT),
        (lambda world: _raw(world, '"\\ud800 lone surrogate"'), "notes", None),
        (lambda world: _raw(world, '"nul \\u0000 char"'), "notes", None),
        (
            lambda world: json.dumps(session_body(world, notes=LONG)).encode(),
            "notes",
            "Paling banyak 5000 karakter.",
        ),
    ],
    ids=[
        "invalid-utf8",
        "invalid-utf8-in-string",
        "not-json",
        "empty",
        "deep",
        "array",
        "surrogate",
        "nul",
        "long",
    ],
)
def test_sync_api_refuses_malformed_session_bodies_with_a_translated_400(
    world, member, make_body, field, message
):
    response = member.post(
        reverse("fieldapp:api_sessions"), make_body(world), content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "invalid" and body["error"]
    if field is None:
        assert body["error"] == message
    else:
        assert list(body["fields"]) == [field]
        if message:
            assert body["fields"][field] == [message]
        assert body["error"].startswith("Catatan tidak diterima: notes: ")
    assert not GuidedSession.objects.filter(recorded_by=world.users["member"]).exists()


def test_sync_api_edits_and_meetings_refuse_malformed_bodies_too(world, member):
    session = world.objects["guidedsession"]
    url = reverse("fieldapp:api_session", args=[session.pk])
    response = member.put(url, INVALID_UTF8, content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (400, NOT_JSON)
    edit = {"base_updated_at": session.updated_at.isoformat(), "notes": LONG}
    response = member.put(url, json.dumps(edit), content_type="application/json")
    assert response.status_code == 400 and response.json()["fields"] == {
        "notes": ["Paling banyak 5000 karakter."]
    }
    session.refresh_from_db()
    assert session.notes == ""

    meeting = {
        "team": world.teams[0].pk,
        "district": world.objects["region"].pk,
        "date": timezone.localdate().isoformat(),
        "notes": LONG,
    }
    url = reverse("fieldapp:api_meetings")
    response = member.post(url, json.dumps(meeting), content_type="application/json")
    assert response.status_code == 400 and response.json()["fields"] == {
        "notes": ["Paling banyak 5000 karakter."]
    }
    response = member.post(url, INVALID_UTF8, content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (400, NOT_JSON)
    assert CoordinationMeeting.objects.get().notes == ""


# --- Form posts: invalid UTF-8 and long strings ---------------------------------------

FORM_BODIES = [
    b"username=" + INVALID_UTF8 + b"&password=" + INVALID_UTF8,
    b"username=%FF%FE&password=%C3%28",
    b"username=anggota1&password=" + quote(LONG).encode(),
    b"username=%00&password=%00",
]


@pytest.mark.parametrize("body", FORM_BODIES)
@pytest.mark.parametrize("login", ["fieldapp:login", "wagtailadmin_login"])
def test_sign_in_forms_answer_invalid_utf8_and_long_posts_with_the_form(field_user, login, body):
    client = Client()
    response = client.post(reverse(login), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200  # the form again: not signed in, no 500
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("value", ["²", "٣" * 5, "9" * 5000, "-1", "1e3"])
def test_merging_duplicates_refuses_odd_numbers_without_a_500(world, admin, value):
    contact = world.objects["contact"]
    response = admin.post(
        reverse("institutions_contact_duplicates"), {"group": [value, contact.pk], "keep": value}
    )
    assert response.status_code == 302
    page = admin.get(response["Location"]).content.decode()
    assert "Pilih kontak yang dipertahankan." in page
    contact.refresh_from_db()
    assert contact.erased_at is None


@pytest.mark.parametrize(
    ("url_name", "data", "error"),
    [
        ("institution", {"name": "x" * 10_000}, "255"),
        ("contact", {"name": LONG}, "200"),
    ],
)
def test_long_strings_are_refused_by_the_admin_forms(world, admin, url_name, data, error):
    obj = world.objects[url_name]
    url = reverse(f"wagtailsnippets_institutions_{url_name}:edit", args=[obj.pk])
    response = admin.post(url, data)
    assert response.status_code == 200  # the form again with errors, not a 500
    assert "Pastikan nilai ini mengandung paling banyak" in response.content.decode()
    assert error in response.content.decode()
    obj.refresh_from_db()
    assert obj.name != data["name"]


def test_a_long_organisation_name_is_refused_by_the_settings_form(world, admin):
    site = world.objects["news"].get_site()
    url = reverse("wagtailsettings:edit", args=["core", "campaignsettings", site.pk])
    response = admin.post(url, {"organisation_name": LONG, "census_form_url": "https://sensus.bps.go.id"})
    assert response.status_code == 200
    assert "Pastikan nilai ini mengandung paling banyak" in response.content.decode()
    assert CampaignSettings.for_site(site).organisation_name == "BPS Provinsi Nusa Tenggara Timur"


def test_long_institution_notes_are_stored_by_design_and_shown(world, admin):
    institution = world.objects["institution"]
    institution.notes = LONG
    institution.save()
    response = admin.get(reverse("wagtailsnippets_institutions_institution:inspect", args=[institution.pk]))
    assert response.status_code == 200
    assert LONG.strip() in response.content.decode()


def test_a_long_hostile_export_query_is_logged_shortened_and_encoded(world, admin):
    url = reverse("wagtailsnippets_institutions_institution:list")
    response = admin.get(url, {"export": "csv", "x": CRLF + LONG})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    detail = PersonalDataLog.objects.get(action="export").detail
    assert len(detail) == 500 and detail.startswith("csv ")
    assert "\r" not in detail and "\n" not in detail and "Rapat%0D%0ABcc" in detail


# --- The field app's sign-in: where it sends people afterwards -------------------------

HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "https://testserver.evil.example/",
    "/lapangan/\r\nSet-Cookie: injected=1",
    "/lapangan/%0d%0aSet-Cookie:%20injected=1",
    '"><script>alert(1)</script>',
]


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_field_app_sign_in_never_redirects_off_site_or_injects_headers(field_user, next_url):
    client = Client()
    page = client.get(reverse("fieldapp:login"), {"next": next_url})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html and "evil.example" not in html
    response = client.post(
        reverse("fieldapp:login"),
        {"username": "anggota1", "password": "correct horse battery", "next": next_url},
    )
    assert response.status_code == 302
    location = response["Location"]
    target = urlsplit(urljoin("http://testserver" + reverse("fieldapp:login"), location))
    assert (target.scheme, target.netloc) == ("http", "testserver"), location  # same site
    assert "evil.example" not in location and "javascript:" not in location
    for header, value in response.items():
        assert "\r" not in value and "\n" not in value, header
    assert "injected" not in response.cookies
