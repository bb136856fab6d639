"""The session tallies the dashboard reads (``SessionWeekTally`` by week and regency,
``SessionTeamTally`` by week, team and regency) stay equal to a count over the sessions
themselves through every write: record, edit, move to another week, cancel, delete in
the admin (one session or an institution with its sessions), the field app's upload,
an RSVP answer, an institution moved to another regency (admin form or import), a team
moved to another campaign, the bulk loader and the data migration."""

import datetime

import pytest
from django.db.models import Count, F, Sum
from django.urls import reverse

from campaign.core.models import CampaignExtension
from campaign.core.services import DISSEMINATION_STAFF, roles_sync
from campaign.institutions import random_data
from campaign.institutions.dashboard import dashboard_data
from campaign.institutions.models import GuidedSession, SessionTeamTally, SessionWeekTally, Team
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


def by_team_from_sessions(campaign):
    """Held sessions by (week, team, regency), counted from the sessions."""
    return {
        (row["week"], row["team_id"], row["region__code"][:4]): (
            row["n"],
            row["institutions"],
            row["guided"],
            row["completed"],
        )
        for row in GuidedSession.objects.filter(team__campaign=campaign, status=HELD)
        .annotate(region__code=F("institution__region__code"))
        .values("week", "team_id", "region__code")
        .annotate(
            n=Count("pk"),
            institutions=Count("institution_id", distinct=True),
            guided=Sum("people_guided"),
            completed=Sum("people_completed"),
        )
    }


def by_team_tallied(campaign):
    return {
        (t.week, t.team_id, t.regency): (
            t.held_sessions,
            t.institutions_held,
            t.people_guided,
            t.people_completed,
        )
        for t in SessionTeamTally.objects.filter(campaign=campaign)
    }


def by_regency_from_sessions(campaign):
    """Held sessions by (week, regency): distinct institutions across the teams."""
    return {
        (row["week"], row["code"][:4]): (row["n"], row["institutions"])
        for row in GuidedSession.objects.filter(team__campaign=campaign, status=HELD)
        .annotate(code=F("institution__region__code"))
        .values("week", "code")
        .annotate(n=Count("pk"), institutions=Count("institution_id", distinct=True))
    }


def by_regency_tallied(campaign):
    return {
        (t.week, t.regency): (t.held_sessions, t.institutions_held)
        for t in SessionWeekTally.objects.filter(campaign=campaign, held_sessions__gt=0)
    }


def assert_tallies_match(campaign):
    assert tallied(campaign) == counted_from_sessions(campaign)
    assert by_team_tallied(campaign) == by_team_from_sessions(campaign)
    assert by_regency_tallied(campaign) == by_regency_from_sessions(campaign)


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
    """The weekly tallies summed over their regencies."""
    result = {}
    for t in SessionWeekTally.objects.filter(campaign=campaign):
        row = (t.held_sessions, t.institutions_held, t.people_guided, t.people_completed, t.open_sessions)
        result[t.week] = tuple(a + b for a, b in zip(result.get(t.week, (0,) * 5), row, strict=True))
    return result


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


@pytest.fixture
def sikka(teams):
    return RegionFactory(code="5310", name="Sikka", parent=teams[0].area.parent)


def test_team_and_regency_tallies_follow_record_move_and_cancel(campaign, teams, sikka):
    kupang_inst, sikka_inst = InstitutionFactory(region=teams[0].area), InstitutionFactory(region=sikka)
    week = datetime.date(2020, 2, 24)
    one = session_record(
        institution=kupang_inst,
        team=teams[0],
        starts_at=TUESDAY,
        status=HELD,
        people_guided=9,
        people_completed=4,
    )
    # The same institution twice in a week by one team: one institution, two sessions.
    session_record(
        institution=kupang_inst,
        team=teams[0],
        starts_at=TUESDAY,
        status=HELD,
        people_guided=1,
        people_completed=1,
    )
    session_record(institution=kupang_inst, team=teams[1], starts_at=TUESDAY, status=HELD, people_guided=2)
    session_record(institution=sikka_inst, team=teams[1], starts_at=TUESDAY, status=HELD, people_guided=7)
    assert by_team_tallied(campaign) == {
        (week, teams[0].pk, "5371"): (2, 1, 10, 5),
        (week, teams[1].pk, "5371"): (1, 1, 2, 0),
        (week, teams[1].pk, "5310"): (1, 1, 7, 0),
    }
    # Across teams the Kota Kupang institution counts once in its regency's week.
    assert by_regency_tallied(campaign) == {(week, "5371"): (3, 1), (week, "5310"): (1, 1)}
    assert_tallies_match(campaign)

    session_record(session=one, starts_at=TUESDAY + datetime.timedelta(days=7), team=teams[1])
    assert_tallies_match(campaign)
    assert by_team_tallied(campaign)[(week, teams[0].pk, "5371")] == (1, 1, 1, 1)
    session_record(session=one, status=GuidedSession.Status.CANCELLED, people_guided=0, people_completed=0)
    assert_tallies_match(campaign)
    assert (week + datetime.timedelta(days=7), teams[1].pk, "5371") not in by_team_tallied(campaign)


def test_an_institution_moved_to_another_regency_takes_its_sessions_along(campaign, teams, sikka):
    from campaign.institutions.services import institution_save

    institution = InstitutionFactory(region=teams[0].area)
    session_record(institution=institution, team=teams[0], starts_at=TUESDAY, status=HELD, people_guided=3)
    session_record(institution=institution, team=teams[0], starts_at=TUESDAY + datetime.timedelta(days=14))
    institution_save(institution=institution, region=sikka)
    assert_tallies_match(campaign)
    assert {t.regency for t in SessionWeekTally.objects.all()} == {"5310"}
    assert {t.regency for t in SessionTeamTally.objects.all()} == {"5310"}


def test_an_import_that_moves_an_institution_recounts_its_sessions(campaign, teams, sikka):
    from campaign.institutions.imports import institutions_import

    institution = InstitutionFactory(region=teams[0].area, external_id="X-1")
    session_record(institution=institution, team=teams[0], starts_at=TUESDAY, status=HELD, people_guided=3)
    content = (
        f"external_id,name,kind,region_code\nX-1,{institution.name},{institution.kind.name},5310\n"
    ).encode()
    result = institutions_import(content=content, filename="pindah.csv", source="test")
    assert result.written and result.updated == 1, result.errors
    assert_tallies_match(campaign)
    assert by_regency_tallied(campaign) == {(datetime.date(2020, 2, 24), "5310"): (1, 1)}


def test_a_team_moved_to_another_campaign_in_the_admin_takes_its_tallies(client, campaign, teams):
    other = CampaignFactory(name="Sensus Ekonomi 2026", is_active=False)
    CampaignExtension.objects.create(campaign=other, new_end=datetime.date(2020, 5, 29))
    session_record(
        institution=InstitutionFactory(), team=teams[0], starts_at=TUESDAY, status=HELD, people_guided=2
    )
    session_record(
        institution=InstitutionFactory(), team=teams[1], starts_at=TUESDAY, status=HELD, people_guided=5
    )
    client.force_login(UserFactory(is_superuser=True))
    url = reverse("wagtailsnippets_institutions_team:edit", args=[teams[0].pk])
    form = {
        "campaign": other.pk,
        "name": teams[0].name,
        "area": teams[0].area_id,
        "default_weekly_target": 10,
        "week_targets-TOTAL_FORMS": 0,
        "week_targets-INITIAL_FORMS": 0,
        "week_targets-MIN_NUM_FORMS": 0,
        "week_targets-MAX_NUM_FORMS": 1000,
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    for each in (campaign, other):
        assert_tallies_match(each)
    assert tallied(other) == {datetime.date(2020, 2, 24): (1, 1, 2, 0, 0)}
    assert tallied(campaign) == {datetime.date(2020, 2, 24): (1, 1, 5, 0, 0)}


def test_the_field_app_upload_and_an_rsvp_keep_the_tallies(campaign, teams):
    import uuid

    from campaign.fieldapp.services import session_upload
    from campaign.invitations.models import Recipient
    from campaign.invitations.services import rsvp_record
    from tests.factories import BatchFactory, ContactFactory, RecipientFactory

    member = teams[0].leader = UserFactory(username="ketua")
    teams[0].save()
    institution = InstitutionFactory(region=teams[0].area)
    random_data_week = TUESDAY + datetime.timedelta(days=7)
    session_record(institution=institution, team=teams[0], starts_at=random_data_week)  # planned
    session_upload(
        user=member,
        client_id=uuid.uuid4(),
        team=teams[0],
        institution_id=institution.pk,
        starts_at=random_data_week,
        status=HELD,
        people_guided=12,
        people_completed=6,
    )
    assert_tallies_match(campaign)
    assert by_team_tallied(campaign) == {(datetime.date(2020, 3, 2), teams[0].pk, "5371"): (1, 1, 12, 6)}

    invited = InstitutionFactory(region=teams[1].area)
    recipient = RecipientFactory(
        batch=BatchFactory(team=teams[1], proposed_at=TUESDAY),
        contact=ContactFactory(institution=invited),
        team=teams[1],
        proposed_at=TUESDAY,
    )
    now = datetime.datetime(2020, 2, 20, 9, tzinfo=WITA)
    rsvp_record(recipient=recipient, answer=Recipient.Answer.ACCEPT, now=now)
    assert tallied(campaign)[datetime.date(2020, 2, 24)][4] == 1  # one open session
    rsvp_record(recipient=recipient, answer=Recipient.Answer.DECLINE, now=now)
    assert_tallies_match(campaign)
    assert datetime.date(2020, 2, 24) not in tallied(campaign)


def test_the_data_migration_counts_existing_sessions(campaign, teams, sikka):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "campaign.institutions.migrations.0011_session_tallies_by_regency_and_team"
    )
    for n, region in enumerate([teams[0].area, sikka, teams[0].area]):
        session_record(
            institution=InstitutionFactory(region=region),
            team=teams[n % 2],
            starts_at=TUESDAY + datetime.timedelta(days=7 * n),
            status=HELD,
            people_guided=4,
            people_completed=n,
        )
    session_record(institution=InstitutionFactory(region=sikka), team=teams[0], starts_at=TUESDAY)
    SessionWeekTally.objects.all().delete()
    SessionTeamTally.objects.all().delete()
    migration.count_existing(apps, None)
    assert_tallies_match(campaign)
    assert tallied(campaign)[datetime.date(2020, 2, 24)] == (1, 1, 4, 0, 1)
