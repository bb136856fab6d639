import datetime
import io

import pytest
from django.utils import timezone

from campaign.core.models import CampaignExtension, Region
from campaign.response import demo, selectors
from campaign.response.models import OfficialCount
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def campaign_on(start, end, extended):
    campaign = CampaignFactory(online_start=start, online_end=end)
    CampaignExtension.objects.create(campaign=campaign, new_end=extended)
    campaign.area.set([Region.objects.get(code="53")])
    return campaign


def test_the_series_ends_at_the_real_figure_on_the_last_day(regions):
    campaign = campaign_on(datetime.date(2020, 2, 15), datetime.date(2020, 3, 31), datetime.date(2020, 5, 29))

    demo.load(stdout=io.StringIO(), with_users=False)
    demo.load(stdout=io.StringIO(), with_users=False)  # idempotent

    assert selectors.province_latest(campaign=campaign) == (981_552, datetime.date(2020, 5, 28))
    section = selectors.area_section(campaign=campaign, week=datetime.date(2020, 5, 25))
    statuses = {row.status for row in section.rows}
    assert "green" in statuses and "red" in statuses  # leading and lagging regencies
    assert OfficialCount.objects.count() == 22 * 104


def test_a_running_campaign_has_figures_up_to_yesterday(regions):
    today = timezone.localdate()
    campaign_on(
        today - datetime.timedelta(days=16),
        today + datetime.timedelta(days=30),
        today + datetime.timedelta(days=60),
    )

    demo.load(stdout=io.StringIO(), with_users=False)

    assert selectors.latest_date() == today - datetime.timedelta(days=1)
    assert OfficialCount.objects.count() == 22 * 16
