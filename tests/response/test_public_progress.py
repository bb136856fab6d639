"""The public progress page and its embeddable widget: opt in, the official figures in
Indonesian notation, a frameable JavaScript-free widget under 15 KB, the page cache and
its purge when new figures arrive. Figures chosen by hand."""

import base64
import datetime
import hashlib
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from wagtail.models import Site

from campaign.core.models import CampaignSettings
from campaign.response.models import OfficialCount, PublicProgressSettings
from campaign.response.services import area_goal_set, counts_import
from tests.factories import CampaignFactory, RegionFactory

pytestmark = pytest.mark.django_db

PAGE, WIDGET = "/progres/", "/progres/widget/"
DAY = datetime.date(2020, 3, 8)  # day 23 of the 46-day online phase: half the goal expected
HIT = "X-Page-Cache"


@pytest.fixture
def area(home_page):
    """NTT with two regencies: 300,000 residents, goal 23% = 69,000 people.

    Kota Kupang 12,000 of 100,000 (its goal 23,000: 52.2% reached, on track); Sumba
    Barat 19,000 of 200,000 through its district Lamboya (goal 46,000: 41.3%, more
    than 7.5 points below the expected 50%: behind); the province, without a row of
    its own, 31,000 (10.33% of residents, 44.9% of the goal: slightly behind)."""
    province = RegionFactory(code="53", name="Nusa Tenggara Timur")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=province, population=100_000)
    sumba = RegionFactory(code="5301", name="Kabupaten Sumba Barat", parent=province, population=200_000)
    lamboya = RegionFactory(code="5301021", name="Lamboya", parent=sumba)
    campaign = CampaignFactory(population_base=300_000, goal_percent=23)
    campaign.area.set([province])
    for region, persons in ((kupang, 12_000), (lamboya, 19_000)):
        OfficialCount.objects.create(region=region, date=DAY, persons=persons, imported_at=timezone.now())
    return campaign


def publish(enabled=True):
    progress_settings = PublicProgressSettings.for_site(Site.objects.get(is_default_site=True))
    progress_settings.enabled = enabled
    progress_settings.save()


def text_of(response):
    """The page's text without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def row_of(response, name):
    """The text of the table row whose header cell is ``name``."""
    html = response.content.decode()
    match = re.search(r"<tr><th scope=\"row\">" + re.escape(name) + r"</th>(.*?)</tr>", html, re.S)
    assert match, name
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_off_by_default_both_answer_not_found(client, area):
    assert PublicProgressSettings.for_site(Site.objects.get(is_default_site=True)).enabled is False
    assert client.get(PAGE).status_code == 404
    assert client.get(WIDGET).status_code == 404
    assert client.get("/en" + WIDGET).status_code == 404

    publish()
    assert client.get(PAGE).status_code == 200
    assert client.get(WIDGET).status_code == 200


def test_page_shows_the_province_and_every_regency_from_the_official_figures(client, area):
    publish()
    response = client.get(PAGE)
    assert response.status_code == 200
    text = text_of(response)
    assert "Angka resmi per 8 Maret 2020" in text
    # The province: the sum of its regencies (no row of its own), against 69,000.
    assert "Penduduk online 31.000" in text
    assert "10,33%" in text and "dari 300.000; target 23%" in text
    assert "44,9% dari 69.000 orang" in text
    assert "50,0% dari target: 34.500 orang" in text
    assert "Status: sedikit tertinggal" in text
    # Regencies: persons, rate, goal, % of goal, status in words.
    assert row_of(response, "Kota Kupang") == "12.000 12,00% 23.000 52,2% sesuai jalur"
    assert row_of(response, "Kab. Sumba Barat") == "19.000 9,50% 46.000 41,3% tertinggal"
    html = response.content.decode()
    assert "<caption>" in html and "<h1>" in html and '<th scope="col"' in html
    assert 'role="img"' in html  # the bars speak their figures


def test_english_page_uses_english_notation(client, area):
    publish()
    text = text_of(client.get("/en" + PAGE))
    assert "Official figures of 8 March 2020" in text
    assert "Residents online 31,000" in text and "10.33%" in text
    assert "on track" in text and "behind" in text


def test_a_regency_goal_of_its_own_and_the_province_row_are_used(client, area):
    publish()
    province = area.area.get()
    OfficialCount.objects.create(region=province, date=DAY, persons=33_333, imported_at=timezone.now())
    area_goal_set(campaign=area, region=province.children.get(code="5301"), goal_persons=38_000)
    response = client.get(PAGE)
    assert "Penduduk online 33.333" in text_of(response)
    assert row_of(response, "Kab. Sumba Barat") == "19.000 9,50% 38.000 50,0% sesuai jalur"


def test_no_figures_yet_says_so(client, home_page):
    CampaignFactory()
    publish()
    assert "Belum ada angka resmi yang diterbitkan." in text_of(client.get(PAGE))
    assert "Belum ada angka resmi yang diterbitkan." in text_of(client.get(WIDGET))


def test_page_queries_are_few_and_do_not_grow_with_regencies(client, area, django_assert_max_num_queries):
    publish()
    client.get(PAGE)
    with django_assert_max_num_queries(12):
        assert client.get(PAGE).status_code == 200


# --- The widget -----------------------------------------------------------------------


@pytest.fixture
def ntt(home_page, regions):
    """All 22 regencies of NTT (the real, long names) with a figure each."""
    from campaign.core.models import Region

    campaign = CampaignFactory(population_base=5_325_566, goal_percent=23)
    province = Region.objects.get(code="53")
    campaign.area.set([province])
    regencies = list(Region.objects.filter(parent=province, level=Region.Level.REGENCY))
    assert len(regencies) == 22
    for n, region in enumerate(regencies):
        OfficialCount.objects.create(
            region=region, date=DAY, persons=10_000 + n * 1_111, imported_at=timezone.now()
        )
    return campaign


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_widget_is_small_self_contained_and_frameable(client, ntt, prefix):
    publish()
    response = client.get(prefix + WIDGET)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < 15 * 1024, len(response.content)
    assert html.count('<tr><th scope="row">') == 22
    assert "Kab. Timor Tengah Selatan" in html
    # No script, nothing loaded from anywhere: no element that fetches, no CSS import.
    lowered = html.lower()
    for fetching in ("<script", "<link", "<img", "<iframe", "<object", "url(", "@import", " src=", "style="):
        assert fetching not in lowered, fetching
    # Links go to the full page, in a new tab (out of the partner's frame).
    assert re.findall(r'<a href="([^"]+)" target="_blank" rel="noopener">', html) == [
        f"http://testserver{prefix}{PAGE}"
    ]
    # Frameable by any site, this URL only.
    assert "X-Frame-Options" not in response
    policy = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["frame-ancestors"] == "*"
    assert policy["default-src"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"] and "nonce-" not in policy["style-src"]
    # The one <style> block is the one the policy allows, by its hash.
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert policy["style-src"] == f"'sha256-{digest}'"


def test_every_other_page_still_refuses_frames(client, area):
    publish()
    for url in (PAGE, "/en" + PAGE, "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url


def test_widget_shows_the_figures_in_the_language_of_its_address(client, area):
    publish()
    widget = text_of(client.get(WIDGET))
    assert "31.000 penduduk online · 10,33% dari penduduk" in widget
    assert "44,9% dari target" in widget
    assert "Kota Kupang 12,0% sesuai jalur" in widget
    assert "Kab. Sumba Barat 9,5% tertinggal" in widget
    english = text_of(client.get("/en" + WIDGET))
    assert "31,000 residents online · 10.33% of residents" in english
    assert "Kota Kupang 12.0% on track" in english


# --- Cache and purge ------------------------------------------------------------------


@pytest.fixture
def page_cache(settings, home_page):
    # The site settings rows are created on first use, and saving one purges the cache:
    # create them up front, as any running site has them.
    CampaignSettings.for_site(home_page.get_site())
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("page_cache")
def test_cached_then_new_figures_show_on_the_next_visit(client, area, django_capture_on_commit_callbacks):
    publish()
    for url in (PAGE, WIDGET):
        assert client.get(url)[HIT] == "miss"
        hit = client.get(url)
        assert hit[HIT] == "hit", url
    # The hit keeps the widget's own frame policy and stylesheet hash.
    assert "X-Frame-Options" not in hit and "frame-ancestors *" in hit["Content-Security-Policy"]

    # A change that bypasses the services is not seen: the widget really is cached.
    OfficialCount.objects.filter(region__code="5371").update(persons=15_000)
    assert "Kota Kupang 12,0%" in text_of(client.get(WIDGET))

    # A new day's file arrives through the import: once it commits, the next anonymous
    # visit shows it.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        imported = counts_import(
            content=b"region_code,date,persons\n5371,2020-03-09,14000\n5301,2020-03-09,21000\n",
            filename="angka.csv",
            source="BPS",
        )
    assert callbacks
    assert imported.ok, imported.errors
    widget = client.get(WIDGET)
    assert widget[HIT] == "miss"
    assert "35.000 penduduk online" in text_of(widget)
    assert "Kota Kupang 14,0%" in text_of(widget)
    assert "Angka resmi per 9 Maret 2020" in text_of(client.get(PAGE))


@pytest.mark.usefixtures("page_cache")
def test_a_figure_corrected_by_hand_or_a_goal_changed_purges(client, area):
    publish()
    client.get(PAGE)
    assert client.get(PAGE)[HIT] == "hit"

    count = OfficialCount.objects.get(region__code="5371")
    count.persons = 13_000
    count.save()
    assert row_of(client.get(PAGE), "Kota Kupang").startswith("13.000 13,00% 23.000")
    assert client.get(PAGE)[HIT] == "hit"

    area_goal_set(campaign=area, region=count.region, goal_persons=26_000)
    assert row_of(client.get(PAGE), "Kota Kupang") == "13.000 13,00% 26.000 50,0% sesuai jalur"


@pytest.mark.usefixtures("page_cache")
def test_turning_it_off_takes_both_down_at_once(client, area):
    publish()
    for url in (PAGE, WIDGET):
        client.get(url)
        assert client.get(url)[HIT] == "hit"
    publish(enabled=False)
    assert client.get(PAGE).status_code == 404
    assert client.get(WIDGET).status_code == 404
