import pytest
from django.core.cache import cache

from tests.factories import NewsIndexPageFactory, RegionFactory


@pytest.fixture
def news_index(home_page):
    return NewsIndexPageFactory(parent=home_page)


@pytest.fixture
def regions(db):
    province = RegionFactory(code="53", name="Nusa Tenggara Timur")
    return {
        "53": province,
        "5371": RegionFactory(code="5371", name="Kota Kupang", parent=province),
        "5303": RegionFactory(code="5303", name="Kabupaten Kupang", parent=province),
    }


@pytest.fixture
def page_cache(settings):
    """The public page cache switched on, empty, for one test."""
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def renditions_in_memory(monkeypatch):
    """Wagtail writes each rendition to a SpooledTemporaryFile that it never closes;
    Pillow's JPEG encoder asks for ``fileno()``, which moves it to a real temporary
    file, and the test run reports that file as leaked (warnings are errors). An
    in-memory buffer has no file descriptor to leak."""
    import io

    import wagtail.images.models

    monkeypatch.setattr(wagtail.images.models, "SpooledTemporaryFile", lambda max_size=0: io.BytesIO())
