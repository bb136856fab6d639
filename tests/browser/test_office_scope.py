"""A regency office's editor in the admin (issue 19): the institution list and the
institution chooser offer only the rows of their office's area."""

import pytest

from campaign.core.models import Office, OfficeMember
from campaign.core.services import DISSEMINATION_STAFF, roles_sync
from campaign.institutions.services import team_save
from tests.browser.conftest import screenshot
from tests.factories import CampaignFactory, InstitutionFactory, RegionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _office(code, name, region, parent=None):
    office = Office.objects.create(code=code, name=name, parent=parent)
    office.area.set([region])
    office.save()
    return office


def test_a_regency_editor_sees_and_chooses_only_their_areas_institutions(live_server, page):
    ntt = RegionFactory(code="53", name="NTT")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=ntt)
    sikka = RegionFactory(code="5310", name="Sikka", parent=ntt, population=321_953)
    alok = RegionFactory(code="5310010", name="Alok", parent=sikka)
    province = _office("5300", "BPS Provinsi NTT", ntt)
    sikka_office = _office("5310", "BPS Kabupaten Sikka", sikka, parent=province)
    editor = UserFactory(username="sikka", groups=[roles_sync()[DISSEMINATION_STAFF]])
    OfficeMember.objects.create(office=sikka_office, user=editor)
    campaign = CampaignFactory(is_active=True)
    campaign.area.set([ntt])
    team_save(campaign=campaign, name="Tim Sikka", area=sikka)
    for name in ("Kantor Bupati Sikka", "DPRD Kabupaten Sikka"):
        InstitutionFactory(name=name, region=alok)
    for name in ("Kantor Wali Kota Kupang", "DPRD Kota Kupang", "Bank NTT"):
        InstitutionFactory(name=name, region=kupang)

    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "sikka")
    page.fill("input[name=password]", "correct horse battery")
    with page.expect_navigation():
        page.click("button[type=submit]")

    # The institution list: Sikka's two, none of Kota Kupang's three.
    page.goto(live_server.url + "/admin/snippets/institutions/institution/")
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == 2
    assert page.get_by_text("Kantor Bupati Sikka").count() == 1
    assert page.get_by_text("Kantor Wali Kota Kupang").count() == 0
    screenshot(page, "office-scope-institutions-sikka")

    # A visit plan's institution chooser, opened through the form: Sikka's only.
    page.goto(live_server.url + "/admin/snippets/institutions/assignment/add/")
    chooser = page.locator("[data-chooser-url]").first
    chooser.locator(".unchosen [data-chooser-action-choose]").click()
    modal = page.locator(".modal.show, .modal.in").last
    modal.wait_for(state="visible", timeout=10_000)
    choices = modal.locator("a[data-chooser-modal-choice]")
    choices.first.wait_for(state="visible", timeout=10_000)
    names = sorted(choices.all_inner_texts())
    assert [name.strip() for name in names] == ["DPRD Kabupaten Sikka", "Kantor Bupati Sikka"]
    screenshot(page, "office-scope-chooser-sikka")
    choices.first.click()
    modal.wait_for(state="hidden", timeout=10_000)

    # The dashboard's headline: Sikka's official count against Sikka's goal, the
    # province's beside it.
    from django.utils import timezone

    from campaign.response.models import OfficialCount

    day = campaign.online_end  # the figures of the campaign's last day
    OfficialCount.objects.create(
        region=sikka, date=day, persons=41_250, source="t", imported_at=timezone.now()
    )
    OfficialCount.objects.create(
        region=kupang, date=day, persons=90_000, source="t", imported_at=timezone.now()
    )
    page.goto(live_server.url + "/admin/")
    with page.expect_navigation():
        page.get_by_role("link", name="Dasbor kampanye").first.click()
    participation = page.locator("section.jb-section").filter(has_text="Partisipasi online").inner_text()
    assert "41.250" in participation and "seluruh provinsi: 131.250 orang" in participation
    screenshot(page, "office-scope-dashboard-sikka")
    # The suppression lists are the province's: not in the menu, refused by URL.
    assert page.locator("a[href='/admin/snippets/invitations/suppression/']").count() == 0
    page.goto(live_server.url + "/admin/snippets/invitations/suppression/")
    assert "/admin/snippets/invitations/suppression/" not in page.url

    assert errors == []
    assert page.csp_violations == []
