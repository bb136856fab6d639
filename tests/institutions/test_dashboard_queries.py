"""The dashboard's query budget by role (issue 19): the province office's staff (a table
by office), a regency office's staff (its area only) and a superuser, at small volume;
the count is the same whatever the number of sessions (the tallies), and the figures
shown are those counted from the sessions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.core.models import CampaignExtension, Office, OfficeMember
from campaign.core.services import DISSEMINATION_STAFF, roles_sync
from campaign.institutions.dashboard import dashboard_data
from campaign.institutions.models import GuidedSession
from campaign.institutions.services import assignments_create, session_record, team_save
from tests.factories import CampaignFactory, InstitutionFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db
WITA = datetime.timezone(datetime.timedelta(hours=8))
WEEK = datetime.date(2020, 3, 2)
URL = reverse("institutions_dashboard") + "?week=2020-03-02"
NOW = datetime.datetime(2020, 3, 5, 9, tzinfo=WITA)


@pytest.fixture
def world():
    campaign = CampaignFactory()
    CampaignExtension.objects.create(campaign=campaign, new_end=datetime.date(2020, 5, 29))
    ntt = RegionFactory(code="53", name="NTT")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=ntt)
    sikka = RegionFactory(code="5310", name="Sikka", parent=ntt)
    campaign.area.set([ntt])
    teams = {
        "kupang": [team_save(campaign=campaign, name=f"Tim Kupang {n}", area=kupang) for n in (1, 2)],
        "sikka": [team_save(campaign=campaign, name="Tim Sikka", area=sikka, week_targets=[(WEEK, 14)])],
    }
    province = Office.objects.create(code="5300", name="BPS Provinsi NTT")
    province.area.set([ntt])
    province.save()
    users = {"superuser": UserFactory(username="admin", is_superuser=True)}
    group = roles_sync()[DISSEMINATION_STAFF]
    users["province"] = UserFactory(username="staf_provinsi", groups=[group])
    OfficeMember.objects.create(office=province, user=users["province"])
    for name, region in (("kupang", kupang), ("sikka", sikka)):
        office = Office.objects.create(code=region.code, name=f"BPS {region.name}", parent=province)
        office.area.set([region])
        office.save()
        users[name] = UserFactory(username=f"staf_{name}", groups=[group])
        OfficeMember.objects.create(office=office, user=users[name])
    return {
        "campaign": campaign,
        "teams": teams,
        "users": users,
        "regions": {"kupang": kupang, "sikka": sikka},
    }


def grow(world, n):
    """``n`` held sessions in each regency, spread over the campaign's weeks."""
    for index in range(n):
        for name in ("kupang", "sikka"):
            teams = world["teams"][name]
            session_record(
                institution=InstitutionFactory(region=world["regions"][name]),
                team=teams[index % len(teams)],
                starts_at=datetime.datetime(2020, 2, 25, 9, tzinfo=WITA)
                + datetime.timedelta(days=index % 20),
                status=GuidedSession.Status.HELD,
                people_guided=10,
                people_completed=4,
            )


def page_queries(client, user):
    client.force_login(user)
    assert client.get(URL).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


@pytest.mark.parametrize(
    ("role", "budget"),
    # The province: the 20. A regency office reads less (no table by office).
    # Each budget is the count measured (6 December 2026, after the QR scan counts joined
    # the kinds' query): a query more fails.
    [("province", 18), ("kupang", 16), ("superuser", 15)],
)
def test_the_dashboard_stays_within_its_query_budget_by_role(client, world, role, budget):
    grow(world, 2)
    small, _page = page_queries(client, world["users"][role])
    if small > budget:
        for q in queries_of(client, world["users"][role]):
            print(q["sql"][:230])
    assert small <= budget
    grow(world, 12)
    assert page_queries(client, world["users"][role])[0] == small


def test_the_regency_office_dashboard_counts_only_its_area(world):
    grow(world, 6)
    kupang = world["regions"]["kupang"]
    assignments_create(
        institutions=InstitutionFactory.create_batch(3, region=kupang),
        team=world["teams"]["kupang"][0],
        week=WEEK,
    )
    data = dashboard_data(campaign=world["campaign"], week=WEEK, area_user=world["users"]["kupang"])
    held = GuidedSession.objects.filter(status=GuidedSession.Status.HELD, institution__region=kupang)
    assert [row.team.name for row in data.teams] == ["Tim Kupang 1", "Tim Kupang 2"]
    assert data.week_totals["held"] == held.filter(week=WEEK).count()
    assert data.week_totals["planned"] == 3
    assert data.totals["sessions"] == held.count() == 6
    assert sum(point.held for point in data.series) == held.values("week", "institution").distinct().count()
    assert {row.region.code: row.sessions_week for row in data.areas.rows} == {
        "5371": held.filter(week=WEEK).count()
    }

    province = dashboard_data(campaign=world["campaign"], week=WEEK, area_user=world["users"]["province"])
    assert province.totals["sessions"] == 12
    sikka_team = next(row for row in province.teams if row.team.name == "Tim Sikka")
    assert sikka_team.target == 14  # its target for that week, not the default
    assert {row.office.code: row.held for row in province.offices} == {
        code: GuidedSession.objects.filter(
            status=GuidedSession.Status.HELD, week=WEEK, institution__region__code=code
        ).count()
        for code in ("5371", "5310")
    }


def queries_of(client, user):
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    return queries.captured_queries


def test_a_regency_offices_headline_and_area_table_are_its_areas_with_the_provinces_figure_beside(world):
    from campaign.core.models import Region
    from campaign.response.models import OfficialCount

    Region.objects.filter(code="5371").update(population=442_758)
    for day in range(14):
        date = datetime.date(2020, 2, 20) + datetime.timedelta(days=day)
        OfficialCount.objects.create(
            region=world["regions"]["kupang"], date=date, persons=1000 + day, source="t", imported_at=NOW
        )
        OfficialCount.objects.create(
            region=world["regions"]["sikka"], date=date, persons=500 + day, source="t", imported_at=NOW
        )
    data = dashboard_data(campaign=world["campaign"], week=WEEK, area_user=world["users"]["kupang"])
    assert [row.region.code for row in data.areas.rows] == ["5371"]
    assert data.areas.rows[0].trend == [1000 + day for day in range(14)]
    # The headline is the office's area's count against its area's goal; the province's beside it.
    goal = data.areas.rows[0].goal
    assert goal == round(442_758 * world["campaign"].goal_percent / 100) == data.participation["goal"]
    assert data.participation["official"] == 1013
    assert data.participation["percent_of_goal"] == round(100 * 1013 / goal, 1)
    assert data.participation["province"] == 1013 + 513
    province = dashboard_data(campaign=world["campaign"], week=WEEK, area_user=world["users"]["province"])
    assert {row.region.code for row in province.areas.rows} == {"5371", "5310"}
    assert province.participation["official"] == province.participation["province"] == 1013 + 513
    assert province.participation["goal"] == world["campaign"].goal_people


def test_an_office_drawn_by_district_counts_its_sessions(world):
    """The tallies are by regency: an area of districts is counted from its sessions."""
    kupang = world["regions"]["kupang"]
    alak = RegionFactory(code="5371010", name="Alak", parent=kupang)
    office = Office.objects.create(code="5372", name="Kantor Alak", parent=Office.objects.get(code="5300"))
    office.area.set([alak])
    office.save()
    staff = UserFactory(username="staf_alak", groups=[roles_sync()[DISSEMINATION_STAFF]])
    OfficeMember.objects.create(office=office, user=staff)
    team = team_save(campaign=world["campaign"], name="Tim Alak", area=alak)
    when = datetime.datetime(2020, 3, 3, 9, tzinfo=WITA)
    for region in (alak, alak, kupang):
        session_record(
            institution=InstitutionFactory(region=region),
            team=team,
            starts_at=when,
            status=GuidedSession.Status.HELD,
            people_guided=5,
        )
    data = dashboard_data(campaign=world["campaign"], week=WEEK, area_user=staff)
    assert [row.team.name for row in data.teams] == ["Tim Alak"]
    assert data.week_totals["held"] == 2 == data.totals["sessions"]  # the district's only
    assert data.week_totals["guided"] == 10
