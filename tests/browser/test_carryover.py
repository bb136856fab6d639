"""Carrying a campaign over, through the admin as the province's dissemination staff
(issue 19): "New campaign from this one" on the campaign list, the purpose confirmed in
bulk for some contacts, and the new campaign's audience leaving the others out with the
reason. UI only; any console error or CSP violation fails."""

import datetime

import pytest

from campaign.core.models import Campaign, Office, OfficeMember
from campaign.core.services import DISSEMINATION_STAFF, roles_sync
from campaign.institutions.models import ContactPurpose, GuidedSession, Institution
from campaign.institutions.services import session_record, team_save
from tests.browser.conftest import admin_sign_in, screenshot
from tests.factories import (
    AudienceFactory,
    CampaignFactory,
    ContactFactory,
    EmailTemplateFactory,
    InstitutionFactory,
    RegionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_province_staff_carry_over_confirm_purposes_and_see_the_audience_leave_the_rest_out(
    live_server, page
):
    ntt = RegionFactory(code="53", name="NTT")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=ntt)
    sp2020 = CampaignFactory(name="Sensus Penduduk 2020")
    sp2020.area.set([ntt])
    team = team_save(campaign=sp2020, name="Tim 1", area=kupang)
    province = Office.objects.create(code="5300", name="BPS Provinsi NTT")
    province.area.set([ntt])
    province.save()
    staff = UserFactory(username="provinsi", groups=[roles_sync()[DISSEMINATION_STAFF]])
    OfficeMember.objects.create(office=province, user=staff)
    for institution, person in (
        ("PT PLN UIW NTT", "Yosef Manek"),
        ("Bank NTT", "Ruth Lenggu"),
        ("Kantor Wali Kota Kupang", "Agus Ndolu"),
    ):
        ContactFactory(institution=InstitutionFactory(name=institution, region=kupang), name=person)
    # Tim 1 guided Bank NTT in SP2020.
    session_record(
        team=team,
        institution=Institution.objects.get(name="Bank NTT"),
        starts_at=datetime.datetime(2020, 2, 18, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
        status=GuidedSession.Status.HELD,
        people_guided=4,
        people_completed=4,
    )
    EmailTemplateFactory(name="Undangan pendampingan")
    AudienceFactory(name="Institusi Kota Kupang")

    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    admin_sign_in(page, live_server, "provinsi", "correct horse battery")

    # 1. The campaign list: "New campaign from this one" in the campaign's menu.
    page.goto(live_server.url + "/admin/snippets/core/campaign/")
    row = page.locator("table.listing tbody tr", has_text="Sensus Penduduk 2020")
    row.locator("[data-controller='w-dropdown'] button").first.click()
    link = page.get_by_role("link", name="Kampanye baru dari kampanye ini")
    link.wait_for(state="visible")
    with page.expect_navigation():
        link.click()
    assert page.locator("h1", has_text="Kampanye baru dari kampanye ini").count() == 1
    page.fill("input[name=name]", "Sensus Ekonomi 2026")
    page.fill("input[name=short_name]", "SE2026")
    page.fill("input[name=online_start]", "2026-05-01")
    page.fill("input[name=online_end]", "2026-05-31")
    page.fill("input[name=goal_percent]", "30")
    # The date picker opens a moment after its field takes the focus: click it away
    # until it stays closed (as the admin walk does).
    for _attempt in range(10):
        page.locator("h1").first.click()
        page.wait_for_timeout(300)
        if not page.locator(".xdsoft_datetimepicker:visible").count():
            break
    assert not page.locator(".xdsoft_datetimepicker:visible").count()
    screenshot(page, "carryover-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Mulai kampanye baru").click()
    assert page.get_by_text("dimulai dari “Sensus Penduduk 2020”").count() == 1
    se2026 = Campaign.objects.get(short_name="SE2026")
    assert se2026.carried_over_from == sp2020 and not se2026.is_active

    # 2. Contacts: two of the three have their purpose confirmed for SE2026, in bulk.
    page.goto(live_server.url + "/admin/snippets/institutions/contact/")
    for person in ("Yosef Manek", "Ruth Lenggu"):
        page.locator("table.listing tbody tr", has_text=person).locator(
            "input[data-bulk-action-checkbox]"
        ).check()
    action = page.get_by_role("link", name="Konfirmasi tujuan")
    action.wait_for(state="visible")
    with page.expect_navigation():
        action.click()
    assert page.locator("select[name=campaign] option:checked").inner_text().startswith("Sensus Ekonomi 2026")
    screenshot(page, "carryover-confirm-purpose")
    with page.expect_navigation():
        page.get_by_role("button", name="Konfirmasi").click()
    assert page.get_by_text("Tujuan dikonfirmasi untuk 2 kontak.").count() == 1
    assert set(ContactPurpose.objects.filter(campaign=se2026).values_list("contact__name", flat=True)) == {
        "Yosef Manek",
        "Ruth Lenggu",
    }

    # 3. The new campaign's copy of the audience counts the two and names why the third is out.
    page.goto(live_server.url + "/admin/snippets/invitations/audience/")
    row = page.locator("table.listing tbody tr", has_text="Institusi Kota Kupang — SE2026")
    report = row.locator("a[href*='/laporan/'], a[href*='audience']", has_text="Jumlah dan pengecualian")
    if report.count() == 0 or not report.first.is_visible():
        row.locator("[data-controller='w-dropdown'] button").first.click()
        report = page.get_by_role("link", name="Jumlah dan pengecualian")
    with page.expect_navigation():
        report.first.click()
    assert "2 alamat" in page.locator(".audience-count").inner_text()
    excluded = page.locator("table.listing tbody tr", has_text="Tujuan belum dikonfirmasi untuk kampanye ini")
    assert excluded.locator("td").nth(1).inner_text().strip() == "1"
    screenshot(page, "carryover-audience-report")

    # 4. "Institutions not yet reached" takes the campaign: SP2020 (current) leaves out Bank
    # NTT, which Tim 1 guided; SE2026, only prepared, has reached nobody yet.
    page.goto(live_server.url + "/admin/")
    page.get_by_role("button", name="Laporan").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Institusi yang belum terjangkau").click()

    def listed():
        return {
            name
            for name in ("PT PLN UIW NTT", "Bank NTT", "Kantor Wali Kota Kupang")
            if page.locator("table.listing tbody tr", has_text=name).count()
        }

    assert listed() == {"PT PLN UIW NTT", "Kantor Wali Kota Kupang"}
    page.select_option("#campaign-selector", label="Sensus Ekonomi 2026")
    with page.expect_navigation():
        page.locator(".jb-campaign-selector").get_by_role("button", name="Tampilkan").click()
    assert f"campaign={se2026.pk}" in page.url
    assert listed() == {"PT PLN UIW NTT", "Bank NTT", "Kantor Wali Kota Kupang"}
    screenshot(page, "carryover-not-reached-prepared-campaign")

    assert errors == []
    assert page.csp_violations == []
