"""The hostile-input set through the text fields of news, core, the institution registry,
field work and the field app: public pages, cards, feeds, link previews, search, the admin,
the dashboard and reports, the import preview and the field app's JSON API.

Every check renders the surface and asserts the value *is* shown (escaped, or as a JSON
string / XML text that round-trips), so a surface that drops a field fails too.
"""

import csv
import io
import json
import re
import uuid
from html import unescape
from pathlib import Path

import feedparser
import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from wagtail.models import Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield
from wagtail_factories import ImageFactory

from campaign.core.models import CampaignExtension, CampaignSettings
from campaign.institutions import services
from campaign.institutions.models import (
    GuidedSession,
    ImportRun,
    Institution,
    MeetingCommitment,
    PersonalDataLog,
)
from campaign.news.models import NewsPage
from tests.factories import InstitutionFactory, NewsPageFactory
from tests.security.hostile import (
    HOSTILE_URLS,
    PAYLOAD,
    PAYLOAD_SHORT,
    assert_html_safe,
    assert_text_literal,
)

pytestmark = pytest.mark.django_db

COVERS = {
    # News
    ("news.NewsIndexPage", "intro"): {"page", "admin"},
    ("news.NewsPage", "lead"): {"page", "feed", "admin"},
    ("news.NewsPage", "hero_caption"): {"page", "admin"},
    ("news.NewsPage", "hero_credit"): {"page", "admin"},
    ("news.NewsPage", "body"): {"page", "admin"},
    ("news.NewsPage", "reporter"): {"page", "feed", "admin"},
    ("news.NewsPage", "editor"): {"page", "admin"},
    # Core
    ("core.HomePage", "intro"): {"page"},
    ("core.HomePage", "cta_label"): {"page"},
    ("core.HomePage", "body"): {"page"},
    ("core.CampaignSettings", "organisation_name"): {"page", "feed"},
    ("core.CampaignSettings", "hotline"): {"page"},
    ("core.CampaignSettings", "whatsapp"): {"page", "refused"},
    ("core.CampaignSettings", "address"): {"page"},
    ("core.CampaignSettings", "hashtag"): {"page"},
    ("core.Campaign", "name"): {"admin", "api"},
    ("core.Campaign", "short_name"): {"admin", "api"},
    ("core.CampaignExtension", "reason"): {"admin"},
    ("core.Region", "name"): {"admin", "page", "api"},
    # Institution registry
    ("institutions.Institution", "name"): {"admin", "api", "export"},
    ("institutions.Institution", "address"): {"admin", "api", "export"},
    ("institutions.Institution", "notes"): {"admin", "export"},
    ("institutions.Institution", "external_id"): {"admin", "export"},
    ("institutions.InstitutionKind", "name"): {"admin", "api"},
    ("institutions.InstitutionKind", "description"): {"admin"},
    ("institutions.MediaPartner", "name"): {"admin"},
    ("institutions.MediaPartner", "notes"): {"admin"},
    ("institutions.Contact", "name"): {"admin", "api", "export"},
    ("institutions.Contact", "position"): {"admin", "api", "export"},
    ("institutions.Contact", "phone"): {"admin", "api", "export"},
    ("institutions.Contact", "purpose"): {"admin", "export"},
    ("institutions.Contact", "consent_source"): {"admin", "export"},
    ("institutions.PersonalDataLog", "detail"): {"export"},
    ("institutions.ImportRun", "filename"): {"admin"},
    # Field work
    ("institutions.Team", "name"): {"admin", "api"},
    ("institutions.Team", "phone"): {"admin", "api"},
    ("institutions.GuidedSession", "notes"): {"admin", "api"},
    ("institutions.CoordinationMeeting", "notes"): {"admin", "api"},
    ("institutions.MeetingCommitment", "description"): {"admin"},
    ("institutions.MeetingCommitment", "owner"): {"admin"},
}

FIELDAPP_STATIC = Path(settings.BASE_DIR) / "campaign" / "fieldapp" / "static" / "fieldapp"


def hostile(label, value=PAYLOAD):
    """A hostile value that also says which field it came from."""
    return f"{label} {value}"


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def html_of(client, url):
    return get(client, url).content.decode()


@pytest.fixture
def admin(world):
    client = Client()
    client.force_login(world.users["admin"])
    return client


def assert_all_html_safe(html, values):
    """``assert_html_safe`` for every (name → value), naming the field that fails."""
    for name, value in values.items():
        try:
            assert_html_safe(html, value)
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from None


def assert_json_in_html(html, value, depth=1):
    """``value`` is in ``html`` as a JSON string (``depth`` times encoded: rich text in a
    StreamField is JSON in JSON) inside an escaped attribute, never as markup."""
    assert "<script>alert(1)</script>" not in html and "<img src=x onerror" not in html
    for _ in range(depth):
        value = json.dumps(value, ensure_ascii=False)[1:-1]
    assert value in unescape(html), "the value is not in the page"


def meta(html, attribute, name):
    """The (unescaped) content of ``<meta {attribute}="{name}" content="…">``."""
    found = re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    assert found, f"no {name} meta tag"
    return [unescape(value) for value in found]


# --- News ------------------------------------------------------------------------------

NEWS = {
    "title": hostile("Kabar"),
    "lead": hostile("Lead"),
    "hero_caption": hostile("Keterangan"),
    "hero_credit": hostile("Kredit"),
    "reporter": hostile("Reporter"),
    "editor": hostile("Editor"),
}
BLOCKS = {
    "paragraph": hostile("Paragraf"),
    "heading": hostile("Judul"),
    "image_caption": hostile("Foto"),
    "image_credit": hostile("Fotografer"),
    "quote_text": hostile("Kutipan"),
    "quote_attribution": hostile("Narasumber"),
    "cta_label": PAYLOAD_SHORT,  # 80 characters at most
    "document_title": hostile("Dokumen"),
}
INDEX_INTRO = hostile("Pengantar")


@pytest.fixture
def post(world, admin):
    """A news post written in the admin with the hostile set in every field and block,
    published; the index's introduction is hostile too."""
    index = world.objects["news"].get_parent().specific
    index.intro = f"<p>{escape(INDEX_INTRO)}</p>"
    index.save_revision().publish()
    image = ImageFactory(title="Foto tim", file__width=800, file__height=600)
    data = nested_form_data(
        {
            **NEWS,
            "slug": "kabar-berbahaya",
            "date": timezone.localdate().isoformat(),
            "hero_image": image.pk,
            "body": streamfield(
                [
                    ("paragraph", rich_text(f"<p>{escape(BLOCKS['paragraph'])}</p>")),
                    ("heading", {"text": BLOCKS["heading"], "size": "h2"}),
                    (
                        "image",
                        {
                            "image": image.pk,
                            "caption": BLOCKS["image_caption"],
                            "credit": BLOCKS["image_credit"],
                        },
                    ),
                    ("quote", {"text": BLOCKS["quote_text"], "attribution": BLOCKS["quote_attribution"]}),
                    ("call_to_action", {"label": BLOCKS["cta_label"], "url": "https://sensus.bps.go.id"}),
                    (
                        "document",
                        {"document": world.objects["document"].pk, "title": BLOCKS["document_title"]},
                    ),
                ]
            ),
            "tags": "sensus online",
            "region": world.objects["region"].parent_id,
            "related_links": inline_formset([]),
            "action-publish": "action-publish",
        }
    )
    response = admin.post(reverse("wagtailadmin_pages:add", args=["news", "newspage", index.pk]), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    page = NewsPage.objects.get(slug="kabar-berbahaya")
    assert page.live and page.lead == NEWS["lead"]
    return page


def test_news_post_page_shows_every_field_and_block_as_text(client, post):
    html = html_of(client, post.url)
    assert_all_html_safe(html, {**NEWS, **BLOCKS})
    # <title>, link previews (OpenGraph, Twitter) and the share button carry the text.
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert unescape(title).startswith(NEWS["title"] + " · ")
    assert meta(html, "property", "og:title") == [NEWS["title"]]
    assert meta(html, "property", "og:description") == [NEWS["lead"]]
    assert meta(html, "name", "twitter:title") == [NEWS["title"]]
    assert meta(html, "name", "description") == [NEWS["lead"]]
    assert f'data-share-title="{escape(NEWS["title"])}"' in html


def test_news_index_card_and_introduction(client, post):
    html = html_of(client, post.get_parent().url)
    assert_html_safe(html, INDEX_INTRO)
    assert_html_safe(html, NEWS["title"])
    assert_html_safe(html, NEWS["lead"])


def test_news_search_finds_and_shows_the_hostile_post_and_echoes_the_query(client, post):
    index_url = post.get_parent().url
    response = client.get(index_url, {"q": PAYLOAD})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'class="news-card-title"><a href="[^"]+">', html), "the post is not found"
    assert_html_safe(html, NEWS["title"])
    # The query is echoed in the search field and the result line, as text.
    assert f'value="{escape(PAYLOAD)}"' in html
    assert_html_safe(html, PAYLOAD)


@pytest.mark.parametrize(
    ("path", "version"), [("/feeds/news/rss.xml", "rss20"), ("/feeds/news/atom.xml", "atom10")]
)
def test_news_feeds_stay_well_formed_and_carry_the_text(client, post, path, version):
    organisation = hostile("Organisasi")
    site_settings = CampaignSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.organisation_name = organisation
    site_settings.save()
    body = get(client, path).content
    root = ElementTree.fromstring(body)  # well-formed XML, or this raises
    texts = [element.text for element in root.iter() if element.text]
    assert NEWS["title"] in texts
    assert NEWS["lead"] in texts
    assert NEWS["reporter"] in texts
    assert any(organisation in text for text in texts)
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == version
    entry = next(entry for entry in feed.entries if entry.title == NEWS["title"])
    assert entry.author == NEWS["reporter"]
    for raw in ("<script", "<img"):
        assert raw.encode() not in body


def test_news_post_edit_page_in_the_admin_shows_the_fields_escaped(admin, post):
    html = html_of(admin, reverse("wagtailadmin_pages:edit", args=[post.pk]))
    assert_all_html_safe(html, {name: NEWS[name] for name in NEWS})
    # StreamField blocks and rich text travel as JSON in attributes: escaped, never markup.
    for name, value in BLOCKS.items():
        assert_json_in_html(html, value, depth=2 if name == "paragraph" else 1)
    index_html = html_of(admin, reverse("wagtailadmin_pages:edit", args=[post.get_parent().pk]))
    assert_json_in_html(index_html, INDEX_INTRO)


# --- Core: home page, organisation settings, campaign, regions ------------------------

HOME = {
    "title": hostile("Beranda"),
    "intro": hostile("Pengantar"),
    "cta_label": "Isi " + PAYLOAD_SHORT,
    "section": hostile("Ringkasan"),  # a section's search description, on its card
}
HOME_BODY = {
    "heading": hostile("Judul"),
    "paragraph": hostile("Paragraf"),
    "image_caption": hostile("Foto"),
    "image_credit": hostile("Fotografer"),
    "quote_text": hostile("Kutipan"),
    "quote_attribution": hostile("Narasumber"),
    "cta_label": "Tombol " + PAYLOAD_SHORT,
    "document_title": hostile("Dokumen"),
}


def test_home_page_fields_and_body_blocks_are_shown_as_text(client, world, home_page):
    image = ImageFactory(title="Foto", file__width=800, file__height=600)
    home_page.title = HOME["title"]
    home_page.intro = f"<p>{escape(HOME['intro'])}</p>"
    home_page.cta_label = HOME["cta_label"]
    home_page.body = [
        {"type": "heading", "value": {"text": HOME_BODY["heading"], "size": "h2"}},
        {"type": "paragraph", "value": f"<p>{escape(HOME_BODY['paragraph'])}</p>"},
        {
            "type": "image",
            "value": {
                "image": image.pk,
                "caption": HOME_BODY["image_caption"],
                "credit": HOME_BODY["image_credit"],
            },
        },
        {
            "type": "quote",
            "value": {"text": HOME_BODY["quote_text"], "attribution": HOME_BODY["quote_attribution"]},
        },
        {
            "type": "call_to_action",
            "value": {"label": HOME_BODY["cta_label"], "url": "https://sensus.bps.go.id"},
        },
        {
            "type": "document",
            "value": {"document": world.objects["document"].pk, "title": HOME_BODY["document_title"]},
        },
    ]
    home_page.save_revision().publish()
    section = world.objects["news"].get_parent()
    section.search_description = HOME["section"]
    section.save_revision().publish()

    html = html_of(client, "/")
    assert_all_html_safe(html, {**HOME, **HOME_BODY})
    assert meta(html, "property", "og:title") == [HOME["title"]]


PHONE_LIKE = ["0380 " + PAYLOAD_SHORT, "javascript:alert(1)", '" onclick="alert(1)', "tel:+62 (380) 8 21"]


@pytest.mark.parametrize("hotline", PHONE_LIKE)
def test_organisation_settings_in_header_and_footer_and_their_links(client, home_page, hotline):
    values = {
        "organisation_name": hostile("Organisasi"),
        "hotline": hotline,
        "address": hostile("Alamat"),
        "hashtag": "#" + PAYLOAD_SHORT,
        # Stored past the form's validator (an old row, a shell): still only text.
        "whatsapp": "+" + PAYLOAD_SHORT[:19],
    }
    site_settings = CampaignSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in values.items():
        setattr(site_settings, name, value)
    site_settings.save()

    html = html_of(client, "/")
    assert_all_html_safe(html, values)
    # The links keep their scheme and stay inside their attribute.
    dialled = hotline.replace(" ", "").replace("(", "").replace(")", "")
    assert f'<a href="tel:{escape(dialled)}">' in html
    assert f'<a href="https://wa.me/{escape(values["whatsapp"][1:])}">' in html
    for href in re.findall(r'<a href="([^"]*)"', html):
        assert not unescape(href).strip().lower().startswith(("javascript:", "data:", "vbscript:")), href


def test_organisation_settings_form_refuses_a_hostile_whatsapp_number(admin, world):
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["core", "campaignsettings", site.pk])
    response = admin.post(
        url,
        {
            "organisation_name": "BPS Provinsi NTT",
            "hotline": "",
            "whatsapp": PAYLOAD_SHORT,
            "email": "",
            "address": "",
            "website": "",
            "census_form_url": "https://sensus.bps.go.id",
            "hashtag": "",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    html = response.content.decode()
    assert "Gunakan format +62…" in html
    assert_html_safe(html, PAYLOAD_SHORT)  # the refused value is shown back, escaped
    assert CampaignSettings.for_site(site).whatsapp == ""


CAMPAIGN = {"name": hostile("Kampanye"), "short_name": "S" + PAYLOAD_SHORT, "reason": hostile("Alasan")}


def test_campaign_names_and_extension_reason_in_the_admin_dashboard_and_field_app(world, admin):
    campaign = world.objects["campaign"]
    campaign.name = CAMPAIGN["name"]
    campaign.short_name = CAMPAIGN["short_name"]
    campaign.save()
    CampaignExtension.objects.create(
        campaign=campaign, new_end=campaign.online_end + timezone.timedelta(days=7), reason=CAMPAIGN["reason"]
    )
    assert_html_safe(html_of(admin, reverse("wagtailsnippets_core_campaign:list")), CAMPAIGN["name"])
    edit = html_of(admin, reverse("wagtailsnippets_core_campaign:edit", args=[campaign.pk]))
    assert_all_html_safe(edit, CAMPAIGN)
    for url in (reverse("institutions_dashboard"), reverse("wagtailadmin_home")):
        assert_html_safe(html_of(admin, url), CAMPAIGN["short_name"])
    campaign.short_name = ""
    campaign.save()
    assert_html_safe(html_of(admin, reverse("institutions_dashboard")), CAMPAIGN["name"])

    member = Client()
    member.force_login(world.users["member"])
    data = api_json(member, reverse("fieldapp:api_week"))
    assert data["campaign"] == {"name": CAMPAIGN["name"], "short_name": ""}


def test_region_names_in_the_admin_dashboard_news_and_field_app(world, admin, client):
    district = world.objects["region"]
    district.name = hostile("Kecamatan")
    district.save()
    regency = district.parent
    regency.name = hostile("Kota")
    regency.save()
    hold_the_session(world)

    assert_html_safe(html_of(admin, reverse("wagtailsnippets_core_region:list")), district.name)
    assert_html_safe(
        html_of(admin, reverse("wagtailsnippets_core_region:inspect", args=[district.pk])), district.name
    )
    assert_html_safe(html_of(admin, reverse("institutions_dashboard")), district.name)  # districts reached
    post = NewsPageFactory(parent=world.objects["news"].get_parent(), slug="wilayah", region=regency)
    assert_html_safe(html_of(client, post.url), regency.name)
    assert_html_safe(html_of(client, post.get_parent().url), regency.name)  # the region filter

    member = Client()
    member.force_login(world.users["member"])
    data = api_json(member, reverse("fieldapp:api_week"))
    assert district.name in [d["name"] for d in data["districts"]]
    assert data["assignments"][0]["institution"]["region"] == district.name


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_no_url_field_or_link_block_of_ours_accepts_a_script_url(url):
    from campaign.core.blocks import CallToActionBlock

    fields = list(_url_fields())
    assert len(fields) >= 5  # campaign target, settings website + form, guide target, institution website
    for field in fields:
        with pytest.raises(ValidationError):
            field.clean(url, None)
    block = CallToActionBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"label": "Isi", "url": url}))


def _url_fields():
    from django.apps import apps
    from django.db import models

    for config in apps.get_app_configs():
        if not config.name.startswith("campaign."):
            continue
        for model in config.get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.URLField):
                    yield field


def test_rich_text_drops_script_links():
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
    from wagtail.rich_text import expand_db_html

    converter = ContentstateConverter(features=["link", "bold"])
    stored = converter.to_database_format(
        converter.from_database_format(
            '<p><a href="javascript:alert(1)">klik</a> <b>tebal</b><script>alert(1)</script></p>'
        )
    )
    html = expand_db_html(stored)
    assert "javascript:" not in html and "<script" not in html and "tebal" in html


def hold_the_session(world, **fields):
    """The world's planned session, held: its institution counts as reached."""
    return services.session_record(
        session=world.objects["guidedsession"],
        user=world.users["admin"],
        status=GuidedSession.Status.HELD,
        people_guided=5,
        people_completed=3,
        **fields,
    )


def api_json(client, url):
    response = get(client, url)
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    return response.json()


# --- Institution registry and field work in the admin ---------------------------------

REGISTRY = {
    "institution.name": hostile("Instansi"),
    "institution.address": hostile("AlamatInstansi"),
    "institution.notes": hostile("CatatanInstansi"),
    "institution.external_id": "EXT-" + PAYLOAD_SHORT,
    "kind.name": "J" + PAYLOAD,  # 80 characters at most
    "kind.description": hostile("Deskripsi"),
    "partner.name": hostile("Media"),
    "partner.notes": hostile("CatatanMedia"),
    "contact.name": hostile("Kontak"),
    "contact.position": hostile("Jabatan"),
    "contact.phone": "K" + PAYLOAD_SHORT,  # 20 characters at most, no validator
    "contact.purpose": hostile("Tujuan"),
    "contact.consent_source": hostile("Sumber"),
    "team.name": hostile("Tim"),
    "team.phone": "T" + PAYLOAD_SHORT,
    "session.notes": hostile("CatatanSesi"),
    "meeting.notes": hostile("CatatanRapat"),
    "commitment.description": hostile("Komitmen"),
    "commitment.owner": hostile("Penanggung"),
}


@pytest.fixture
def registry(world):
    """The world's registry and field work with the hostile set in every text field."""
    objects = world.objects
    targets = {
        "institution": objects["institution"],
        "kind": objects["institutionkind"],
        "partner": objects["mediapartner"],
        "contact": objects["contact"],
        "team": objects["team"],
        "meeting": objects["coordinationmeeting"],
    }
    for key, value in REGISTRY.items():
        target, field = key.split(".")
        if target in targets:
            setattr(targets[target], field, value)
    for target in targets.values():
        target.save()
    hold_the_session(world, notes=REGISTRY["session.notes"])
    MeetingCommitment.objects.create(
        meeting=objects["coordinationmeeting"],
        description=REGISTRY["commitment.description"],
        owner=REGISTRY["commitment.owner"],
    )
    return world


def _admin_pages(world):
    """(URL, the fields it shows) for every admin page that shows registry text."""
    o = world.objects
    snippet = "wagtailsnippets_institutions_{}:{}".format
    return [
        (reverse(snippet("institution", "list")), ["institution.name", "kind.name"]),
        (
            reverse(snippet("institution", "inspect"), args=[o["institution"].pk]),
            [
                "institution.name",
                "institution.address",
                "institution.notes",
                "institution.external_id",
                "kind.name",
                "contact.name",
                "contact.position",
                "contact.phone",
            ],
        ),
        (
            reverse(snippet("institution", "edit"), args=[o["institution"].pk]),
            ["institution.name", "institution.address", "institution.notes", "institution.external_id"],
        ),
        (
            reverse(snippet("contact", "list")),
            ["contact.name", "contact.position", "contact.phone", "institution.name"],
        ),
        (
            reverse(snippet("contact", "inspect"), args=[o["contact"].pk]),
            [
                "contact.name",
                "contact.position",
                "contact.phone",
                "contact.purpose",
                "contact.consent_source",
                "institution.name",
            ],
        ),
        (
            reverse(snippet("contact", "edit"), args=[o["contact"].pk]),
            [
                "contact.name",
                "contact.position",
                "contact.phone",
                "contact.purpose",
                "contact.consent_source",
            ],
        ),
        (reverse(snippet("mediapartner", "list")), ["partner.name"]),
        (
            reverse(snippet("mediapartner", "edit"), args=[o["mediapartner"].pk]),
            ["partner.name", "partner.notes"],
        ),
        (reverse(snippet("institutionkind", "list")), ["kind.name", "kind.description"]),
        (reverse(snippet("team", "list")), ["team.name"]),
        (reverse(snippet("team", "edit"), args=[o["team"].pk]), ["team.name", "team.phone"]),
        (reverse(snippet("guidedsession", "list")), ["institution.name", "team.name"]),
        (reverse(snippet("guidedsession", "edit"), args=[o["guidedsession"].pk]), ["session.notes"]),
        (reverse(snippet("assignment", "list")), ["institution.name", "team.name"]),
        (
            reverse(snippet("coordinationmeeting", "edit"), args=[o["coordinationmeeting"].pk]),
            ["meeting.notes", "commitment.description", "commitment.owner"],
        ),
        (reverse("institutions_dashboard"), ["team.name", "kind.name"]),
        (reverse("wagtailadmin_home"), ["team.name"]),
        (reverse("institutions_report_sessions"), ["institution.name", "team.name"]),
        (reverse("institutions_report_team_performance"), ["team.name"]),
        (reverse("institutions_planning") + f"?district={o['region'].code}", ["team.name"]),
        (reverse("institutions_contact_erase", args=[o["contact"].pk]), ["contact.name"]),
    ]


def test_registry_and_field_work_text_is_escaped_on_every_admin_page(registry, admin):
    pages = _admin_pages(registry)
    assert {field for _, fields in pages for field in fields} == set(REGISTRY)  # every field, somewhere
    for url, fields in pages:
        html = html_of(admin, url)
        try:
            assert_all_html_safe(html, {field: REGISTRY[field] for field in fields})
        except AssertionError as error:
            raise AssertionError(f"{url}: {error}") from None


def test_contact_phone_links_in_the_admin_stay_tel_links(registry, admin):
    institution = registry.objects["institution"]
    html = html_of(admin, reverse("wagtailsnippets_institutions_institution:inspect", args=[institution.pk]))
    assert f'<a href="tel:{escape(REGISTRY["contact.phone"])}">' in html


def test_a_team_with_a_hostile_name_in_the_planning_message(registry, admin):
    """The success message names the team: Wagtail shows messages as text."""
    institution = InstitutionFactory(name=hostile("Baru"), region=registry.objects["region"])
    url = reverse("institutions_planning") + f"?district={registry.objects['region'].code}"
    assert_html_safe(html_of(admin, url), institution.name)
    response = admin.post(
        url, {"institutions": [institution.pk], "team": registry.objects["team"].pk}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert_html_safe(html, f"1 institusi direncanakan untuk {REGISTRY['team.name']}; 0 sudah")


@pytest.mark.parametrize(
    ("listing", "fields"),
    [
        (
            "wagtailsnippets_institutions_institution:list",
            [
                "institution.name",
                "institution.address",
                "institution.notes",
                "institution.external_id",
                "kind.name",
            ],
        ),
        (
            "wagtailsnippets_institutions_contact:list",
            [
                "contact.name",
                "contact.position",
                "contact.phone",
                "contact.purpose",
                "contact.consent_source",
            ],
        ),
    ],
)
def test_csv_exports_carry_the_text_literally_and_log_the_request_inertly(registry, admin, listing, fields):
    response = admin.get(reverse(listing), {"export": "csv", "catatan": f"{PAYLOAD}\r\nBcc: x@example.org"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    text = "\n".join(cell for row in csv.reader(io.StringIO(body)) for cell in row)
    for field in fields:
        assert_text_literal(text, REGISTRY[field])
    assert "\r\nBcc:" not in response.get("Content-Disposition", "")
    # The personal data log records what was asked, URL-encoded: inert text.
    detail = PersonalDataLog.objects.filter(action="export").latest("created_at").detail
    assert detail.startswith("csv ") and "catatan=Zx%3Cscript%3E" in detail
    assert "<" not in detail and "\r" not in detail and "\n" not in detail


def test_import_preview_shows_hostile_cells_and_the_file_name_escaped(registry, admin):
    region = registry.objects["region"].code
    rows = [
        "name,kind,region_code,address",
        f"{PAYLOAD},Kantor Pemerintah,{region},{PAYLOAD}",
        f"Dinas Baru,{PAYLOAD},{region},",  # an unknown kind: the message quotes the cell
        f'Dinas Lain,Kantor Pemerintah,"{PAYLOAD.replace(chr(34), chr(34) * 2)}",',
    ]
    filename = hostile("daftar") + ".csv"
    run = services.import_run_create(
        content="\r\n".join(rows).encode(),
        filename=filename,
        source="uji",
        lawful_basis="public_task",
        user=registry.users["admin"],
    )
    run.refresh_from_db()
    assert run.status == ImportRun.Status.INVALID
    html = html_of(admin, reverse("institutions_import_run", args=[run.pk]))
    assert_html_safe(html, filename)
    assert_html_safe(html, f"Jenis “{PAYLOAD}” tidak dikenal.")
    assert_html_safe(html, PAYLOAD)
    assert not Institution.objects.filter(name=PAYLOAD).exists()
    assert_html_safe(html_of(admin, reverse("institutions_import")), filename)  # "your recent imports"


# --- The field app: its JSON API and how its script shows what the API returns --------


@pytest.fixture
def member(registry):
    client = Client()
    client.force_login(registry.users["member"])
    return client


def test_week_api_returns_the_hostile_text_as_json_strings(registry, member):
    data = api_json(member, reverse("fieldapp:api_week"))
    row = next(r for r in data["assignments"] if r["institution"]["id"] == registry.objects["institution"].pk)
    institution = row["institution"]
    assert institution["name"] == REGISTRY["institution.name"]
    assert institution["address"] == REGISTRY["institution.address"]
    assert institution["kind"] == REGISTRY["kind.name"]
    contact = institution["contacts"][0]
    assert (contact["name"], contact["position"], contact["phone"]) == (
        REGISTRY["contact.name"],
        REGISTRY["contact.position"],
        REGISTRY["contact.phone"],
    )
    assert data["team"] == {
        "id": registry.objects["team"].pk,
        "name": REGISTRY["team.name"],
        "phone": REGISTRY["team.phone"],
    }
    assert REGISTRY["team.name"] in [team["name"] for team in data["teams"]]
    assert [s["notes"] for s in data["sessions"]] == [REGISTRY["session.notes"]]
    assert row["last_session"]["notes"] == REGISTRY["session.notes"]
    assert [m["notes"] for m in data["meetings"]] == [REGISTRY["meeting.notes"]]


@pytest.mark.parametrize(
    ("phone", "whatsapp"),
    [
        # Only ASCII digits reach the link; a leading 0 becomes Indonesia's 62.
        ("K" + PAYLOAD_SHORT, "https://wa.me/77"),
        ("javascript:alert(1)", "https://wa.me/1"),
        ('" onclick="alert(1)', "https://wa.me/1"),
        ("0812-3456-7890", "https://wa.me/6281234567890"),
        ("+62 ²³ ٣٤ 812", "https://wa.me/62812"),
        ("Kantor <b>", None),
    ],
)
def test_call_whatsapp_and_map_links_built_from_hostile_text_keep_their_scheme(
    registry, member, phone, whatsapp
):
    contact = registry.objects["contact"]
    contact.phone = phone
    contact.save()
    data = api_json(member, reverse("fieldapp:api_week"))
    row = next(r for r in data["assignments"] if r["institution"]["id"] == contact.institution_id)
    links = row["institution"]["contacts"][0]
    assert links["tel"] == f"tel:{phone}"  # a tel: link whatever the text; the script sets it as an attribute
    assert links["whatsapp"] == whatsapp, links
    # The click-to-chat with the progress link: the same digits, the text only in the query.
    if whatsapp is None:
        assert links["progress_whatsapp"] is None
    else:
        assert links["progress_whatsapp"].startswith(whatsapp + "?text="), links
        assert not set(links["progress_whatsapp"]) & set("<>\"' \r\n"), links
    assert row["institution"]["map_url"].startswith("https://www.openstreetmap.org/")
    assert row["institution"]["geo_url"].startswith("geo:")
    for url in (row["institution"]["map_url"], row["institution"]["geo_url"]):
        assert not set(url) & set("<>\"' \r\n"), url  # the address is percent-encoded


def test_notes_sent_through_the_sync_api_come_back_as_the_same_json_strings(registry, member):
    team, institution = registry.objects["team"], registry.objects["institution"]
    body = {
        "client_id": str(uuid.uuid4()),
        "team": team.pk,
        "institution": institution.pk,
        "starts_at": timezone.localtime().replace(microsecond=0).isoformat(),
        "status": "held",
        "people_guided": 4,
        "people_completed": 2,
        "notes": hostile("Sinkron"),
    }
    response = member.post(
        reverse("fieldapp:api_sessions"), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    session = response.json()["session"]
    assert session["notes"] == body["notes"] and session["institution_name"] == REGISTRY["institution.name"]
    edit = {"base_updated_at": session["updated_at"], "notes": hostile("Diubah")}
    response = member.put(
        reverse("fieldapp:api_session", args=[session["id"]]),
        json.dumps(edit),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["session"]["notes"] == edit["notes"]
    meeting = {
        "team": team.pk,
        "district": registry.objects["region"].pk,
        "date": timezone.localdate().isoformat(),
        "attendees": 12,
        "notes": hostile("RapatSinkron"),
    }
    response = member.post(
        reverse("fieldapp:api_meetings"), json.dumps(meeting), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    # The world's meeting that day already had notes: the new ones are added on a line.
    assert meeting["notes"] in response.json()["meeting"]["notes"].splitlines()

    data = api_json(member, reverse("fieldapp:api_week"))
    assert edit["notes"] in [s["notes"] for s in data["sessions"]]
    assert meeting["notes"] in [line for m in data["meetings"] for line in m["notes"].splitlines()]
    admin = Client()
    admin.force_login(registry.users["admin"])
    edit_url = reverse("wagtailsnippets_institutions_guidedsession:edit", args=[session["id"]])
    assert_html_safe(html_of(admin, edit_url), edit["notes"])


# What the script may put in an href: its own routes, or the links the API builds
# (tel:, https://wa.me/…, https://www.openstreetmap.org/…, geo:), checked above.
SAFE_HREF_SOURCES = {
    "contact.tel",
    "contact.whatsapp",
    "contact.progress_whatsapp",
    "contacts[0].tel",
    "contacts[0].whatsapp",
    "inst.geo_url",
    "inst.map_url",
}


def test_field_app_script_shows_server_data_only_as_text():
    scripts = {path.name: path.read_text() for path in FIELDAPP_STATIC.glob("*.js")}
    scripts["sw.js"] = (Path(settings.BASE_DIR) / "templates" / "fieldapp" / "sw.js").read_text()
    assert {"app.js", "store.js", "sw.js"} <= set(scripts)
    for name, source in scripts.items():
        for sink in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ):
            assert sink not in source, f"{name} uses {sink}"
    app = scripts["app.js"]
    # The one element builder puts text in with textContent / text nodes, never as markup.
    assert 'else if (name === "text") el.textContent = value;' in app
    assert "document.createTextNode(child)" in app
    hrefs = re.findall(r"href: ([^,}]+)", app)
    assert len(hrefs) >= 10
    for expression in hrefs:
        expression = expression.strip()
        if expression.startswith(('"#/', "API.")):
            continue
        sources = set(re.findall(r"\b(?:contacts\[0\]|contact|inst)\.\w+", expression))
        assert sources and sources <= SAFE_HREF_SOURCES, expression
