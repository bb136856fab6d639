"""The press room: releases, embargo through personal links, documents, zip, media."""

import datetime
import io
import re
import zipfile
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone, translation
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail_factories import DocumentFactory, ImageFactory

from campaign.core.models import HomePage
from campaign.materials import tokens
from campaign.materials.models import (
    MediaItem,
    PressAttachment,
    PressContact,
    PressFactSheet,
    PressReleasePage,
    PressRoomPage,
)
from tests.factories import (
    HomePageFactory,
    MediaContactFactory,
    PressReleasePageFactory,
    PressRoomPageFactory,
)
from tests.http import drain

pytestmark = pytest.mark.django_db

EXTENDED = "Sensus Penduduk Online diperpanjang hingga 29 Mei 2020"


class PressTreeTests(WagtailPageTestCase):
    def test_tree_rules(self):
        self.assertAllowedParentPageTypes(PressRoomPage, {HomePage})
        self.assertAllowedSubpageTypes(PressRoomPage, {PressReleasePage})
        self.assertAllowedParentPageTypes(PressReleasePage, {PressRoomPage})

    def test_an_editor_can_create_a_room(self):
        self.login()
        home = HomePageFactory(parent=Page.get_first_root_node(), slug="home-press")
        self.assertCanCreateAt(HomePage, PressRoomPage)
        self.assertCanCreateAt(PressRoomPage, PressReleasePage)
        assert home.pk


@pytest.fixture(autouse=True)
def files_on_disk(settings, tmp_path):
    """Wagtail serves documents from a file path (serve_view + sendfile), which the
    in-memory storage of the test settings does not have."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def _pdf(name):
    return DocumentFactory(title=name, file__filename=f"{name}.pdf", file__data=b"%PDF-1.4 " + name.encode())


@pytest.fixture
def room(home_page, campaign_settings):
    return PressRoomPageFactory(parent=home_page, press_email="pers@example.org", press_phone="(0380) 826289")


@pytest.fixture
def published(room):
    release = PressReleasePageFactory(
        parent=room, title="BPS NTT ajak warga isi Sensus Penduduk Online", slug="ajak-warga", live=False
    )
    release.attachments = [PressAttachment(document=_pdf("lembar-fakta"), title="Lembar fakta")]
    release.contacts = [PressContact(name="Humas BPS NTT", role="Humas", phone="(0380) 826289")]
    release.save()
    release.save_revision().publish()
    return release


@pytest.fixture
def embargo_at():
    local = timezone.localtime() + datetime.timedelta(days=3)
    return local.replace(hour=9, minute=0, second=0, microsecond=0)


@pytest.fixture
def embargoed(room, embargo_at):
    release = PressReleasePageFactory(
        parent=room, title=EXTENDED, slug="diperpanjang", live=False, go_live_at=embargo_at
    )
    release.attachments = [PressAttachment(document=_pdf("jadwal-baru"), title="Jadwal baru")]
    release.save()
    release.save_revision().publish()
    release.refresh_from_db()
    assert not release.live
    return release


@pytest.fixture
def partner(db):
    return MediaContactFactory(name="Yanti Lau", media_partner__name="Pos Kupang")


def _token_path(contact, *parts):
    base = urlsplit(tokens.press_preview_url(contact_id=contact.pk)).path
    return base + "".join(f"{part}/" for part in parts)


def test_before_the_embargo_only_a_personal_link_shows_the_release(
    client, published, embargoed, partner, embargo_at
):
    # The public: nothing, anywhere.
    assert client.get("/ruang-pers/diperpanjang/").status_code == 404
    room_html = client.get("/ruang-pers/").content.decode()
    assert published.title in room_html and EXTENDED not in room_html
    document = embargoed.attachments.get().document
    assert client.get(document.url).status_code == 404

    # The media partner: the release, with the embargo time in WITA.
    listing = client.get(_token_path(partner))
    assert listing.status_code == 200
    assert EXTENDED in listing.content.decode()
    response = client.get(_token_path(partner, embargoed.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert EXTENDED in html and 'class="embargo"' in html
    with translation.override("id"):
        when = formats.date_format(timezone.localtime(embargo_at), "j F Y, H.i")
    assert f"{when} WITA" in html
    assert "no-store" in response["Cache-Control"]
    download = client.get(_token_path(partner, embargoed.pk, "dokumen", document.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    drain(download)


def test_at_the_embargo_time_the_release_publishes_itself(
    client, embargoed, partner, embargo_at, monkeypatch
):
    later = embargo_at + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    call_command("publish_scheduled")

    response = client.get("/ruang-pers/diperpanjang/")
    assert response.status_code == 200
    html = response.content.decode()
    assert EXTENDED in html and 'class="embargo"' not in html
    assert EXTENDED in client.get("/ruang-pers/").content.decode()
    document = client.get(embargoed.attachments.get().document.url)
    assert document.status_code == 200
    drain(document)
    personal = client.get(_token_path(partner, embargoed.pk)).content.decode()
    assert 'class="embargo"' not in personal


@pytest.mark.parametrize(
    "kind", ["garbage", "tampered", "other-purpose", "not-a-partner", "erased", "expired"]
)
def test_a_bad_press_link_gets_a_friendly_page(client, embargoed, partner, kind, monkeypatch):
    token = tokens.press_token(contact_id=partner.pk)
    if kind == "garbage":
        token = "eyJjIjoxfQ:abc:def"
    elif kind == "tampered":
        token = signing.dumps({"c": partner.pk}, salt=tokens.PRESS.salt, compress=True, key="another key")
    elif kind == "other-purpose":
        token = tokens.guide_token(guide_id=embargoed.pk, institution_id=partner.pk)
    elif kind == "not-a-partner":
        from tests.factories import ContactFactory

        token = tokens.press_token(contact_id=ContactFactory().pk)  # an institution's contact
    elif kind == "erased":
        partner.erased_at = timezone.now()
        partner.save()
    elif kind == "expired":
        later = signing.time.time() + tokens.PRESS_MAX_AGE.total_seconds() + 1
        monkeypatch.setattr(signing.time, "time", lambda: later)

    for path in (f"/materi/pers/{token}/", f"/materi/pers/{token}/{embargoed.pk}/"):
        response = client.get(path)
        assert response.status_code == (410 if kind == "expired" else 404)
        html = response.content.decode()
        assert EXTENDED not in html
        assert "message-page" in html


def test_a_draft_that_is_not_scheduled_is_not_shown_to_partners(client, room, partner):
    draft = PressReleasePageFactory(parent=room, title="Rancangan siaran pers", live=False)
    draft.save_revision()
    assert client.get(_token_path(partner, draft.pk)).status_code == 404
    assert "Rancangan" not in client.get(_token_path(partner)).content.decode()


def test_opening_press_links_changes_nothing(client, embargoed, partner):
    before = (PressReleasePage.objects.values().get(pk=embargoed.pk), partner.updated_at)
    client.get(_token_path(partner))
    client.get(_token_path(partner, embargoed.pk))
    client.get(_token_path(partner, embargoed.pk) + "semua.zip")
    embargoed.refresh_from_db()
    partner.refresh_from_db()
    assert (PressReleasePage.objects.values().get(pk=embargoed.pk), partner.updated_at) == before
    assert not embargoed.live


def _unzip(response):
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_download_all_streams_the_release_and_its_attachments(client, published):
    response = client.get(reverse("materials:release_zip", args=[published.pk]))

    archive = _unzip(response)
    assert archive.namelist() == ["ajak-warga.txt", "lembar-fakta.pdf"]
    text = archive.read("ajak-warga.txt").decode()
    assert published.title in text and "Humas BPS NTT: Humas, (0380) 826289" in text
    assert archive.read("lembar-fakta.pdf").startswith(b"%PDF")
    html = client.get("/ruang-pers/ajak-warga/").content.decode()
    assert f'href="/materi/siaran-pers/{published.pk}/semua.zip"' in html


def test_download_all_of_an_embargoed_release_only_through_the_personal_link(client, embargoed, partner):
    assert client.get(reverse("materials:release_zip", args=[embargoed.pk])).status_code == 404
    archive = _unzip(client.get(_token_path(partner, embargoed.pk) + "semua.zip"))
    assert "EMBARGO" in archive.read("diperpanjang.txt").decode()
    assert "jadwal-baru.pdf" in archive.namelist()


def _media(room, count):
    items = []
    for number in range(count):
        image = ImageFactory(title=f"Foto {number}", file__width=1600, file__height=1000)
        items.append(
            MediaItem(image=image, kind="photo", caption=f"Tim pendamping {number}", credit="Humas BPS")
        )
    items.append(
        MediaItem(
            image=ImageFactory(title="Logo", file__width=500, file__height=500), kind="logo", caption="Logo"
        )
    )
    room.media_items = items
    room.fact_sheets = [
        PressFactSheet(document=_pdf(f"fakta-{count}"), title="Lembar fakta", description="PDF")
    ]
    room.save()
    room.save_revision().publish()


def test_the_press_room_lists_everything_in_a_bounded_number_of_queries(
    client, room, published, django_assert_max_num_queries
):
    _media(room, 1)
    client.get("/ruang-pers/")  # creates the thumbnails once
    with django_assert_max_num_queries(20) as few:
        client.get("/ruang-pers/")
    first = len(few.captured_queries)
    _media(room, 5)
    for number in range(4):
        PressReleasePageFactory(parent=room, title=f"Siaran {number}")
    client.get("/ruang-pers/")
    with django_assert_max_num_queries(first):
        response = client.get("/ruang-pers/")
    html = response.content.decode()
    assert html.count('class="media-item"') == 6
    assert "Lembar fakta" in html and "Tim pendamping 4" in html and "Humas BPS" in html
    assert 'href="mailto:pers@example.org"' in html
    assert " style=" not in html


def test_media_downloads_in_every_size(client, room):
    _media(room, 1)
    photo = room.media_items.get(kind="photo")
    html = client.get("/ruang-pers/").content.decode()
    assert "1200×750" in html and "1600×1000" in html
    assert "2400" not in html  # no "print" size bigger than the original
    logo = room.media_items.get(kind="logo")
    assert html.count(f"/materi/media/{logo.pk}/") == 1  # 500×500: only the original

    response = client.get(f"/materi/media/{photo.pk}/web/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="foto-0-web.')
    drain(response)
    original = client.get(f"/materi/media/{photo.pk}/original/")
    assert original.status_code == 200
    drain(original)
    assert client.get(f"/materi/media/{photo.pk}/huge/").status_code == 404
    room.unpublish()
    assert client.get(f"/materi/media/{photo.pk}/web/").status_code == 404


def test_media_partners_links_in_the_admin(client, embargoed, partner):
    from campaign.core.services import DISSEMINATION_STAFF, FIELD_TEAM, roles_sync
    from tests.factories import UserFactory

    erased = MediaContactFactory(name="Sudah Dihapus", erased_at=timezone.now())
    groups = roles_sync()
    client.force_login(UserFactory(groups=[groups[FIELD_TEAM]]))
    assert client.get(reverse("materials_press_links")).status_code in (302, 403)

    client.force_login(UserFactory(username="staff", groups=[groups[DISSEMINATION_STAFF]]))
    response = client.get(reverse("materials_press_links"))
    assert response.status_code == 200
    html = response.content.decode()
    assert partner.name in html and "Pos Kupang" in html and EXTENDED in html
    assert erased.name not in html
    # The token carries its signing time, so it is read back from the page, not recomputed
    # (a second boundary between the view and the test made a recomputed one differ).
    shown = re.search(r'value="([^"]+)" aria-label="[^"]*Yanti Lau', html)
    assert shown, html
    token = urlsplit(shown.group(1)).path.split("/")[3]
    assert tokens.press_token_read(token) == partner.pk
