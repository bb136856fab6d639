"""'Did it work?': the change in online rate after guided sessions, beside areas without."""

import datetime

import pytest
from django.utils import timezone

from campaign.institutions.models import GuidedSession
from campaign.institutions.services import team_save
from campaign.response.models import OfficialCount
from campaign.response.selectors import uplift
from campaign.response.services import area_goal_set
from tests.factories import CampaignFactory, InstitutionFactory, RegionFactory

pytestmark = pytest.mark.django_db
WEEK = datetime.date(2020, 3, 2)
BEFORE, AFTER = datetime.date(2020, 3, 1), datetime.date(2020, 3, 8)


@pytest.fixture
def world():
    province = RegionFactory(code="53", name="NTT")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=province, population=100_000)
    sumba = RegionFactory(code="5301", name="Sumba Barat", parent=province, population=200_000)
    campaign = CampaignFactory(online_start=datetime.date(2020, 2, 15), online_end=datetime.date(2020, 3, 31))
    campaign.area.set([province])
    team = team_save(campaign=campaign, name="Tim 1", area=kupang, default_weekly_target=2)
    return campaign, team, kupang, sumba


def figure(region, date, persons):
    OfficialCount.objects.create(region=region, date=date, persons=persons, imported_at=timezone.now())


def held_in(region, team):
    GuidedSession.objects.create(
        institution=InstitutionFactory(region=region),
        team=team,
        starts_at=datetime.datetime(2020, 3, 4, 9, tzinfo=datetime.UTC),
        week=WEEK,
        status=GuidedSession.Status.HELD,
    )


def test_regencies_when_there_are_no_district_figures(world):
    campaign, team, kupang, sumba = world
    held_in(kupang, team)
    figure(kupang, BEFORE, 1_000)
    figure(kupang, AFTER, 3_000)  # +2.0 points of 100,000
    figure(sumba, BEFORE, 1_000)
    figure(sumba, AFTER, 2_000)  # +0.5 points of 200,000

    result = uplift(campaign=campaign, week=WEEK)

    assert result.level == "regency"
    assert [(r.region.code, r.sessions, r.change) for r in result.visited] == [("5371", 1, 2.0)]
    assert [(r.region.code, r.sessions, r.change) for r in result.others] == [("5301", 0, 0.5)]
    assert (result.visited_mean, result.others_mean) == (2.0, 0.5)


def test_districts_with_a_population_when_the_figures_have_them(world):
    campaign, team, kupang, sumba = world
    alak = RegionFactory(code="5371010", name="Alak", parent=kupang)
    maulafa = RegionFactory(code="5371020", name="Maulafa", parent=kupang)
    nopop = RegionFactory(code="5301021", name="Lamboya", parent=sumba)
    area_goal_set(campaign=campaign, region=alak, population=10_000)
    area_goal_set(campaign=campaign, region=maulafa, population=20_000)
    held_in(alak, team)
    for district, before, after in ((alak, 100, 400), (maulafa, 100, 300), (nopop, 1, 2)):
        figure(district, BEFORE, before)
        figure(district, AFTER, after)

    result = uplift(campaign=campaign, week=WEEK)

    assert result.level == "district"
    assert [(r.region.name, r.change) for r in result.visited] == [("Alak", 3.0)]
    assert [(r.region.name, r.change) for r in result.others] == [("Maulafa", 1.0)]  # Lamboya: no population


def test_the_weekly_pdf_words_it_as_an_association(world, tmp_path):
    from campaign.institutions.dashboard import dashboard_data
    from campaign.institutions.pdf import weekly_report
    from tests.materials.pdftools import pdf_text

    campaign, team, kupang, sumba = world
    held_in(kupang, team)
    for region, before, after in ((kupang, 1_000, 3_000), (sumba, 1_000, 2_000)):
        figure(region, BEFORE, before)
        figure(region, AFTER, after)
    data = dashboard_data(campaign=campaign, week=WEEK)
    data.uplift = uplift(campaign=campaign, week=WEEK)

    text = " ".join(pdf_text(weekly_report(data), tmp_path).split())

    assert "naik rata-rata 2,00 poin" in text and "0,50 poin" in text
    assert "bukan bukti" in text  # an association, not proof
