"""A small field-work world for the field app's tests: a campaign running this week, the
Kota Kupang regency with two districts, two teams with one member each, and three
institutions (with contacts) planned for each team this week."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from campaign.core.services import roles_sync
from campaign.institutions.models import Assignment, week_start
from campaign.institutions.services import team_save
from tests.factories import CampaignFactory, ContactFactory, InstitutionFactory, RegionFactory, UserFactory

PASSWORD = "correct horse battery"


@dataclass
class World:
    campaign: object
    week: datetime.date
    kupang: object
    districts: list
    teams: list
    members: list
    institutions: dict  # team index → institutions planned this week


def build_world(*, today=None) -> World:
    today = today or timezone.localdate()
    week = week_start(today)
    campaign = CampaignFactory(
        online_start=week - datetime.timedelta(days=7), online_end=week + datetime.timedelta(days=27)
    )
    ntt = RegionFactory(code="53", name="Nusa Tenggara Timur")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=ntt)
    districts = [
        RegionFactory(code="5371010", name="Alak", parent=kupang),
        RegionFactory(code="5371020", name="Maulafa", parent=kupang),
    ]
    groups = roles_sync()
    members = [
        UserFactory(username=f"tim{n + 1}", first_name=f"Anggota {n + 1}", groups=[groups["Field team"]])
        for n in range(2)
    ]
    teams = [
        team_save(
            campaign=campaign,
            name=f"Tim {n + 1}",
            area=kupang,
            default_weekly_target=10 + n,
            members=[members[n]],
        )
        for n in range(2)
    ]
    institutions = {}
    for n, team in enumerate(teams):
        planned = []
        for i in range(3):
            institution = InstitutionFactory(
                name=f"Dinas {'ABCDEF'[n * 3 + i]} Kota Kupang",
                region=districts[i % 2],
                address=f"Jl. El Tari No. {n * 3 + i + 1}, Kupang",
            )
            ContactFactory(institution=institution, phone=f"+6281234500{n}{i}")
            Assignment.objects.create(
                institution=institution, team=team, week=week, planned_date=today if i == 0 else None
            )
            planned.append(institution)
        institutions[n] = planned
    return World(campaign, week, kupang, districts, teams, members, institutions)
