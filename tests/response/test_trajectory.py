"""The expected trajectory: linear by default, shaped by the province's own curve when
the campaign asks for it, with figures chosen by hand."""

import datetime

import pytest
from django.utils import timezone

from campaign.core.models import Campaign
from campaign.response import selectors
from campaign.response.models import OfficialCount
from tests.factories import CampaignFactory, RegionFactory

pytestmark = pytest.mark.django_db
EARLY = datetime.date(2020, 3, 1)  # day 16 of 46: linear expects 34.8% of the goal
LATEST = datetime.date(2020, 3, 29)  # day 44 of 46: linear expects 95.7%


@pytest.fixture
def campaign():
    """The province started slowly: a tenth of its 29 March count by 1 March. Kota
    Kupang (goal 23,000) had 5,000 on 1 March (21.7% of its goal), Sumba Barat (goal
    46,000) 2,000 (4.3%)."""
    province = RegionFactory(code="53", name="NTT")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=province, population=100_000)
    sumba = RegionFactory(code="5301", name="Sumba Barat", parent=province, population=200_000)
    campaign = CampaignFactory(online_start=datetime.date(2020, 2, 15), online_end=datetime.date(2020, 3, 31))
    campaign.area.set([province])
    for region, day, persons in (
        (province, EARLY, 10_000),
        (province, LATEST, 100_000),
        (kupang, EARLY, 5_000),
        (sumba, EARLY, 2_000),
        (kupang, LATEST, 22_000),
        (sumba, LATEST, 43_000),
    ):
        OfficialCount.objects.create(region=region, date=day, persons=persons, imported_at=timezone.now())
    return campaign


def statuses(campaign, date):
    rows, _date = selectors.regency_progress(campaign=campaign, date=date)
    return {row.region.name: (row.expected_percent, row.status) for row in rows}


def test_linear_is_the_default(campaign):
    assert campaign.trajectory == Campaign.Trajectory.LINEAR
    assert selectors.expected_fraction(campaign, EARLY) == pytest.approx(16 / 46)
    # Against 34.8% expected, both regencies are red on 1 March.
    assert statuses(campaign, EARLY) == {"Kota Kupang": (34.8, "red"), "Sumba Barat": (34.8, "red")}


def test_shaped_follows_the_provinces_curve_and_changes_the_status(campaign, django_assert_num_queries):
    campaign.trajectory = Campaign.Trajectory.SHAPED
    campaign.save()

    # 95.7% (linear on 29 March) × 10,000 / 100,000 = 9.6% expected by 1 March.
    # The campaign's extensions (as linear), then its regions and their figures.
    with django_assert_num_queries(3):
        assert selectors.expected_fraction(campaign, EARLY) == pytest.approx(44 / 46 * 0.1)
    # Kota Kupang (21.7%) ran ahead of the province's curve: green. Sumba Barat (4.3%)
    # stays 5.3 points behind it: amber, no longer red.
    assert statuses(campaign, EARLY) == {"Kota Kupang": (9.6, "green"), "Sumba Barat": (9.6, "amber")}


def test_shaped_agrees_with_linear_on_the_latest_day_and_after(campaign):
    campaign.trajectory = Campaign.Trajectory.SHAPED
    assert selectors.expected_fraction(campaign, LATEST) == pytest.approx(44 / 46)
    assert selectors.expected_fraction(campaign, datetime.date(2020, 3, 30)) == pytest.approx(45 / 46)


def test_shaped_without_a_province_figure_that_day_is_linear(campaign):
    campaign.trajectory = Campaign.Trajectory.SHAPED
    day = datetime.date(2020, 3, 10)  # no figures at all that day
    assert selectors.expected_fraction(campaign, day) == pytest.approx(25 / 46)
