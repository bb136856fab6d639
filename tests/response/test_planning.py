"""The weekly proposal sends the teams where the campaign lags (figures chosen by hand)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.core.services import DISSEMINATION_STAFF, roles_sync
from campaign.institutions.models import Assignment
from campaign.institutions.services import team_save
from campaign.response.models import OfficialCount
from campaign.response.planning import proposal
from campaign.response.services import area_goal_set
from tests.factories import CampaignFactory, InstitutionFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2020, 3, 8)  # half the goal expected
WEEK = datetime.date(2020, 3, 9)


@pytest.fixture
def world():
    province = RegionFactory(code="53", name="Nusa Tenggara Timur")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=province, population=100_000)
    alak = RegionFactory(code="5371010", name="Alak", parent=kupang)
    maulafa = RegionFactory(code="5371020", name="Maulafa", parent=kupang)
    campaign = CampaignFactory(online_start=datetime.date(2020, 2, 15), online_end=datetime.date(2020, 3, 31))
    campaign.area.set([province])
    for district in (alak, maulafa):  # districts have no SP2020 population in the data
        area_goal_set(campaign=campaign, region=district, population=50_000)  # goal 11,500
    now = timezone.now()
    OfficialCount.objects.create(region=alak, date=DAY, persons=2_000, imported_at=now)  # 17.4 %: red
    OfficialCount.objects.create(region=maulafa, date=DAY, persons=7_000, imported_at=now)  # 60.9 %: green
    lagging = [InstitutionFactory(name=f"Kantor Alak {n}", region=alak, employees=20) for n in range(2)]
    ahead = [InstitutionFactory(name=f"Kantor Maulafa {n}", region=maulafa, employees=500) for n in range(2)]
    team = team_save(campaign=campaign, name="Tim 1", area=kupang, default_weekly_target=2)
    return campaign, team, lagging, ahead


def test_a_red_districts_institutions_come_before_a_green_ones(world):
    campaign, team, lagging, ahead = world

    proposed, further = proposal(campaign=campaign, team=team, week=WEEK, extra=5)

    assert [c.institution for c in proposed] == lagging  # small, but where the campaign lags
    assert [c.institution for c in further] == ahead
    assert {c.status for c in proposed} == {"red"} and {c.status for c in further} == {"green"}
    assert proposed[0].behind == 32.6 and proposed[0].score == round((1 + 32.6) * (1 + 0.2), 2)


def test_the_weights_are_editable(world):
    campaign, team, lagging, ahead = world
    proposed, _further = proposal(campaign=campaign, team=team, week=WEEK, weights={"gap": 0})
    assert [c.institution for c in proposed] == ahead  # without the gap, headcount decides


def test_planned_and_reached_institutions_are_left_out_and_the_target_is_kept(world):
    campaign, team, lagging, ahead = world
    Assignment.objects.create(institution=lagging[0], team=team, week=WEEK)
    proposed, _further = proposal(campaign=campaign, team=team, week=WEEK)
    assert [c.institution for c in proposed] == [lagging[1]]  # target 2, one already planned


def test_staff_accept_and_edit_in_one_screen(client, world):
    campaign, team, lagging, ahead = world
    client.force_login(UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]]))
    url = reverse("response_proposal") + f"?team={team.pk}&week={WEEK.isoformat()}"
    page = client.get(url).content.decode()
    assert page.index("Kantor Alak 0") < page.index("Kantor Maulafa 0")

    # Untick one proposed institution, tick one from the next in line.
    client.post(url, {"institution": [str(lagging[0].pk), str(ahead[0].pk)]})

    plan = {a.institution: a.from_proposal for a in Assignment.objects.filter(team=team, week=WEEK)}
    assert plan == {lagging[0]: True, ahead[0]: False}
