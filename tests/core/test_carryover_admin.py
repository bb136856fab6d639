"""The admin side of carrying a campaign over (issue 19): the "New campaign from this one"
form, who may use it, the purpose bulk action on contacts, and the campaign selector of
the dashboard, the reports and the weekly PDF."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from campaign.core.models import Campaign, Office, OfficeMember
from campaign.core.services import DISSEMINATION_STAFF, campaign_carry_over, roles_sync
from campaign.institutions.models import ContactPurpose, PersonalDataLog, Team
from campaign.institutions.services import team_save
from campaign.invitations.models import Audience
from tests.factories import AudienceFactory, CampaignFactory, ContactFactory, RegionFactory, UserFactory
from tests.http import drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    groups = roles_sync()
    province = RegionFactory(code="53", name="NTT")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=province)
    sp2020 = CampaignFactory()
    sp2020.area.set([province])
    team_save(campaign=sp2020, name="Tim 1", area=kupang)
    staff = UserFactory(username="provinsi", groups=[groups[DISSEMINATION_STAFF]])
    regency = UserFactory(username="kupang", groups=[groups[DISSEMINATION_STAFF]])
    province_office = Office.objects.create(code="5300", name="BPS Provinsi NTT")
    province_office.area.set([province])
    province_office.save()
    kupang_office = Office.objects.create(code="5371", name="BPS Kota Kupang", parent=province_office)
    kupang_office.area.set([kupang])
    kupang_office.save()
    OfficeMember.objects.create(office=province_office, user=staff)
    OfficeMember.objects.create(office=kupang_office, user=regency)
    return {"sp2020": sp2020, "staff": staff, "regency": regency, "kupang": kupang}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_province_staff_carry_the_campaign_over_through_the_form(world):
    client = _client(world["staff"])
    url = reverse("wagtailsnippets_core_campaign:carry_over", args=[world["sp2020"].pk])
    listing = client.get(reverse("wagtailsnippets_core_campaign:list"))
    assert url in listing.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "name": "Sensus Ekonomi 2026",
            "short_name": "SE2026",
            "online_start": "2026-05-01",
            "online_end": "2026-05-31",
            "goal_percent": "30",
        },
    )
    new = Campaign.objects.get(short_name="SE2026")
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailsnippets_core_campaign:edit", args=[new.pk])
    assert (new.carried_over_from, new.is_active, new.goal_percent) == (world["sp2020"], False, 30)
    assert list(Team.objects.filter(campaign=new).values_list("name", flat=True)) == ["Tim 1"]


def test_the_form_refuses_an_end_before_the_start_and_writes_nothing(world):
    client = _client(world["staff"])
    url = reverse("wagtailsnippets_core_campaign:carry_over", args=[world["sp2020"].pk])
    response = client.post(
        url,
        {
            "name": "SE2026",
            "short_name": "SE2026",
            "online_start": "2026-05-31",
            "online_end": "2026-05-01",
            "goal_percent": "30",
        },
    )
    assert response.status_code == 200
    assert "Tahap online harus berakhir setelah dimulai." in response.content.decode()
    assert Campaign.objects.count() == 1


def test_a_regency_office_may_not_carry_a_campaign_over(world):
    client = _client(world["regency"])
    url = reverse("wagtailsnippets_core_campaign:carry_over", args=[world["sp2020"].pk])
    assert client.get(url).status_code == 302  # Wagtail's "permission denied"
    response = client.post(
        url,
        {
            "name": "X",
            "short_name": "X",
            "online_start": "2026-05-01",
            "online_end": "2026-05-31",
            "goal_percent": 1,
        },
    )
    assert response.status_code == 302
    assert Campaign.objects.count() == 1
    assert url not in client.get(reverse("wagtailsnippets_core_campaign:list")).content.decode()


def _carried(world):
    return campaign_carry_over(
        source=world["sp2020"],
        name="Sensus Ekonomi 2026",
        short_name="SE2026",
        online_start=datetime.date(2026, 5, 1),
        online_end=datetime.date(2026, 5, 31),
        goal_percent=30,
    ).campaign


def test_staff_confirm_purposes_in_bulk_and_the_audience_shows_who_is_left_out(world):
    AudienceFactory(name="Semua")
    contacts = [ContactFactory() for _ in range(3)]
    new = _carried(world)
    client = _client(world["staff"])
    url = reverse("wagtail_bulk_action", args=["institutions", "contact", "confirm_purpose"])
    query = f"?id={contacts[0].pk}&id={contacts[1].pk}"
    page = client.get(url + query)
    assert page.status_code == 200
    response = client.post(
        url + query,
        {"campaign": new.pk, "purpose": "", "lawful_basis": "public_task"},
    )
    assert response.status_code == 302
    confirmed = set(ContactPurpose.objects.filter(campaign=new).values_list("contact_id", flat=True))
    assert confirmed == {contacts[0].pk, contacts[1].pk}
    assert PersonalDataLog.objects.get(action="confirm").user == world["staff"]

    audience = Audience.objects.get(campaign=new)
    report = client.get(reverse("invitations_audience_report", args=[audience.pk])).content.decode()
    assert "Tujuan belum dikonfirmasi untuk kampanye ini" in report


def test_a_regency_office_confirms_only_its_areas_contacts(world):
    elsewhere = RegionFactory(code="5310", name="Sikka", parent=world["kupang"].parent)
    from tests.factories import InstitutionFactory

    own = ContactFactory()  # Kota Kupang
    other = ContactFactory(institution=InstitutionFactory(region=elsewhere))
    new = _carried(world)
    client = _client(world["regency"])
    url = reverse("wagtail_bulk_action", args=["institutions", "contact", "confirm_purpose"])
    client.post(
        url + f"?id={own.pk}&id={other.pk}",
        {"campaign": new.pk, "purpose": "", "lawful_basis": "public_task"},
    )
    assert list(ContactPurpose.objects.values_list("contact_id", flat=True)) == [own.pk]


def test_the_dashboard_reports_and_weekly_pdf_read_an_earlier_campaign(world):
    from campaign.institutions.models import GuidedSession
    from campaign.institutions.services import session_record
    from tests.factories import InstitutionFactory

    sp2020 = world["sp2020"]
    new = _carried(world)
    # The new campaign becomes the current one; SP2020 stays readable through the selector.
    Campaign.objects.filter(pk=sp2020.pk).update(is_active=False)
    Campaign.objects.filter(pk=new.pk).update(is_active=True)
    client = _client(world["staff"])
    dashboard = reverse("institutions_dashboard")
    current = client.get(dashboard).content.decode()
    assert "SE2026" in current and "SP2020" not in current
    earlier = client.get(f"{dashboard}?campaign={sp2020.pk}").content.decode()
    assert "SP2020" in earlier and "SE2026" not in earlier
    assert f"&amp;campaign={sp2020.pk}" in earlier  # the week links keep the campaign
    assert f'<option value="{sp2020.pk}" selected>' in earlier
    pdf = client.get(f"{reverse('institutions_weekly_report')}?campaign={sp2020.pk}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "laporan-mingguan-2020-03-30.pdf" in pdf["Content-Disposition"]  # its last week
    drain(pdf)
    performance = client.get(
        f"{reverse('institutions_report_team_performance')}?campaign={sp2020.pk}"
    ).content.decode()
    assert "Tim 1" in performance and "10 Feb. 2020" in performance
    assert "Mei 2026" not in performance
    assert "Mei 2026" in client.get(reverse("institutions_report_team_performance")).content.decode()
    # The sessions report lists a campaign's own sessions only.
    session_record(
        team=Team.objects.get(campaign=sp2020),
        institution=InstitutionFactory(name="Kantor Camat Oebobo", region=world["kupang"]),
        starts_at=datetime.datetime(2020, 2, 18, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
        status=GuidedSession.Status.HELD,
        people_guided=2,
        people_completed=2,
    )
    sessions = reverse("institutions_report_sessions")
    assert "Kantor Camat Oebobo" in client.get(f"{sessions}?campaign={sp2020.pk}").content.decode()
    assert "Kantor Camat Oebobo" not in client.get(sessions).content.decode()
    # "Not reached" takes the campaign too (its own statuses: SE2026 has reached nobody).
    not_reached = reverse("institutions_report_not_reached")
    assert (
        f'<option value="{sp2020.pk}" selected>'
        in client.get(f"{not_reached}?campaign={sp2020.pk}").content.decode()
    )
