from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import formats

from campaign.core.models import Campaign
from tests.browser.conftest import TransferMeter, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # demo users exist only with DEBUG on
    call_command("load_demo_data", stdout=StringIO())
    settings.DEBUG = False


def test_home_page_is_light_and_leads_to_the_census_form(live_server, page, phone_page, demo):
    meter = TransferMeter(page)
    page.goto(live_server.url + "/", wait_until="networkidle")

    assert page.locator("html").get_attribute("lang") == "id"
    assert "Sensus Penduduk Online" in page.locator("h1").inner_text()
    cta = page.get_by_role("link", name="Isi Sensus Penduduk Online", exact=True)
    assert cta.get_attribute("href") == "https://sensus.bps.go.id"
    end = Campaign.objects.get(is_active=True).effective_end  # the demo calendar's
    assert page.get_by_text(formats.date_format(end, "j F Y")).first.is_visible()
    assert page.csp_violations == []
    # Without web fonts or a CSS framework the whole page stays small.
    assert meter.requests <= 5, meter.requests
    assert meter.bytes < 20_000, meter.bytes
    print(f"\nhome page: {meter.requests} requests, {meter.bytes} bytes transferred")
    screenshot(page, "home-desktop")

    phone_page.goto(live_server.url + "/")
    # Nothing overflows sideways on a 360 px phone.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone_page.get_by_role("link", name="Isi Sensus Penduduk Online", exact=True).is_visible()
    screenshot(phone_page, "home-phone")


def test_editor_signs_in_to_the_admin(live_server, page, demo):
    page.goto(live_server.url + "/admin/")
    assert "/admin/login/" in page.url
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", "jemputbola-editor")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    assert page.locator("html").get_attribute("lang") == "id"
    screenshot(page, "admin-dashboard-editor")
    assert page.get_by_role("button", name="Pengaturan kampanye").is_visible()
    assert page.csp_violations == []


def test_wrong_password_is_refused_in_indonesian(live_server, page, demo):
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", "salah")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/admin/login/" in page.url
    screenshot(page, "admin-login-error")
    assert page.locator(".messages, .help-critical, [role=alert]").first.is_visible()
