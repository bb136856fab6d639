import pytest
from django.core.cache import cache

from tests.fieldapp.world import build_world


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def member(client, world):
    """The test client signed in as the member of Tim 1."""
    client.force_login(world.members[0])
    return client
