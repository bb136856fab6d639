"""Issue 14, item 6: the audience form has checkboxes for statuses and media and a
searchable region list, never a JSON textarea."""

import re

import pytest
from django.contrib.auth import get_user_model

from campaign.invitations.models import Audience
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.org", "x"))
    return client


def test_the_form_offers_checkboxes_and_a_region_search(staff):
    ntt = RegionFactory(code="53", name="Nusa Tenggara Timur", level="province")
    kupang = RegionFactory(code="5371", name="Kota Kupang", level="regency", parent=ntt)
    RegionFactory(code="5371030", name="Oebobo", level="district", parent=kupang)
    html = staff.get("/admin/snippets/invitations/audience/add/").content.decode()
    assert "<textarea" not in html.split('name="statuses"')[0][-300:]
    assert 'type="checkbox" name="statuses" value="not_contacted"' in html
    assert 'type="checkbox" name="mediums" value="radio"' in html
    assert "data-region-picker" in html and 'type="search"' in html
    assert "invitations/region-picker.js" in html
    assert "Oebobo" in html and 'data-region-group="Kota Kupang"' in html
    assert "[]" not in html.split("data-region-picker")[0].split('name="statuses"')[-1][:50]


def test_ticked_boxes_are_saved_as_lists(staff):
    ntt = RegionFactory(code="53", name="Nusa Tenggara Timur", level="province")
    kupang = RegionFactory(code="5371", name="Kota Kupang", level="regency", parent=ntt)
    response = staff.post(
        "/admin/snippets/invitations/audience/add/",
        {
            "name": "Belum dihubungi di Kupang",
            "target": "institutions",
            "statuses": ["not_contacted", "invited"],
            "mediums": ["radio"],
            "regions": [kupang.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    audience = Audience.objects.get(name="Belum dihubungi di Kupang")
    assert audience.statuses == ["not_contacted", "invited"]
    assert audience.mediums == ["radio"]
    assert list(audience.regions.all()) == [kupang]
    html = staff.get(f"/admin/snippets/invitations/audience/edit/{audience.pk}/").content.decode()
    assert re.search(r'name="statuses" value="invited"[^>]*checked', html)
    assert not re.search(r'name="statuses" value="guided"[^>]*checked', html)
