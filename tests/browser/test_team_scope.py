"""A field team member in the admin sees their team's contacts and not the others'."""

import pytest
from django.utils import timezone

from campaign.core.services import FIELD_TEAM, roles_sync
from campaign.institutions.models import Assignment, week_start
from campaign.institutions.services import team_save
from tests.browser.conftest import admin_sign_in, screenshot
from tests.factories import CampaignFactory, ContactFactory, InstitutionFactory, RegionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_sees_only_the_contacts_of_their_teams_institutions(live_server, page):
    member = UserFactory(username="tim1", groups=[roles_sync()[FIELD_TEAM]])
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=RegionFactory(code="53", name="NTT"))
    team = team_save(campaign=CampaignFactory(), name="Tim 1", area=kupang, members=[member])
    planned = InstitutionFactory(name="Dinas Kependudukan", region=kupang)
    ContactFactory(institution=planned, name="Ina Bria")
    Assignment.objects.create(institution=planned, team=team, week=week_start(timezone.localdate()))
    other = InstitutionFactory(name="Bank NTT", region=kupang)
    ContactFactory(institution=other, name="Maria Lain")

    admin_sign_in(page, live_server, "tim1", "correct horse battery")

    page.goto(live_server.url + "/admin/snippets/institutions/contact/")
    assert page.get_by_text("Ina Bria").count() == 1
    assert page.get_by_text("Maria Lain").count() == 0
    screenshot(page, "team-scope-contacts-member")

    page.goto(live_server.url + f"/admin/snippets/institutions/institution/inspect/{other.pk}/")
    assert page.get_by_text("Maria Lain").count() == 0
    assert page.get_by_text("planned for your team").count() == 0  # Indonesian UI
    assert page.get_by_text("direncanakan untuk tim Anda").count() == 1
    screenshot(page, "team-scope-institution-member")
