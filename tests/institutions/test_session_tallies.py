"""The weekly session tallies the dashboard reads (``SessionWeekTally``) stay equal to
a count over the sessions themselves through every write: record, edit, move to another
week, cancel, delete in the admin (one session or an institution with its sessions),
and the bulk loader."""

import datetime

import pytest
from django.db.models import Count, Sum
from django.urls import reverse

from campaign.core.models import CampaignExtension
from campaign.core.services import DISSEMINATION_STAFF, roles_sync
from campaign.institutions import random_data
from campaign.institutions.dashboard import dashboard_data
from campaign.institutions.models import GuidedSession, SessionWeekTally, Team
from campaign.institutions.services import session_record, session_tallies_refresh, team_save
from tests.factories import CampaignFactory, InstitutionFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db
WITA = datetime.timezone(datetime.timedelta(hours=8))
TUESDAY = datetime.datetime(2020, 2, 25, 9, tzinfo=WITA)
HELD = GuidedSession.Status.HELD


@pytest.fixture
def campaign():
    campaign = CampaignFactory()
    CampaignExtension.objects.create(campaign=campaign, new_end=datetime.date(2020, 5, 29))
    return campaign


@pytest.fixture
def teams(campaign):
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=RegionFactory(code="53", name="NTT"))
    return [team_save(campaign=campaign, name=f"Tim {n}", area=kupang) for n in (1, 2)]


def counted_from_sessions(campaign):
    """What the dashboard counted before the tallies: straight from the sessions."""
    sessions = GuidedSession.objects.filter(team__campaign=campaign)
    result = {}
    for row in (
        sessions.filter(status=HELD)
        .values("week")
        .annotate(
            n=Count("pk"),
            institutions=Count("institution_id", distinct=True),
            guided=Sum("people_guided"),
            completed=Sum("people_completed"),
        )
    ):
        result[row["week"]] = (row["n"], row["institutions"], row["guided"], row["completed"], 0)
    for row in (
        sessions.filter(status__in=[GuidedSession.Status.PLANNED, GuidedSession.Status.RESCHEDULED])
        .values("week")
        .annotate(n=Count("pk"))
    ):
        result[row["week"]] = (*result.get(row["week"], (0, 0, 0, 0, 0))[:4], row["n"])
    return result


def tallied(campaign):
    return {
        t.week: (t.held_sessions, t.institutions_held, t.people_guided, t.people_completed, t.open_sessions)
        for t in SessionWeekTally.objects.filter(campaign=campaign)
    }


def test_tallies_follow_record_edit_move_and_cancel(campaign, teams):
    first, second = InstitutionFactory.create_batch(2)
    one = session_record(
        institution=first, team=teams[0], starts_at=TUESDAY, status=HELD, people_guided=20, people_completed=9
    )
    # The same institution guided by the other team that week counts once in the week.
    session_record(
        institution=first, team=teams[1], starts_at=TUESDAY, status=HELD, people_guided=5, people_completed=5
    )
    planned = session_record(institution=second, team=teams[1], starts_at=TUESDAY)
    week = datetime.date(2020, 2, 24)
    assert tallied(campaign) == {week: (2, 1, 25, 14, 1)} == counted_from_sessions(campaign)

    session_record(session=one, people_guided=30)
    assert tallied(campaign)[week] == (2, 1, 35, 14, 1)

    next_week = TUESDAY + datetime.timedelta(days=7)
    session_record(session=one, starts_at=next_week)
    assert tallied(campaign) == counted_from_sessions(campaign)
    assert tallied(campaign)[week + datetime.timedelta(days=7)] == (1, 1, 30, 9, 0)
    assert tallied(campaign)[week] == (1, 1, 5, 5, 1)

    session_record(session=planned, status=GuidedSession.Status.CANCELLED)
    assert tallied(campaign)[week] == (1, 1, 5, 5, 0) == counted_from_sessions(campaign)[week]


def test_a_week_left_empty_loses_its_tally(campaign, teams):
    session = session_record(institution=InstitutionFactory(), team=teams[0], starts_at=TUESDAY)
    session_record(session=session, starts_at=TUESDAY + datetime.timedelta(days=14))
    assert list(tallied(campaign)) == [datetime.date(2020, 3, 9)]


def test_tallies_follow_deletes_in_the_admin(client, campaign, teams):
    client.force_login(UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]]))
    first, second = InstitutionFactory.create_batch(2)
    gone = session_record(
        institution=first, team=teams[0], starts_at=TUESDAY, status=HELD, people_guided=8, people_completed=2
    )
    session_record(
        institution=second, team=teams[1], starts_at=TUESDAY, status=HELD, people_guided=4, people_completed=4
    )
    session_record(institution=second, team=teams[1], starts_at=TUESDAY + datetime.timedelta(days=7))

    url = reverse("wagtailsnippets_institutions_guidedsession:delete", args=[gone.pk])
    assert client.post(url).status_code == 302
    assert tallied(campaign) == counted_from_sessions(campaign)
    assert tallied(campaign)[datetime.date(2020, 2, 24)] == (1, 1, 4, 4, 0)

    # An institution deleted takes its sessions with it (a cascade).
    url = reverse("wagtailsnippets_institutions_institution:delete", args=[second.pk])
    assert client.post(url).status_code == 302
    assert not GuidedSession.objects.exists()
    assert tallied(campaign) == {} == counted_from_sessions(campaign)


def test_the_bulk_loader_leaves_tallies_equal_to_its_sessions(campaign):
    from campaign.core.services import regions_load

    regions_load()
    random_data.create(institutions=40, contacts_per_institution=0)
    random_data.create_fieldwork(campaign=campaign, sessions=300, teams_per_regency=1)
    assert tallied(campaign) == counted_from_sessions(campaign)
    assert (
        sum(row[0] for row in tallied(campaign).values()) == GuidedSession.objects.filter(status=HELD).count()
    )


def test_a_full_recount_mends_a_tally_written_by_hand(campaign, teams):
    session_record(institution=InstitutionFactory(), team=teams[0], starts_at=TUESDAY, status=HELD)
    SessionWeekTally.objects.update(held_sessions=99)
    session_tallies_refresh(campaign_ids=[campaign.pk])
    assert tallied(campaign) == counted_from_sessions(campaign)


def test_dashboard_reads_the_tallies_in_few_queries(campaign, teams, django_assert_max_num_queries):
    """The dashboard's own reads stay a fixed number, however many sessions: it sums one
    tally row per week (and the week shown), never every session."""
    institutions = InstitutionFactory.create_batch(6)
    for day in range(0, 60, 5):
        for n, institution in enumerate(institutions):
            session_record(
                institution=institution,
                team=teams[n % 2],
                starts_at=TUESDAY + datetime.timedelta(days=day),
                status=HELD,
                people_guided=3,
                people_completed=n % 3,
            )
    week = datetime.date(2020, 3, 2)
    with django_assert_max_num_queries(13):
        data = dashboard_data(campaign=campaign, week=week)
    counted = counted_from_sessions(campaign)
    assert data.totals["sessions"] == sum(row[0] for row in counted.values()) == 72
    assert data.totals["completed"] == sum(row[3] for row in counted.values())
    assert {p.week: p.held for p in data.series if p.held} == {w: row[1] for w, row in counted.items()}
    assert data.totals["reached"] == 6
    assert Team.objects.count() == 2
