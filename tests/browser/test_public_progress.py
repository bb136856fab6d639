"""The public progress page on a desktop and a phone, and the widget framed by a
partner's plain HTML page on another origin: it renders, with no console error and no
Content-Security-Policy violation."""

import datetime
from io import StringIO

import pytest
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csp import csp_override

from campaign.core.models import CampaignExtension, Region
from campaign.core.services import regions_load
from campaign.response import demo
from campaign.response.public import WIDGET_SIZE
from campaign.urls import urlpatterns as project_urlpatterns
from tests.browser.conftest import screenshot
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER_PAGE = """<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Pemerintah Kabupaten</title></head>
<body>
<h1>Pemerintah Kabupaten: Sensus Penduduk 2020</h1>
<p>Ayo isi sensus online. Progres provinsi kita:</p>
<iframe src="{src}" title="Progres sensus online" width="{width}" height="{height}" loading="lazy"></iframe>
<p>Teks halaman mitra sesudah widget.</p>
</body></html>"""


def _console_errors(page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@csp_override({})  # a partner's plain page: no policy of ours
def partner_page(request):
    """A regency's plain HTML page embedding the widget of this site. Served at
    127.0.0.1, which is not the widget's origin (localhost); a real local server rather
    than a page made up in the browser, which Chromium's local network checks would
    treat as a public site framing a local one."""
    src = f"http://localhost:{request.get_port()}{request.GET.get('src', '/progres/widget/')}"
    width, height = WIDGET_SIZE
    return HttpResponse(PARTNER_PAGE.format(src=src, width=width, height=height))


# The project's URLs plus the partner's page.
urlpatterns = [path("mitra/", partner_page), *project_urlpatterns]


def _partner_site(live_server, path):
    return live_server.url.replace("localhost", "127.0.0.1") + f"/mitra/?src={path}"


@pytest.fixture
def figures(wagtail_rows, home_page, settings):
    """SP2020 in NTT on its real calendar, the demo's daily series to 981,552 persons on
    28 May 2020, published."""
    regions_load()
    campaign = CampaignFactory(population_base=5_325_566, goal_percent=23)
    campaign.area.set([Region.objects.get(code="53")])
    CampaignExtension.objects.create(campaign=campaign, new_end=datetime.date(2020, 5, 29))
    demo.load(stdout=StringIO(), with_users=False)
    settings.ROOT_URLCONF = __name__
    return campaign


def test_public_page_on_a_desktop_and_a_phone(live_server, browser, phone_page, figures):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    errors = _console_errors(page)
    page.goto(live_server.url + "/progres/")
    assert page.get_by_role("heading", level=1).inner_text() == "Progres sensus online"
    assert "Angka resmi per 28 Mei 2020" in page.locator(".progress-date").inner_text()
    assert page.locator(".progress-kpis dd").first.inner_text() == "981.552"
    assert page.locator(".progress-table tbody tr").count() == 22
    assert page.locator(".progress-table caption").is_visible()
    assert errors == []
    screenshot(page, "progress-1366")
    context.close()

    errors = _console_errors(phone_page)
    phone_page.goto(live_server.url + "/progres/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []
    screenshot(phone_page, "progress-360")


def test_widget_in_a_partners_plain_page(live_server, page, figures):
    errors = _console_errors(page)
    page.goto(_partner_site(live_server, "/progres/widget/"))
    frame = page.frame_locator("iframe")
    assert frame.locator("h1").inner_text() == "Progres sensus online: Nusa Tenggara Timur"
    assert frame.locator(".big b").first.inner_text() == "981.552"
    assert frame.locator("tbody tr").count() == 22
    assert frame.locator("svg.jb-bar").is_visible()
    # The frame of the suggested embed code holds it without scrolling.
    width, height = WIDGET_SIZE
    assert frame.locator("html").evaluate("h => h.scrollHeight") <= height
    assert frame.locator("html").evaluate("h => h.scrollWidth") <= width
    # Styled by its own hashed stylesheet: the CSP let the <style> block apply.
    assert frame.locator("body").evaluate("b => getComputedStyle(b).paddingLeft") == "12px"
    assert page.csp_violations == [] and errors == []
    screenshot(page, "progress-widget-embedded")


def test_the_full_page_still_refuses_to_be_framed(live_server, page, figures):
    """The harness sees a refused frame: the widget's clean run above means something."""
    errors = _console_errors(page)
    page.goto(_partner_site(live_server, "/progres/"))

    def refused():
        return any("frame" in error.lower() for error in [*errors, *page.csp_violations])

    # The refusal is reported when the framed response arrives, which on a busy machine
    # can be seconds after the partner's page has loaded: wait for it, within a limit.
    for _ in range(100):
        if refused():
            break
        page.wait_for_timeout(100)
    assert refused(), (
        errors,
        page.csp_violations,
    )
