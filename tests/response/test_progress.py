"""Goals, expected trajectory, red/amber/green and the totals by area, with figures
chosen by hand."""

import datetime

import pytest
from django.utils import timezone

from campaign.institutions.dashboard import dashboard_data
from campaign.response import selectors
from campaign.response.models import OfficialCount
from campaign.response.services import area_goal_set
from tests.factories import CampaignFactory, RegionFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2020, 3, 8)  # day 23 of the 46-day online phase: half the goal expected


@pytest.fixture
def area():
    province = RegionFactory(code="53", name="NTT")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=province, population=100_000)
    sumba = RegionFactory(code="5301", name="Sumba Barat", parent=province, population=200_000)
    districts = [
        RegionFactory(code="5371010", name="Alak", parent=kupang),
        RegionFactory(code="5371020", name="Maulafa", parent=kupang),
        RegionFactory(code="5301021", name="Lamboya", parent=sumba),
    ]
    campaign = CampaignFactory(online_start=datetime.date(2020, 2, 15), online_end=datetime.date(2020, 3, 31))
    campaign.area.set([province])
    return campaign, province, kupang, sumba, districts


def figure(region, persons, date=DAY):
    return OfficialCount.objects.create(region=region, date=date, persons=persons, imported_at=timezone.now())


def test_expected_share_is_linear_over_the_effective_period(area):
    campaign = area[0]
    assert selectors.expected_fraction(campaign, DAY) == 0.5
    assert selectors.expected_fraction(campaign, datetime.date(2020, 2, 1)) == 0
    assert selectors.expected_fraction(campaign, datetime.date(2020, 6, 1)) == 1


@pytest.mark.parametrize(
    ("progress", "expected", "status"),
    [
        (50, 50, "green"),
        (60, 50, "green"),
        (42.5, 50, "amber"),
        (49.9, 50, "amber"),
        (42.4, 50, "red"),
        (None, 50, "none"),
    ],
)
def test_rag_thresholds(progress, expected, status):
    assert selectors.rag(progress, expected) == status


def test_amber_threshold_is_a_setting(settings):
    settings.RESPONSE_RAG = {"amber_points": 2}
    assert selectors.rag(47, 50) == "red"


def test_regencies_rated_and_never_double_counted(area):
    campaign, province, kupang, sumba, (alak, maulafa, lamboya) = area
    figure(kupang, 12_000)  # the regency's own row ...
    figure(alak, 5_000)  # ... is not added to its districts'
    figure(maulafa, 5_000)
    figure(lamboya, 19_000)  # Sumba Barat has only a district row: its sum is its figure
    figure(kupang, 11_000, DAY - datetime.timedelta(days=1))

    section = selectors.area_section(campaign=campaign, week=datetime.date(2020, 3, 2))

    assert section.date == DAY and section.province_persons == 31_000
    by_code = {row.region.code: row for row in section.rows}
    kota, barat = by_code["5371"], by_code["5301"]
    assert (kota.persons, kota.goal, kota.progress, kota.expected_percent, kota.status) == (
        12_000,
        23_000,
        52.2,
        50.0,
        "green",
    )
    assert (barat.persons, barat.goal, barat.progress, barat.gap, barat.status) == (
        19_000,
        46_000,
        41.3,
        -8.7,
        "red",
    )
    assert [row.region.code for row in section.rows] == ["5301", "5371"]  # furthest behind first
    assert kota.trend[-2:] == [11_000, 12_000] and len(kota.trend) == 14
    assert kota.rate == 12.0


def test_a_province_row_is_the_province_figure(area):
    campaign, province, kupang, *_ = area
    figure(kupang, 12_000)
    figure(province, 40_000)
    assert selectors.area_section(campaign=campaign, week=DAY).province_persons == 40_000


def test_an_area_goal_replaces_the_computed_one(area):
    campaign, province, kupang, sumba, (alak, *_rest) = area
    figure(lamboya := _rest[-1], 19_000)
    area_goal_set(campaign=campaign, region=sumba, goal_persons=38_000)  # 50 % of it: green
    rows = {row.region.code: row for row in selectors.area_section(campaign=campaign, week=DAY).rows}
    assert rows["5301"].goal == 38_000 and rows["5301"].status == "green"
    assert lamboya.parent == sumba


def test_dashboard_headline_is_the_imported_official_count(area):
    campaign, province, kupang, sumba, (alak, maulafa, lamboya) = area
    campaign.official_online_count = 5  # typed by hand earlier: the imported figures win
    campaign.save()
    figure(kupang, 12_000)
    figure(lamboya, 19_000)

    data = dashboard_data(campaign=campaign, week=datetime.date(2020, 3, 2))

    assert data.participation["province"] == data.participation["official"] == 31_000
    assert data.participation["official_date"] == DAY
