"""The region chooser offers only the levels the form accepts (issue 14's walk: staff were
offered the province on forms that take a district, and the save was refused)."""

import re
from html import unescape

import pytest
from django.urls import reverse

from campaign.core.services import DISSEMINATION_STAFF, roles_sync
from tests.factories import RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(groups=[roles_sync()[DISSEMINATION_STAFF]]))


@pytest.fixture
def regions():
    province = RegionFactory(code="53", name="Nusa Tenggara Timur")
    regency = RegionFactory(code="5371", name="Kota Kupang", parent=province)
    district = RegionFactory(code="5371030", name="Oebobo", parent=regency)
    return province, regency, district


def _chooser_url(html, field):
    """The modal URL of the chooser that wraps the hidden input ``field``."""
    block = re.search(rf'data-chooser-url="([^"]+)"(?:(?!data-chooser-url).)*?name="{field}"', html, re.S)
    assert block, f"no chooser for {field}"
    return unescape(block.group(1))


def test_institution_form_chooser_lists_regencies_and_districts_only(client, staff, regions):
    province, regency, district = regions
    form = client.get(reverse("wagtailsnippets_institutions_institution:add")).content.decode()
    url = _chooser_url(form, "region")
    assert "levels=regency%2Cdistrict" in url

    modal = client.get(url).json()["html"]
    assert district.name in modal and regency.name in modal
    assert province.name not in modal

    # Searching inside the modal keeps the levels.
    results = client.get(
        reverse("wagtailsnippetchoosers_core_region:choose_results"),
        {"levels": "regency,district", "q": "Nusa"},
    ).content.decode()
    assert province.name not in results
    unfiltered = client.get(
        reverse("wagtailsnippetchoosers_core_region:choose_results"), {"q": "Nusa"}
    ).content.decode()
    assert province.name in unfiltered


def test_unknown_levels_are_ignored_not_an_error(client, staff, regions):
    response = client.get(reverse("wagtailsnippetchoosers_core_region:choose"), {"levels": "x,';--"})
    assert response.status_code == 200
    assert regions[0].name in response.json()["html"]


def test_rakorcam_chooser_lists_districts_only(client, staff, regions):
    province, regency, district = regions
    form = client.get(reverse("wagtailsnippets_institutions_coordinationmeeting:add")).content.decode()
    modal = client.get(_chooser_url(form, "district")).json()["html"]
    assert district.name in modal
    assert regency.name not in modal and province.name not in modal
