"""Materials in Chromium on a phone: the guide page, its printed QR code scanned back to
the form, the press room and a media partner's embargo link; screenshots."""

import io
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.urls import path

from campaign.core.models import Campaign
from campaign.materials import tokens
from campaign.materials.models import GuidePage, PressReleasePage, Scan
from campaign.urls import urlpatterns as project_urlpatterns
from tests.browser.conftest import screenshot
from tests.materials.pdftools import decode_qr, pdf_to_png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _census_form(request):
    return HttpResponse("<!DOCTYPE html><title>Formulir</title><h1>Formulir sensus</h1>")


# The project's URLs and a stand-in for the census form (tests do not reach the internet).
urlpatterns = [
    path("formulir-sensus/", _census_form),
    *project_urlpatterns,
]


@pytest.fixture
def demo(settings, tmp_path, monkeypatch, live_server):
    import wagtail.images.models

    from campaign.core import demo as core_demo
    from campaign.materials import demo as materials_demo
    from tests.factories import MediaContactFactory

    monkeypatch.setattr(wagtail.images.models, "SpooledTemporaryFile", lambda max_size=0: io.BytesIO())
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    settings.ROOT_URLCONF = __name__
    settings.BASE_URL = live_server.url  # printed QR codes point at this server
    core_demo.load(stdout=StringIO(), with_users=False)
    materials_demo.load(stdout=StringIO(), with_users=False)
    form = live_server.url + "/formulir-sensus/"
    Campaign.objects.filter(is_active=True).update(target_url=form)
    return {
        "form": form,
        "guide": GuidePage.objects.get(),
        "embargoed": PressReleasePage.objects.get(live=False),
        "partner": MediaContactFactory(name="Yanti Lau", media_partner__name="Pos Kupang"),
    }


def _fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_guide_on_a_phone_and_its_qr_code_back_to_the_form(live_server, phone_page, demo, tmp_path):
    page = phone_page
    guide = demo["guide"]

    page.goto(live_server.url + guide.url)

    assert page.locator("ol.steps > li.step").count() == 6
    assert page.locator(".step-number").first.inner_text() == "1"
    assert _fits_the_phone(page)
    cta = page.locator(".guide-cta .button-cta")
    assert cta.get_attribute("href") == demo["form"]
    screenshot(page, "materials-guide-phone")

    sheet = page.locator(".print-links a").first
    response = page.request.get(live_server.url + sheet.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    [png] = pdf_to_png(response.body(), tmp_path)
    [url] = decode_qr(png)
    assert url.startswith(live_server.url + "/q/")

    page.goto(url)  # what a phone does with the printed code

    assert page.locator("h1").inner_text() == "Formulir sensus"
    assert Scan.objects.filter(guide=guide, material="s").count() == 1


def test_the_press_room_on_a_phone_and_a_partners_embargo_link(live_server, phone_page, demo):
    page = phone_page
    embargoed = demo["embargoed"]

    page.goto(live_server.url + "/ruang-pers/")

    assert page.locator(".release-list > li").count() == 1
    assert embargoed.title not in page.content()
    assert page.locator(".media-item").count() == 4
    assert page.locator(".media-item img").first.evaluate("img => img.complete && img.naturalWidth > 0")
    assert _fits_the_phone(page)
    screenshot(page, "materials-press-phone")

    page.locator(".release-list a").first.click()
    assert page.locator(".release-files .button").is_visible()
    assert _fits_the_phone(page)
    screenshot(page, "materials-release-phone")

    link = tokens.press_preview_url(contact_id=demo["partner"].pk)
    page.goto(link.replace(django_settings.BASE_URL, live_server.url))
    assert page.locator(".embargo-badge").count() == 1
    page.get_by_role("link", name=embargoed.title).click()

    banner = page.locator(".embargo")
    assert banner.is_visible()
    assert "WITA" in banner.inner_text()
    # The embargoed photo loads through the partner's link (that it is not found by its
    # public name is tests/materials/test_embargo_files.py: Django's live server answers
    # /media/ itself, before the project's view).
    photo = page.locator("main img").first
    photo.scroll_into_view_if_needed()
    photo.evaluate("img => img.decode()")
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    source = photo.get_attribute("src")
    assert source.startswith("/materi/pers/") and "/media/images/" in source
    assert _fits_the_phone(page)
    screenshot(page, "materials-embargo-phone")
