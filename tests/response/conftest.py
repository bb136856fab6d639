import pytest

from campaign.core.services import regions_load


@pytest.fixture
def regions(db):
    """NTT's real regions (BPS codes, Kemendagri crosswalk, SP2020 populations)."""
    regions_load()
