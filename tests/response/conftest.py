import pytest

from campaign.core.services import regions_load


@pytest.fixture
def regions(db):
    """NTT's real regions (BPS codes, Kemendagri crosswalk, SP2020 populations)."""
    regions_load()


@pytest.fixture
def area_figures(db):
    """A province with two regencies and figures chosen by hand on 8 March 2020 (day 23
    of 46: half the goal expected): Kota Kupang ahead (green), Sumba Barat behind (red)."""
    import datetime

    from django.utils import timezone

    from campaign.response.models import OfficialCount
    from tests.factories import CampaignFactory, RegionFactory

    province = RegionFactory(code="53", name="Nusa Tenggara Timur")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=province, population=100_000)
    sumba = RegionFactory(code="5301", name="Sumba Barat", parent=province, population=200_000)
    lamboya = RegionFactory(code="5301021", name="Lamboya", parent=sumba)
    campaign = CampaignFactory(online_start=datetime.date(2020, 2, 15), online_end=datetime.date(2020, 3, 31))
    campaign.area.set([province])
    day = datetime.date(2020, 3, 8)
    for region, persons in ((kupang, 12_000), (lamboya, 19_000)):
        OfficialCount.objects.create(region=region, date=day, persons=persons, imported_at=timezone.now())
    return campaign
