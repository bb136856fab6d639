import pytest

from campaign.core.services import regions_load


@pytest.fixture
def regions(db):
    """NTT's real regions (BPS codes), as every installation has them."""
    regions_load()
