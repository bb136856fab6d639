from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import Page, Site

from campaign.core.models import Campaign, CampaignSettings, HomePage, Region
from campaign.core.services import DISSEMINATION_STAFF, FIELD_TEAM, HEAD_OF_SECTION

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "regions": Region.objects.count(),
        "campaigns": Campaign.objects.count(),
        "pages": Page.objects.count(),
        "users": get_user_model().objects.count(),
        "groups": Group.objects.count(),
    }


def test_load_demo_data_builds_the_sp2020_case_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    first = _snapshot()
    call_command("load_demo_data", stdout=StringIO())

    assert _snapshot() == first
    campaign = Campaign.objects.get(is_active=True)
    assert campaign.short_name == "SP2020"
    assert str(campaign.effective_end) == "2020-05-29"
    assert campaign.goal_percent == 23 and campaign.population_base == 5_400_000
    assert list(campaign.area.values_list("code", flat=True)) == ["53"]
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert CampaignSettings.for_site(site).hotline == "(0380) 826289"
    # Wagtail's welcome page is gone; the home page is the only page under the root.
    assert Page.objects.filter(depth=2).count() == 1

    users = get_user_model().objects
    assert users.get(username="admin").is_superuser
    assert users.get(username="admin").check_password("jemputbola-admin")
    assert users.get(username="editor").groups.filter(name=DISSEMINATION_STAFF).exists()
    assert users.get(username="kepala").groups.filter(name=HEAD_OF_SECTION).exists()
    assert users.filter(groups__name=FIELD_TEAM).count() == 6


def test_demo_users_are_created_only_with_debug_on(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert not get_user_model().objects.exists()
    assert "demo users were not created" in out.getvalue()
    assert Campaign.objects.filter(is_active=True).exists()


def test_demo_home_page_renders(client, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    html = client.get("/").content.decode()
    assert "Mencatat Indonesia" in html
    assert "Tahap online" in html and "29 Mei 2020" in html
    assert "pst5300@bps.go.id" in html and "https://wa.me/6282247291975" in html
