# ruff: noqa: F811 - the press fixtures are imported from test_press and named as arguments
"""Embargoed and private files are not reachable by URL before go-live: documents in a
release's body, the photos of an embargoed release and their renditions, uploaded files
by name under /media/ — with the URL configuration the demo (DEBUG) and production share.
"""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail_factories import ImageFactory

from campaign.institutions.models import GuidedSession
from campaign.materials import embargo
from tests.factories import InstitutionFactory, PressReleasePageFactory, UserFactory
from tests.http import drain

from .test_press import _pdf, _token_path, embargo_at, files_on_disk, partner, room  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(room, embargo_at):
    """An embargoed release whose body holds a document block and a photo."""
    document, photo = _pdf("tabel-hasil"), ImageFactory(title="Foto rapat", file__width=640, file__height=480)
    page = PressReleasePageFactory(parent=room, slug="hasil", live=False, go_live_at=embargo_at)
    page.body = [
        ("paragraph", "<p>Hasil sementara.</p>"),
        ("document", {"document": document, "title": "Tabel hasil"}),
        ("image", {"image": photo, "caption": "Rapat", "credit": "Humas"}),
    ]
    page.save()
    page.save_revision().publish()
    page.refresh_from_db()
    assert not page.live
    page.document, page.photo = document, photo
    return page


def _rendition_urls(html):
    return re.findall(r'src="([^"]+)"', html)


def _go_live(embargo_at, monkeypatch):
    later = embargo_at + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("publish_scheduled")


def test_a_body_document_of_an_embargoed_release_is_withheld_until_go_live(
    client,
    release,
    embargo_at,
    monkeypatch,
):
    assert client.get(release.document.url).status_code == 404
    assert client.get(f"/media/{release.document.file.name}").status_code == 404

    _go_live(embargo_at, monkeypatch)
    response = client.get(release.document.url)
    assert response.status_code == 200
    drain(response)
    assert client.get(f"/media/{release.document.file.name}").status_code == 404  # only through the view


def test_the_photos_of_an_embargoed_release_are_not_reachable_by_name_before_go_live(
    client,
    release,
    partner,
    embargo_at,
    monkeypatch,
):
    # The media partner reads the release: its photo's rendition is made on disk, and the
    # partner's page loads it through the partner's link.
    page = client.get(_token_path(partner, release.pk))
    assert page.status_code == 200
    through_link = [url for url in _rendition_urls(page.content.decode()) if "/media/images/" in url]
    assert through_link and all(url.startswith("/materi/pers/") for url in through_link)
    for url in through_link:
        image = client.get(url)
        assert image.status_code == 200 and "no-store" in image["Cache-Control"]
        drain(image)
    # The same file by its public name, and the original: not found.
    rendition = release.photo.renditions.get()
    public_url = f"/media/{rendition.file.name}"
    assert client.get(public_url).status_code == 404
    assert client.get(f"/media/{release.photo.file.name}").status_code == 404
    # Staff in the admin see it.
    client.force_login(UserFactory(is_superuser=True))
    staff = client.get(public_url)
    assert staff.status_code == 200 and "no-store" in staff["Cache-Control"]
    drain(staff)
    client.logout()

    _go_live(embargo_at, monkeypatch)
    public = client.get(public_url)
    assert public.status_code == 200 and "public" in public["Cache-Control"]
    drain(public)
    assert client.get(f"/media/{release.photo.file.name}").status_code == 404  # originals never


def test_a_photo_also_used_by_a_live_page_stays_public(client, release, room):
    live = PressReleasePageFactory(parent=room, slug="lama", live=False)
    live.body = [("image", {"image": release.photo, "caption": "", "credit": ""})]
    live.save()
    live.save_revision().publish()
    assert not embargo.image_is_withheld(release.photo.pk)
    assert embargo.image_is_withheld(ImageFactory().pk) is False  # used by nothing


def test_a_draft_added_to_a_live_release_is_withheld_until_it_is_published(client, room):
    page = PressReleasePageFactory(parent=room, slug="hidup", live=False)
    page.save_revision().publish()
    page.refresh_from_db()
    extra = _pdf("lampiran-baru")
    page.body = [("document", {"document": extra, "title": ""})]
    page.save_revision()  # a draft on a live page: only in the revision
    assert client.get(extra.url).status_code == 404
    page.get_latest_revision().publish()
    response = client.get(extra.url)
    assert response.status_code == 200
    drain(response)


def test_uploads_are_never_served_by_name(client, room, settings):
    settings.DEBUG = True  # the demo's settings: the same URL configuration answers
    document = _pdf("rahasia")
    photo = ImageFactory()
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(f"/media/{photo.file.name}").status_code == 404
    assert client.get("/media/../manage.py").status_code == 404
    assert client.get("/media/guide_packs/x.pdf").status_code == 404


def test_a_session_photo_is_served_only_to_its_team(client, room, settings):
    from django.core.files.base import ContentFile

    from campaign.core.services import FIELD_TEAM, roles_sync
    from campaign.institutions.services import team_save
    from tests.factories import CampaignFactory, RegionFactory

    groups = roles_sync()
    member, stranger = (UserFactory(groups=[groups[FIELD_TEAM]]) for _ in range(2))
    area = RegionFactory(code="5371", name="Kota Kupang")
    campaign = CampaignFactory()
    team = team_save(campaign=campaign, name="Tim 1", area=area, members=[member])
    team_save(campaign=campaign, name="Tim 2", area=area, members=[stranger])
    session = GuidedSession.objects.create(
        institution=InstitutionFactory(),
        team=team,
        starts_at=timezone.now(),
        status=GuidedSession.Status.HELD,
    )
    session.photo.save("foto.jpg", ContentFile(b"\xff\xd8\xff jpeg"))
    url = f"/media/{session.photo.name}"
    assert client.get(url).status_code == 404
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    drain(response)


def test_the_proxy_delivers_what_the_app_allows(client, release, embargo_at, monkeypatch, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/_media/"
    _go_live(embargo_at, monkeypatch)
    client.get(f"/ruang-pers/{release.slug}/")
    rendition = release.photo.renditions.get()
    response = client.get(f"/media/{rendition.file.name}")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_media/{rendition.file.name}" and response.content == b""


def test_the_demo_serves_media_through_the_same_view_as_production(settings):
    """DEBUG used to add Django's static() route, serving MEDIA_ROOT by name."""
    import importlib

    from django.urls import clear_url_caches, resolve

    import campaign.urls
    from campaign.materials.media import serve_media

    settings.DEBUG = True
    try:
        module = importlib.reload(campaign.urls)
        for name in ("documents/fakta.pdf", "original_images/foto.jpg", "images/foto.width-800.webp"):
            assert resolve(f"/media/{name}", urlconf=module).func is serve_media
    finally:
        settings.DEBUG = False
        importlib.reload(campaign.urls)
        clear_url_caches()
