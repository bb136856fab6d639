import io

import pytest
from wagtail.models import Site

from campaign.core.models import CampaignSettings
from tests.factories import (
    CampaignFactory,
    GuideIndexPageFactory,
    GuidePageFactory,
    InstitutionFactory,
    InstitutionKindFactory,
    RegionFactory,
)


@pytest.fixture(autouse=True)
def renditions_in_memory(monkeypatch):
    """Wagtail writes renditions through a SpooledTemporaryFile that it never closes;
    with warnings as errors the leaked temporary file fails the test. Keep it in memory."""
    import wagtail.images.models

    monkeypatch.setattr(wagtail.images.models, "SpooledTemporaryFile", lambda max_size=0: io.BytesIO())


@pytest.fixture(autouse=True)
def clear_cache():
    from django.core.cache import cache

    from campaign.materials import printing

    cache.clear()
    printing._renditions.clear()  # ids and file names repeat from one test to the next
    yield
    cache.clear()


@pytest.fixture
def campaign(db):
    return CampaignFactory(name="Sensus Penduduk 2020", target_url="https://sensus.bps.go.id/isi")


@pytest.fixture
def campaign_settings(home_page):
    settings = CampaignSettings.for_site(Site.objects.get(is_default_site=True))
    settings.organisation_name = "BPS Provinsi Nusa Tenggara Timur"
    settings.hotline = "(0380) 826289"
    settings.whatsapp = "+6282247291975"
    settings.hashtag = "#MencatatIndonesia"
    settings.website = "https://ntt.bps.go.id"
    settings.census_form_url = "https://sensus.bps.go.id/formulir"
    settings.save()
    return settings


@pytest.fixture
def guide_index(home_page):
    return GuideIndexPageFactory(parent=home_page)


@pytest.fixture
def guide(guide_index, campaign_settings):
    return GuidePageFactory(
        parent=guide_index, title="Cara Mengisi Sensus Penduduk Online 2020", slug="cara-mengisi"
    )


@pytest.fixture
def regions(db):
    province = RegionFactory(code="53", name="Nusa Tenggara Timur")
    kota = RegionFactory(code="5371", name="Kota Kupang", parent=province)
    return {
        "53": province,
        "5371": kota,
        "5371030": RegionFactory(code="5371030", name="Oebobo", parent=kota),
        "5371031": RegionFactory(code="5371031", name="Kota Raja", parent=kota),
    }


@pytest.fixture
def institution(regions):
    return InstitutionFactory(
        name="Dinas Kependudukan dan Pencatatan Sipil Kota Kupang",
        region=regions["5371030"],
        kind=InstitutionKindFactory(name="Kantor Pemerintah"),
    )
