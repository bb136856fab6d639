"""The hostile-input set through the materials app — guides, their printed sheets and
posters, the press room — and through every PDF the project makes.

Every field gets its own value (a two-letter code, then the payload), so a check fails
when *that* field is missing from a surface, not only when some other field is there.
Fields with room for it carry the whole ``PAYLOAD``; phone numbers and names that a
PDF prints on one line carry ``PAYLOAD_SHORT`` (the line is cut with "…" otherwise).
"""

import io
import json
import re
import subprocess
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.models import Site

from campaign.core.blocks import BaseStreamBlock
from campaign.core.models import CampaignSettings
from campaign.institutions.models import week_start
from campaign.materials import codes, pdf, printing, services
from campaign.materials.models import (
    GuidePack,
    GuidePage,
    MediaItem,
    PressAttachment,
    PressContact,
    PressFactSheet,
)
from tests.factories import ScanFactory
from tests.http import drain
from tests.materials.pdftools import decode_qr, pdf_page_count, pdf_to_png
from tests.security.hostile import (
    CRLF,
    HOSTILE_URLS,
    INVALID_UTF8,
    LONG,
    PAYLOAD,
    PAYLOAD_SHORT,
    assert_html_safe,
    assert_text_literal,
    pdf_text,
)

pytestmark = pytest.mark.django_db

# field → its hostile value. Codes are unique, so no value is part of another.
V = {
    "index_intro": "Ii" + PAYLOAD,
    "guide_title": "Gt" + PAYLOAD,
    "guide_intro": "Gi" + PAYLOAD,
    "step_title": "St" + PAYLOAD,
    "step_text": "Sx" + PAYLOAD,
    "step_tip": "Sp" + PAYLOAD,
    "closing": "Gc" + PAYLOAD,
    "cta_label": "Ca" + PAYLOAD,  # 79 of 80 characters
    "guide_hotline": "Gh" + PAYLOAD_SHORT,
    "poster_headline": "Ph" + PAYLOAD,
    "room_title": "Rt" + PAYLOAD,
    "room_intro": "Ri" + PAYLOAD,
    "press_phone": "Rp" + PAYLOAD_SHORT,
    "fact_title": "Ft" + PAYLOAD,
    "fact_description": "Fd" + PAYLOAD,
    "media_caption": "Mc" + PAYLOAD,
    "media_credit": "Mr" + PAYLOAD,
    "release_title": "Pt" + PAYLOAD,
    "release_summary": "Ps" + PAYLOAD,
    "body_heading": "Bh" + PAYLOAD,
    "body_paragraph": "Bp" + PAYLOAD,
    "body_quote": "Bq" + PAYLOAD,
    "body_attribution": "Ba" + PAYLOAD,
    "attachment_title": "At" + PAYLOAD,
    "press_contact_name": "Kn" + PAYLOAD,
    "press_contact_role": "Kr" + PAYLOAD,
    "press_contact_phone": "Kp" + PAYLOAD_SHORT,
    "institution_name": "In" + PAYLOAD_SHORT,
    "kind_name": "Kd" + PAYLOAD,  # 79 of 80
    "team_name": "Tn" + PAYLOAD_SHORT,
    "team_phone": "Tp" + PAYLOAD_SHORT,  # 17 of 20
    "partner_name": "Mn" + PAYLOAD,
    "partner_position": "Mp" + PAYLOAD,
    "outlet_name": "Mo" + PAYLOAD,
    "org_name": "Og" + PAYLOAD_SHORT,
    "org_hotline": "Ho" + PAYLOAD_SHORT,
    "org_address": "Ad" + PAYLOAD,
    "org_hashtag": "Ht" + PAYLOAD_SHORT,
    "campaign_name": "Cm" + PAYLOAD_SHORT,
    "campaign_short_name": "Cs" + PAYLOAD_SHORT,
}

GUIDE_TEXT = ["guide_title", "guide_intro", "step_title", "step_text", "step_tip", "closing", "cta_label"]
IDENTITY = ["org_name", "campaign_name", "org_hashtag"]
RELEASE = [
    "release_title",
    "release_summary",
    "body_heading",
    "body_paragraph",
    "body_quote",
    "body_attribution",
    "attachment_title",
    "press_contact_name",
    "press_contact_role",
    "press_contact_phone",
]

COVERS = {
    ("materials.GuideIndexPage", "intro"): {"page", "admin"},
    ("materials.GuidePage", "intro"): {"page", "admin", "pdf"},
    ("materials.GuidePage", "steps"): {"page", "pdf"},
    ("materials.GuidePage", "closing"): {"page", "admin", "pdf"},
    ("materials.GuidePage", "cta_label"): {"page", "admin", "pdf"},
    ("materials.GuidePage", "hotline"): {"page", "admin", "pdf"},
    ("materials.GuidePage", "poster_headline"): {"admin", "pdf"},
    ("materials.PressRoomPage", "intro"): {"page", "admin"},
    ("materials.PressRoomPage", "press_phone"): {"page", "admin"},
    ("materials.PressFactSheet", "title"): {"page", "admin"},
    ("materials.PressFactSheet", "description"): {"page", "admin"},
    ("materials.MediaItem", "caption"): {"page", "admin"},
    ("materials.MediaItem", "credit"): {"page", "admin"},
    ("materials.PressReleasePage", "summary"): {"page", "admin", "export"},
    ("materials.PressReleasePage", "body"): {"page", "export"},
    ("materials.PressAttachment", "title"): {"page", "admin"},
    ("materials.PressContact", "name"): {"page", "admin", "export"},
    ("materials.PressContact", "role"): {"page", "admin", "export"},
    ("materials.PressContact", "phone"): {"page", "admin", "export"},
    ("institutions.Institution", "name"): {"page", "admin", "pdf", "refused"},
    ("institutions.InstitutionKind", "name"): {"admin", "pdf"},
    ("institutions.Team", "name"): {"admin", "pdf"},
    ("institutions.Team", "phone"): {"admin", "pdf"},
    ("institutions.Contact", "name"): {"page", "admin"},
    ("institutions.Contact", "position"): {"admin"},
    ("institutions.MediaPartner", "name"): {"page", "admin"},
    ("core.CampaignSettings", "organisation_name"): {"page", "admin", "pdf"},
    ("core.CampaignSettings", "hotline"): {"page", "admin", "pdf"},
    ("core.CampaignSettings", "address"): {"page", "admin"},
    ("core.CampaignSettings", "hashtag"): {"page", "admin", "pdf"},
    ("core.CampaignSettings", "whatsapp"): {"refused"},
    ("core.Campaign", "name"): {"pdf"},
    ("core.Campaign", "short_name"): {"admin"},
}

# What a PDF must never carry: links, scripts, actions run on opening.
PDF_ACTIVE = (b"/JavaScript", b"/JS ", b"/URI", b"/Launch", b"/OpenAction", b"/AA ")


def _rich_paragraph(text):
    """``text`` as the rich-text editor stores it, with a ``javascript:`` link on its
    first word (the editor's converter is what stands between the two)."""
    converter = ContentstateConverter(features=["bold", "italic", "link", "ol", "ul"])
    contentstate = {
        "blocks": [
            {
                "key": "a1",
                "text": text,
                "type": "unstyled",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [{"offset": 0, "length": 2, "key": 0}],
                "data": {},
            }
        ],
        "entityMap": {"0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": HOSTILE_URLS[0]}}},
    }
    return converter.to_database_format(json.dumps(contentstate))


@pytest.fixture
def hostile(world):
    """The world with the hostile value in every field this module drives."""
    o = world.objects
    site_settings = CampaignSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.organisation_name = V["org_name"]
    site_settings.hotline = V["org_hotline"]
    site_settings.address = V["org_address"]
    site_settings.hashtag = V["org_hashtag"]
    site_settings.save()
    campaign = o["campaign"]
    campaign.name, campaign.short_name = V["campaign_name"], V["campaign_short_name"]
    campaign.save()
    kind = o["institutionkind"]
    kind.name = V["kind_name"]
    kind.save()
    institution = o["institution"]
    institution.name = V["institution_name"]
    institution.save()
    team = o["team"]
    team.name, team.phone = V["team_name"], V["team_phone"]
    team.save()
    partner = o["partner"]
    partner.name, partner.position = V["partner_name"], V["partner_position"]
    partner.save()
    partner.media_partner.name = V["outlet_name"]
    partner.media_partner.save()

    guide = o["guide"]
    index = guide.get_parent().specific
    index.intro = V["index_intro"]
    index.save_revision().publish()
    guide.title, guide.intro, guide.closing = V["guide_title"], V["guide_intro"], V["closing"]
    guide.cta_label, guide.hotline, guide.poster_headline = (
        V["cta_label"],
        V["guide_hotline"],
        V["poster_headline"],
    )
    step = {"title": V["step_title"], "text": V["step_text"], "tip": V["step_tip"], "on_poster": True}
    guide.steps = [("step", step)]
    guide.save_revision().publish()

    room = o["room"]
    room.title, room.intro, room.press_phone = V["room_title"], V["room_intro"], V["press_phone"]
    room.fact_sheets = [
        PressFactSheet(document=o["document"], title=V["fact_title"], description=V["fact_description"])
    ]
    room.media_items = [
        MediaItem(image=o["media_item"].image, caption=V["media_caption"], credit=V["media_credit"])
    ]
    room.save_revision().publish()

    release = o["release"]
    release.title, release.summary = V["release_title"], V["release_summary"]
    release.body = [
        ("heading", {"text": V["body_heading"], "size": "h2"}),
        ("paragraph", _rich_paragraph(V["body_paragraph"])),
        ("quote", {"text": V["body_quote"], "attribution": V["body_attribution"]}),
    ]
    release.attachments = [PressAttachment(document=o["document"], title=V["attachment_title"])]
    release.contacts = [
        PressContact(
            name=V["press_contact_name"],
            role=V["press_contact_role"],
            phone=V["press_contact_phone"],
            email="humas@example.org",
        )
    ]
    release.save_revision().publish()

    o["team_pack"] = GuidePack.objects.create(
        guide=guide, team=team, week=week_start(timezone.localdate()), total=1
    )
    ScanFactory(material="i", guide=guide, institution=institution)
    for name in ("guide", "room", "release"):
        o[name].refresh_from_db()
    return world


def _check_html(html, keys):
    for key in keys:
        try:
            assert_html_safe(html, V[key])
        except AssertionError as error:
            raise AssertionError(f"{key}: {error}") from None


def _check_text(text, keys):
    for key in keys:
        try:
            assert_text_literal(text, V[key])
        except AssertionError as error:
            raise AssertionError(f"{key}: {error}") from None


def _client(world, user=None):
    client = Client()
    if user:
        client.force_login(world.users[user])
    return client


def _get(client, url, status=200):
    response = client.get(url)
    body = drain(response)
    assert response.status_code == status, (url, response.status_code)
    return response, body


# --- Pages -----------------------------------------------------------------------------------

# name: (user or None for anonymous, URL, the fields the page shows)
PAGES = {
    "guide": (
        None,
        lambda w: w.objects["guide"].get_url(),
        [*GUIDE_TEXT, "guide_hotline", "org_name", "org_hotline", "org_address", "org_hashtag"],
    ),
    "guide_index": (
        None,
        lambda w: w.objects["guide"].get_parent().get_url(),
        ["index_intro", "guide_title", "guide_intro"],
    ),
    "press_room": (
        None,
        lambda w: w.objects["room"].get_url(),
        [
            "room_title",
            "room_intro",
            "press_phone",
            "fact_title",
            "fact_description",
            "media_caption",
            "media_credit",
            "release_title",
            "release_summary",
        ],
    ),
    "press_release": (None, lambda w: w.objects["release"].get_url(), RELEASE),
    "guide_download_token": (
        None,
        lambda w: reverse("materials:guide_download", args=[w.tokens["guide"]]),
        ["guide_title", "institution_name", "org_name"],
    ),
    "press_preview_token": (
        None,
        lambda w: reverse("materials:press_preview", args=[w.tokens["press"]]),
        ["partner_name", "outlet_name", "release_title", "release_summary"],
    ),
    "press_preview_release_token": (
        None,
        lambda w: reverse(
            "materials:press_preview_release", args=[w.tokens["press"], w.objects["release"].pk]
        ),
        [*RELEASE, "partner_name", "outlet_name"],
    ),
    # The admin.
    "admin_institution_materials": (
        "editor",
        lambda w: reverse("materials_institution", args=[w.objects["institution"].pk]),
        ["institution_name", "guide_title", "team_name", "team_phone"],
    ),
    "admin_packs": ("editor", lambda w: reverse("materials_packs"), ["guide_title", "team_name"]),
    "admin_pack": (
        "editor",
        lambda w: reverse("materials_pack", args=[w.objects["team_pack"].pk]),
        ["guide_title", "team_name"],
    ),
    "admin_press_links": (
        "editor",
        lambda w: reverse("materials_press_links"),
        ["partner_name", "partner_position", "outlet_name", "release_title"],
    ),
    "admin_scans_by_guide": ("admin", lambda w: reverse("materials_scans_guides"), ["guide_title"]),
    "admin_scans_by_institution": (
        "admin",
        lambda w: reverse("materials_scans_institutions"),
        ["institution_name", "kind_name"],
    ),
    "admin_guide_index_edit": (
        "editor",
        lambda w: reverse("wagtailadmin_pages:edit", args=[w.objects["guide"].get_parent().pk]),
        ["index_intro"],
    ),
    "admin_guide_edit": (
        "editor",
        lambda w: reverse("wagtailadmin_pages:edit", args=[w.objects["guide"].pk]),
        ["guide_title", "guide_intro", "closing", "cta_label", "guide_hotline", "poster_headline"],
    ),
    "admin_room_edit": (
        "editor",
        lambda w: reverse("wagtailadmin_pages:edit", args=[w.objects["room"].pk]),
        [
            "room_title",
            "room_intro",
            "press_phone",
            "fact_title",
            "fact_description",
            "media_caption",
            "media_credit",
        ],
    ),
    "admin_release_edit": (
        "editor",
        lambda w: reverse("wagtailadmin_pages:edit", args=[w.objects["release"].pk]),
        [
            "release_title",
            "release_summary",
            "attachment_title",
            "press_contact_name",
            "press_contact_role",
            "press_contact_phone",
        ],
    ),
    "admin_settings": (
        "admin",
        lambda w: reverse(
            "wagtailsettings:edit",
            args=["core", "campaignsettings", Site.objects.get(is_default_site=True).pk],
        ),
        ["org_name", "org_hotline", "org_address", "org_hashtag"],
    ),
    "admin_dashboard": ("admin", lambda w: reverse("institutions_dashboard"), ["campaign_short_name"]),
}


@pytest.mark.parametrize("name", PAGES)
def test_pages_show_every_hostile_value_as_text(hostile, name):
    user, url, keys = PAGES[name]
    _response, body = _get(_client(hostile, user), url(hostile))
    html = body.decode()
    _check_html(html, keys)
    # The rich-text link of the release body lost its script URL on the way in.
    assert "javascript:" not in html


PAGE_HEIGHTS = {"a5": 595, "a4": 842, "a3": 1191}  # points


def _pdf_text_at_the_bottom(data, tmp_path, *, size, share):
    """The text in the bottom ``share`` of the first page (pdftotext crops in points)."""
    path = tmp_path / "crop.pdf"
    path.write_bytes(data)
    page, height = PAGE_HEIGHTS[size], round(PAGE_HEIGHTS[size] * share)
    crop = ["-x", "0", "-y", str(page - height), "-W", "2000", "-H", str(height)]
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *crop, str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode()


# --- PDFs --------------------------------------------------------------------------------------

SHEET = [*GUIDE_TEXT, "guide_hotline", *IDENTITY]
PERSONAL_SHEET = [*SHEET, "institution_name", "team_name", "team_phone"]
POSTER = ["poster_headline", "cta_label", "step_title", "step_text", "guide_hotline", *IDENTITY]


def _pack_pdf(world, client):
    pack = world.objects["team_pack"]
    services.guide_pack_build(pack_id=pack.pk)
    return _get(client, reverse("materials_pack_download", args=[pack.pk]))


# name: (user or None for anonymous, URL or None for the pack, the fields the PDF prints)
def _general(kind, size):
    return lambda w: reverse("materials:guide_print", args=[w.objects["guide"].pk, kind, size])


PDFS = {
    **{
        f"{kind}_{size}": (None, _general(kind, size), SHEET if kind == "sheet" else POSTER)
        for kind, size in [("sheet", "a4"), ("sheet", "a5"), ("poster", "a3"), ("poster", "a4")]
    },
    "token_sheet_a4": (
        None,
        lambda w: reverse("materials:guide_download_pdf", args=[w.tokens["guide"], "a4"]),
        PERSONAL_SHEET,
    ),
    "admin_sheet_a5": (
        "editor",
        lambda w: reverse("materials_institution_guide", args=[w.objects["institution"].pk]) + "?size=a5",
        PERSONAL_SHEET,
    ),
    "team_pack": ("editor", None, PERSONAL_SHEET),
    "weekly_report": (
        "admin",
        lambda w: reverse("institutions_weekly_report"),
        ["campaign_name", "team_name", "kind_name"],
    ),
}


@pytest.mark.parametrize("name", PDFS)
def test_pdfs_print_every_hostile_value_literally(hostile, name):
    user, url, keys = PDFS[name]
    client = _client(hostile, user)
    if url is None:
        response, data = _pack_pdf(hostile, client)
    else:
        response, data = _get(client, url(hostile))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(data)
    _check_text(text, keys)
    for marker in PDF_ACTIVE:
        assert marker not in data, marker


def test_the_campaign_hotline_prints_when_the_guide_has_none(hostile):
    guide = hostile.objects["guide"]
    guide.hotline = ""
    guide.save_revision().publish()
    for kind, size in (("sheet", "a4"), ("poster", "a4")):
        _response, data = _get(Client(), reverse("materials:guide_print", args=[guide.pk, kind, size]))
        _check_text(pdf_text(data), ["org_hotline"])


def test_the_fact_sheet_prints_hostile_text_and_the_identity_literally(hostile):
    data = pdf.fact_sheet(
        title=V["fact_title"],
        subtitle=V["fact_description"],
        # Two columns, which pdftotext reads line by line: values that do not wrap.
        facts=[(V["team_name"], "<b>&23%")],
        notes=[V["release_summary"]],
        identity=printing.identity(),
    )
    text = pdf_text(data)
    _check_text(text, ["fact_title", "fact_description", "team_name", "release_summary"])
    assert "<b>&23%" in text
    _check_text(text, IDENTITY)
    assert not any(marker in data for marker in PDF_ACTIVE)


def test_the_release_zip_carries_the_hostile_text_literally(hostile):
    release = hostile.objects["release"]
    response, data = _get(Client(), reverse("materials:release_zip", args=[release.pk]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        [text_name] = [name for name in archive.namelist() if name.endswith(".txt")]
        text = archive.read(text_name).decode()
    _check_text(text, [key for key in RELEASE if key not in ("attachment_title", "body_heading")])
    assert_text_literal(text, V["body_heading"].upper())  # headings are capitals in plain text
    assert response["Content-Disposition"] == 'attachment; filename="ajak-warga.zip"'


# --- Very long text ----------------------------------------------------------------------------


def test_a_very_long_guide_intro_still_renders_and_prints_one_sheet(hostile, tmp_path):
    guide = hostile.objects["guide"]
    guide.intro = LONG
    guide.save_revision().publish()

    _response, body = _get(Client(), guide.get_url())
    assert_html_safe(body.decode(), LONG)

    _response, data = _get(
        Client(), reverse("materials:guide_download_pdf", args=[hostile.tokens["guide"], "a4"])
    )
    assert pdf_page_count(data, tmp_path) == 1
    text = pdf_text(data)
    assert "panjang panjang" in text
    # The rest of the sheet keeps its place: the institution's line, the steps, the call to
    # action, and its own QR code.
    _check_text(text, ["institution_name", "step_title", "step_text", "closing", "cta_label"])
    [png] = pdf_to_png(data, tmp_path, dpi=100)
    assert decode_qr(png) == [codes.for_institution(guide.pk, hostile.objects["institution"].pk).url]


def test_very_long_steps_shrink_into_the_sheet_and_the_poster(hostile, tmp_path):
    guide = hostile.objects["guide"]
    guide.steps = [("step", {"title": "Langkah", "text": LONG, "tip": LONG, "on_poster": True})] * 3
    guide.save_revision().publish()
    for kind, size, bottom in (("sheet", "a4", 0.3), ("sheet", "a5", 0.3), ("poster", "a3", 0.1)):
        _response, data = _get(Client(), reverse("materials:guide_print", args=[guide.pk, kind, size]))
        assert pdf_page_count(data, tmp_path) == 1
        assert "panjang panjang" in pdf_text(data)
        # The steps shrink above the call to action, which is still whole below them.
        # (Only the bottom is read: poppler drops letters of a page full of tiny text.)
        bottom_text = _pdf_text_at_the_bottom(data, tmp_path, size=size, share=bottom)
        assert "panjang" not in bottom_text
        _check_text(
            bottom_text, ["guide_hotline"] if kind == "poster" else ["closing", "cta_label", "guide_hotline"]
        )


def test_a_very_long_institution_name_is_refused_and_would_print_cut_to_its_line(hostile):
    client = _client(hostile, "editor")
    institution = hostile.objects["institution"]
    url = reverse("wagtailsnippets_institutions_institution:edit", args=[institution.pk])
    response = client.post(url, {"name": LONG, "kind": institution.kind_id, "region": institution.region_id})
    assert response.status_code == 200
    assert "paling banyak 255 karakter" in response.content.decode()
    institution.refresh_from_db()
    assert institution.name == V["institution_name"]

    # Were one stored anyway (an import, a database without length checks), the sheet
    # prints it cut to its line, and quickly (cutting it a letter at a time took seconds).
    content = printing.guide_content(guide=hostile.objects["guide"])
    started = time.monotonic()
    data = pdf.guide_sheet(content, qr_url="http://testserver/q/i1-1", personal={"institution_name": LONG})
    assert time.monotonic() - started < 3
    text = pdf_text(data)
    assert "panjang panjang" in text and "…" in text


# --- CRLF, invalid UTF-8, hostile URLs ---------------------------------------------------------

DOWNLOADS = {
    "token_sheet": lambda w: reverse("materials:guide_download_pdf", args=[w.tokens["guide"], "a4"]),
    "admin_sheet": lambda w: reverse("materials_institution_guide", args=[w.objects["institution"].pk]),
    "guide_print": lambda w: reverse("materials:guide_print", args=[w.objects["guide"].pk, "sheet", "a5"]),
    "release_zip": lambda w: reverse("materials:release_zip", args=[w.objects["release"].pk]),
    "media": lambda w: reverse(
        "materials:media_download", args=[MediaItem.objects.get(page=w.objects["room"]).pk, "original"]
    ),
}


@pytest.mark.parametrize("name", DOWNLOADS)
def test_crlf_in_names_never_reaches_a_response_header(world, name):
    o = world.objects
    o["institution"].name = f"Dinas {CRLF}"
    o["institution"].save()
    for page in (o["guide"], o["release"]):
        page.title = f"Judul {CRLF}"
        page.save_revision().publish()
    image = MediaItem.objects.get(page=o["room"]).image
    image.title = f"Foto {CRLF}"
    image.save()

    response, data = _get(_client(world, "editor"), DOWNLOADS[name](world))

    for header, value in response.items():
        assert "\r" not in value and "\n" not in value, header
    assert re.fullmatch(r'(inline|attachment); filename="[a-z0-9.-]+"', response["Content-Disposition"])
    if name.endswith("sheet"):  # printed on one line, the line break as a space
        assert "Dinas Rapat Bcc: korban@example.org" in pdf_text(data)


def test_invalid_utf8_in_a_name_is_shown_replaced_and_printed_transliterated(world):
    institution = world.objects["institution"]
    institution.name = INVALID_UTF8.decode("utf-8", errors="replace")  # as Django decodes a form
    institution.save()
    _response, body = _get(Client(), reverse("materials:guide_download", args=[world.tokens["guide"]]))
    assert "Dinas \ufffd\ufffd Kupang \ufffd(" in body.decode()
    url = reverse("materials:guide_download_pdf", args=[world.tokens["guide"], "a5"])
    _response, data = _get(Client(), url)
    assert "Dinas ?? Kupang ?(" in pdf_text(data)


HUGE = "9" * 30
BAD_URLS = {
    # Tokens and codes that are not UTF-8, or not ours: the friendly page, never a 500.
    "/materi/panduan-instansi/%FF%FE/": "Tautan ini tidak berfungsi",
    "/materi/panduan-instansi/%FF%FE/a4.pdf": "Tautan ini tidak berfungsi",
    "/materi/pers/%C3%28/": "Tautan ini tidak berfungsi",
    "/materi/pers/%C3%28/1/semua.zip": "Tautan ini tidak berfungsi",
    "/q/%FF%FE": "Kami tidak mengenali kode QR ini",
    "/q/%7B%7B7*7%7D%7D": "Kami tidak mengenali kode QR ini",
    # Ids larger than a database integer: not found, never an overflow.
    "/q/szzzzzzzzzzzz-zzzzzzzzzzzz": "Kami tidak mengenali kode QR ini",
    f"/materi/panduan/{HUGE}/sheet-a4.pdf": "",
    f"/materi/siaran-pers/{HUGE}/semua.zip": "",
    f"/materi/media/{HUGE}/web/": "",
}


@pytest.mark.parametrize("url", BAD_URLS)
def test_hostile_urls_get_a_not_found_page_not_an_error(home_page, url):
    _response, body = _get(Client(raise_request_exception=False), url, status=404)
    assert BAD_URLS[url] in body.decode()


def test_hostile_ids_in_a_press_link_or_the_staff_sheet_are_not_found(world):
    url = reverse("materials:press_preview_release", args=[world.tokens["press"], int(HUGE)])
    _response, body = _get(Client(raise_request_exception=False), url, status=404)
    assert "Tautan ini tidak berfungsi" in body.decode()

    client = _client(world, "editor")
    client.raise_request_exception = False
    url = reverse("materials_institution_guide", args=[world.objects["institution"].pk])
    for guide in ["²", HUGE, "9" * 5000, "%FF", "1 OR 1=1", "{{7*7}}"]:
        _get(client, f"{url}?guide={guide}", status=404)


def test_the_pack_form_refuses_a_huge_guide_id(world):
    client = _client(world, "editor")
    client.raise_request_exception = False
    packs = GuidePack.objects.count()
    response = client.post(reverse("materials_packs"), {"guide": HUGE, "region": "", "size": "a4"})
    assert response.status_code == 200
    assert "Masukkan pilihan yang valid" in response.content.decode()
    assert GuidePack.objects.count() == packs


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_script_urls_are_refused_for_the_guide_target_and_call_to_action_links(url):
    target = GuidePage._meta.get_field("target_url")
    for clean in (lambda: target.clean(url, None), lambda: target.formfield().clean(url)):
        with pytest.raises(ValidationError, match="Masukkan URL yang valid"):
            clean()
    call_to_action = BaseStreamBlock().child_blocks["call_to_action"]
    with pytest.raises(ValidationError):
        call_to_action.clean({"label": "Isi sensus", "url": url})


# --- Campaign defaults the materials print ------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("whatsapp", PAYLOAD_SHORT, "Gunakan format +62…"),
        ("organisation_name", LONG, "paling banyak 200 karakter"),
        ("hashtag", PAYLOAD, "paling banyak 60 karakter"),
    ],
)
def test_the_campaign_defaults_form_refuses_what_the_materials_cannot_print(world, field, value, error):
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["core", "campaignsettings", site.pk])
    data = {
        "organisation_name": "Badan Pusat Statistik",
        "hotline": "(0380) 826289",
        "whatsapp": "+6282247291975",
        "email": "",
        "address": "",
        "website": "",
        "census_form_url": "https://sensus.bps.go.id",
        "hashtag": "#MencatatIndonesia",
        field: value,
    }
    response = _client(world, "admin").post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert_html_safe(html, value)  # shown again, escaped, to be corrected
    assert CampaignSettings.for_site(site).organisation_name == "BPS Provinsi Nusa Tenggara Timur"
