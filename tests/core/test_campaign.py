import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from campaign.core.models import Campaign
from campaign.core.selectors import campaign_get_active
from campaign.core.services import campaign_save
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

SP2020 = {
    "name": "Sensus Penduduk 2020",
    "online_start": datetime.date(2020, 2, 15),
    "online_end": datetime.date(2020, 3, 31),
    "population_base": 5_400_000,
    "goal_percent": 23,
    "is_active": True,
}


def test_effective_end_follows_the_latest_extension():
    campaign = campaign_save(
        extensions=[
            (datetime.date(2020, 4, 30), "first extension"),
            (datetime.date(2020, 5, 29), "COVID-19"),
        ],
        **SP2020,
    )
    assert campaign.online_end == datetime.date(2020, 3, 31)
    assert campaign.effective_end == datetime.date(2020, 5, 29)
    assert campaign.goal_people == 1_242_000  # 23% of 5.4 million


def test_campaign_save_replaces_extensions_on_update():
    campaign = campaign_save(extensions=[(datetime.date(2020, 5, 29), "")], **SP2020)
    campaign = campaign_save(campaign=campaign, extensions=[], **SP2020)
    assert campaign.effective_end == datetime.date(2020, 3, 31)
    assert campaign.extensions.count() == 0


def test_activating_a_campaign_deactivates_the_previous_one():
    old = CampaignFactory(name="Sensus Ekonomi 2016")
    new = campaign_save(**SP2020)
    old.refresh_from_db()
    assert not old.is_active
    assert campaign_get_active() == new


def test_database_allows_only_one_active_campaign():
    CampaignFactory()
    with pytest.raises(IntegrityError):
        CampaignFactory(name="Another")


def test_campaign_must_end_after_it_starts():
    with pytest.raises(IntegrityError):
        Campaign.objects.create(**{**SP2020, "online_end": datetime.date(2020, 1, 1)})


def test_campaign_save_validates_the_period_and_writes_nothing():
    CampaignFactory(name="Sensus Ekonomi 2016")
    with pytest.raises(ValidationError):
        campaign_save(**{**SP2020, "online_end": datetime.date(2020, 1, 1)})
    # The transaction rolled back: the old campaign is still the active one.
    assert campaign_get_active().name == "Sensus Ekonomi 2016"
    assert Campaign.objects.count() == 1
