import datetime
import re
import subprocess

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.panels import get_edit_handler

from campaign.core.models import CampaignExtension
from campaign.core.services import DISSEMINATION_STAFF, FIELD_TEAM, HEAD_OF_SECTION, roles_sync
from campaign.institutions.completion import completion_report_record
from campaign.institutions.dashboard import current_week, dashboard_data, team_week_performance
from campaign.institutions.models import GuidedSession, Institution, Team, TeamWeekTarget, week_start
from campaign.institutions.pdf import weekly_report
from campaign.institutions.services import (
    NotYourTeam,
    assignments_create,
    institution_status_refresh,
    session_record,
    team_save,
)
from tests.factories import CampaignFactory, InstitutionFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db
WITA = datetime.timezone(datetime.timedelta(hours=8))
WEEK = datetime.date(2020, 2, 24)  # a Monday in the SP2020 online phase


@pytest.fixture
def campaign():
    campaign = CampaignFactory()
    CampaignExtension.objects.create(campaign=campaign, new_end=datetime.date(2020, 5, 29))
    return campaign


@pytest.fixture
def kupang():
    return RegionFactory(code="5371", name="Kota Kupang", parent=RegionFactory(code="53", name="NTT"))


@pytest.fixture
def teams(campaign, kupang):
    members = [UserFactory(username=f"anggota{n}") for n in range(2)]
    return [
        team_save(
            campaign=campaign,
            name=f"Tim {n + 1}",
            area=kupang,
            default_weekly_target=10 + n,
            members=[members[n]],
        )
        for n in range(2)
    ]


def held(institution, team, when, guided=20, completed=15):
    return session_record(
        institution=institution,
        team=team,
        starts_at=when,
        status=GuidedSession.Status.HELD,
        people_guided=guided,
        people_completed=completed,
    )


# --- Week arithmetic -------------------------------------------------------------------


def test_weeks_start_on_monday_and_follow_the_extension(campaign):
    weeks = campaign.weeks()
    assert weeks[0] == datetime.date(2020, 2, 10)  # 15 Feb 2020 was a Saturday
    assert all(week.weekday() == 0 for week in weeks)
    assert weeks[-1] == datetime.date(2020, 5, 25)  # the week of 29 May (extension)
    assert len(weeks) == 16
    assert week_start(datetime.date(2020, 3, 1)) == WEEK  # Sunday belongs to its Monday


def test_week_boundaries_are_counted_in_wita(campaign, teams):
    institutions = InstitutionFactory.create_batch(2)
    # Sunday 23:30 WITA is still the week of 24 Feb; it is 15:30 UTC.
    held(institutions[0], teams[0], datetime.datetime(2020, 3, 1, 23, 30, tzinfo=WITA))
    # Monday 00:30 WITA starts the next week, though it is still Sunday in UTC.
    held(institutions[1], teams[0], datetime.datetime(2020, 3, 2, 0, 30, tzinfo=WITA))

    first = dashboard_data(campaign=campaign, week=WEEK)
    second = dashboard_data(campaign=campaign, week=WEEK + datetime.timedelta(weeks=1))

    assert first.week_totals["held"] == 1 and second.week_totals["held"] == 1
    points = {p.week: p.held for p in first.series}
    assert points[WEEK] == 1 and points[WEEK + datetime.timedelta(weeks=1)] == 1


def test_week_overrides_change_only_their_week(campaign, teams):
    TeamWeekTarget.objects.create(team=teams[0], week=WEEK, target=4)
    this_week = dashboard_data(campaign=campaign, week=WEEK)
    next_week = dashboard_data(campaign=campaign, week=WEEK + datetime.timedelta(weeks=1))
    assert [r.target for r in this_week.teams] == [4, 11]
    assert [r.target for r in next_week.teams] == [10, 11]
    assert this_week.week_totals["target"] == 15


def test_current_week_is_clamped_to_the_campaign(campaign, teams):
    assert current_week(campaign, today=datetime.date(2020, 3, 4)) == datetime.date(2020, 3, 2)
    assert current_week(campaign, today=datetime.date(2019, 1, 1)) == datetime.date(2020, 2, 10)
    # After the campaign: the week of the latest held session.
    held(InstitutionFactory(), teams[0], datetime.datetime(2020, 3, 11, 10, tzinfo=WITA))
    assert current_week(campaign, today=datetime.date(2026, 11, 24)) == datetime.date(2020, 3, 9)


def test_weeks_ahead_or_behind(campaign, teams):
    # Three weeks in, with 21 institutions a week expected and 42 reached: one behind.
    for n in range(42):
        held(InstitutionFactory(), teams[n % 2], datetime.datetime(2020, 2, 17, 9, tzinfo=WITA))
    data = dashboard_data(campaign=campaign, week=WEEK)
    assert data.weeks_ahead == -1.0


# --- Plans and sessions ---------------------------------------------------------------


def test_assignments_skip_institutions_already_planned_that_week(campaign, teams):
    institutions = InstitutionFactory.create_batch(3)
    created, skipped = assignments_create(institutions=institutions[:2], team=teams[0], week=WEEK)
    created2, skipped2 = assignments_create(institutions=institutions, team=teams[1], week=WEEK)
    assert (len(created), len(skipped)) == (2, 0)
    assert (len(created2), len(skipped2)) == (1, 2)
    data = dashboard_data(campaign=campaign, week=WEEK)
    assert [r.planned for r in data.teams] == [2, 1]


@pytest.mark.parametrize("week", [datetime.date(2020, 2, 25), datetime.date(2020, 7, 6)])
def test_assignment_week_must_be_a_campaign_monday(campaign, teams, week):
    with pytest.raises(ValidationError):
        assignments_create(institutions=[InstitutionFactory()], team=teams[0], week=week)


def test_session_numbers_are_validated(teams):
    institution = InstitutionFactory()
    when = datetime.datetime(2020, 2, 25, 9, tzinfo=WITA)
    with pytest.raises(ValidationError):
        held(institution, teams[0], when, guided=5, completed=6)
    with pytest.raises(ValidationError):
        session_record(
            institution=institution,
            team=teams[0],
            starts_at=when,
            people_guided=3,
            status=GuidedSession.Status.PLANNED,
        )
    assert not GuidedSession.objects.exists()


def test_institution_status_follows_its_sessions(teams):
    institution = InstitutionFactory()
    when = datetime.datetime(2020, 2, 25, 9, tzinfo=WITA)
    planned = session_record(institution=institution, team=teams[0], starts_at=when)
    institution.refresh_from_db()
    assert institution.status == Institution.Status.SESSION_PLANNED

    session_record(session=planned, status=GuidedSession.Status.CANCELLED)
    institution.refresh_from_db()
    assert institution.status == Institution.Status.INVITED

    held(institution, teams[0], when + datetime.timedelta(days=7))
    institution.refresh_from_db()
    assert institution.status == Institution.Status.GUIDED

    Institution.objects.filter(pk=institution.pk).update(status=Institution.Status.COMPLETED_REPORTED)
    GuidedSession.objects.filter(institution=institution).delete()
    institution_status_refresh(institution_ids=[institution.pk])
    institution.refresh_from_db()
    assert institution.status == Institution.Status.COMPLETED_REPORTED  # never downgraded


def test_field_member_records_only_for_own_team(teams):
    member = teams[0].members.get()
    when = datetime.datetime(2020, 2, 25, 9, tzinfo=WITA)
    session_record(institution=InstitutionFactory(), team=teams[0], starts_at=when, user=member)
    with pytest.raises(NotYourTeam):
        session_record(institution=InstitutionFactory(), team=teams[1], starts_at=when, user=member)
    own = GuidedSession.objects.get()
    with pytest.raises(NotYourTeam):
        session_record(session=own, team=teams[1], user=member)  # cannot move it either
    own.refresh_from_db()
    assert own.team == teams[0]


# --- Dashboard, reports, permissions ----------------------------------------------------


def test_dashboard_numbers_add_up(campaign, teams):
    institutions = InstitutionFactory.create_batch(4)
    when = datetime.datetime(2020, 2, 25, 9, tzinfo=WITA)
    held(institutions[0], teams[0], when, 20, 15)
    held(institutions[1], teams[0], when, 10, 10)
    held(institutions[2], teams[1], when, 30, 12)
    session_record(institution=institutions[3], team=teams[1], starts_at=when)  # planned only
    campaign.official_online_count = 100_000
    campaign.save()
    # Two institutions report their staff's progress afterwards; the first twice.
    completion_report_record(institution=institutions[0], staff_completed=5, staff_total=50)
    completion_report_record(institution=institutions[0], staff_completed=40, staff_total=50)
    completion_report_record(institution=institutions[2], staff_completed=10, staff_total=30)

    data = dashboard_data(campaign=campaign, week=WEEK)

    assert [(r.held, r.guided, r.completed) for r in data.teams] == [(2, 30, 25), (1, 30, 12)]
    assert data.totals == {
        "reached": 3,
        "sessions": 3,
        "guided": 60,
        "completed": 37,
        "planned_open": 1,
        "staff_reporting": 2,
        "staff_done": 50,
        "staff_total": 80,
    }
    # The headline is the official count: the 37 people who completed the form in guided
    # sessions are already in it, shown as their own figure and share, never added.
    assert data.participation["province"] == 100_000 == data.participation["official"]
    assert data.participation["via_sessions"] == 37
    assert data.participation["via_sessions_share"] == 0.04
    assert data.participation["percent_of_goal"] == round(100 * 100_000 / 1_242_000, 1)
    assert data.participation["goal"] == 1_242_000
    reached = {row["kind"]: row["reached"] for row in data.by_kind}
    assert reached["Kantor Pemerintah"] == 3
    performance = [r for r in team_week_performance(campaign=campaign) if r["week"] == WEEK]
    assert [(r["team"], r["held"], r["completed"]) for r in performance] == [
        ("Tim 1", 2, 25),
        ("Tim 2", 1, 12),
    ]


def test_a_follow_up_visit_counts_the_institution_once(campaign, teams):
    institution = InstitutionFactory()
    held(institution, teams[0], datetime.datetime(2020, 2, 25, 9, tzinfo=WITA), 20, 5)
    held(institution, teams[0], datetime.datetime(2020, 2, 27, 9, tzinfo=WITA), 12, 10)

    data = dashboard_data(campaign=campaign, week=WEEK)

    assert [(r.held, r.guided, r.completed) for r in data.teams] == [(1, 32, 15), (0, 0, 0)]
    assert (data.totals["reached"], data.totals["sessions"]) == (1, 2)
    assert next(p for p in data.series if p.week == WEEK).held == 1


def test_session_week_follows_its_date_in_wita(teams):
    institution = InstitutionFactory()
    # Sunday 23:30 WITA is Sunday 15:30 UTC: still the week that began on 17 February.
    session = held(institution, teams[0], datetime.datetime(2020, 2, 23, 15, 30, tzinfo=datetime.UTC))
    assert session.week == datetime.date(2020, 2, 17)
    session.starts_at = datetime.datetime(2020, 2, 23, 16, 30, tzinfo=datetime.UTC)  # Monday 00:30 WITA
    session.save()
    session.refresh_from_db()
    assert session.week == WEEK


def test_dashboard_counts_guide_qr_scans_in_wita_weeks(campaign, teams):
    from campaign.materials.models import Scan

    for when in [
        datetime.datetime(2020, 2, 24, 0, 30, tzinfo=WITA),  # Monday of WEEK, just after midnight
        datetime.datetime(2020, 3, 1, 23, 30, tzinfo=WITA),  # Sunday of WEEK
        datetime.datetime(2020, 2, 23, 23, 30, tzinfo=WITA),  # the week before
        datetime.datetime(2020, 2, 10, 9, tzinfo=WITA),  # before the online phase
    ]:
        Scan.objects.create(scanned_at=when, material=Scan.Material.POSTER)

    assert dashboard_data(campaign=campaign, week=WEEK).scans == {"week": 2, "campaign": 3}


def _grow(teams, n):
    when = datetime.datetime(2020, 2, 25, 9, tzinfo=WITA)
    for index in range(n):
        held(InstitutionFactory(), teams[index % 2], when + datetime.timedelta(days=index % 20))


@pytest.mark.parametrize(
    "url",
    [
        reverse("institutions_dashboard"),
        reverse("institutions_report_sessions"),
        reverse("institutions_report_not_reached"),
        reverse("institutions_report_team_performance"),
        reverse("institutions_planning") + "?district=5371",
    ],
)
def test_dashboard_and_reports_use_constant_queries(client, campaign, teams, url, django_assert_num_queries):
    client.force_login(UserFactory(is_superuser=True))
    _grow(teams, 3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(teams, 30)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_weekly_pdf_is_indonesian_and_escapes_team_names(client, campaign, teams, tmp_path):
    teams[0].name = 'R&D <Unit> <a href="x">'
    teams[0].save()
    institution = InstitutionFactory()
    held(institution, teams[0], datetime.datetime(2020, 2, 25, 9, tzinfo=WITA))
    completion_report_record(institution=institution, staff_completed=1200, staff_total=1500)
    client.force_login(UserFactory(is_superuser=True))

    response = client.get(reverse("institutions_weekly_report") + "?week=2020-02-24")

    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Laporan kemajuan mingguan" in text
    assert "24 Februari 2020" in text
    assert 'R&D <Unit> <a href="x">' in text
    assert re.search(r"Pegawai selesai \(dilaporkan\)\s+1\.200 / 1\.500 \(80%\)", text)
    assert b"/URI" not in response.content


def test_weekly_report_function_returns_a_pdf(campaign, teams):
    pdf = weekly_report(dashboard_data(campaign=campaign, week=WEEK))
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


MATRIX = [
    # role, view, own?, expected status
    (None, "dashboard", None, 302),
    (FIELD_TEAM, "dashboard", None, 200),
    (FIELD_TEAM, "planning", None, 200),
    (FIELD_TEAM, "report_sessions", None, 200),
    (FIELD_TEAM, "session_list", None, 200),
    (FIELD_TEAM, "session_edit", True, 200),
    (FIELD_TEAM, "session_edit", False, 404),
    (FIELD_TEAM, "session_delete", False, 404),
    (FIELD_TEAM, "team_edit", True, 302),
    (DISSEMINATION_STAFF, "dashboard", None, 200),
    (DISSEMINATION_STAFF, "session_edit", False, 200),
    (DISSEMINATION_STAFF, "team_edit", True, 200),
    (HEAD_OF_SECTION, "report_team", None, 200),
    (HEAD_OF_SECTION, "report_not_reached", None, 200),
]


@pytest.mark.parametrize(("role", "view", "own", "expected"), MATRIX)
def test_permission_matrix(client, campaign, teams, role, view, own, expected):
    groups = roles_sync()
    member = teams[0].members.get()
    when = datetime.datetime(2020, 2, 25, 9, tzinfo=WITA)
    mine = session_record(institution=InstitutionFactory(), team=teams[0], starts_at=when)
    theirs = session_record(institution=InstitutionFactory(), team=teams[1], starts_at=when)
    if role == FIELD_TEAM:
        member.groups.set([groups[FIELD_TEAM]])
        client.force_login(member)
    elif role:
        client.force_login(UserFactory(groups=[groups[role]]))
    session = mine if own else theirs
    urls = {
        "dashboard": reverse("institutions_dashboard"),
        "planning": reverse("institutions_planning"),
        "report_sessions": reverse("institutions_report_sessions"),
        "report_team": reverse("institutions_report_team_performance"),
        "report_not_reached": reverse("institutions_report_not_reached"),
        "session_list": reverse("wagtailsnippets_institutions_guidedsession:list"),
        "session_edit": reverse("wagtailsnippets_institutions_guidedsession:edit", args=[session.pk]),
        "session_delete": reverse("wagtailsnippets_institutions_guidedsession:delete", args=[session.pk]),
        "team_edit": reverse("wagtailsnippets_institutions_team:edit", args=[teams[0].pk]),
    }
    assert client.get(urls[view]).status_code == expected


def test_field_member_sees_only_own_sessions_and_cannot_edit_others(client, campaign, teams):
    groups = roles_sync()
    member = teams[0].members.get()
    member.groups.set([groups[FIELD_TEAM]])
    client.force_login(member)
    when = datetime.datetime(2020, 2, 25, 9, tzinfo=WITA)
    mine = session_record(institution=InstitutionFactory(name="Kantor Saya"), team=teams[0], starts_at=when)
    theirs = session_record(institution=InstitutionFactory(name="Kantor Lain"), team=teams[1], starts_at=when)

    listing = client.get(reverse("wagtailsnippets_institutions_guidedsession:list")).content.decode()
    assert "Kantor Saya" in listing and "Kantor Lain" not in listing
    response = client.post(
        reverse("wagtailsnippets_institutions_guidedsession:edit", args=[theirs.pk]),
        {
            "institution": theirs.institution_id,
            "team": teams[1].pk,
            "status": "cancelled",
            "starts_at": "2020-02-25 09:00",
            "people_guided": 0,
            "people_completed": 0,
        },
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == GuidedSession.Status.PLANNED
    # Editing their own session to another team is refused by the form.
    response = client.post(
        reverse("wagtailsnippets_institutions_guidedsession:edit", args=[mine.pk]),
        {
            "institution": mine.institution_id,
            "team": teams[1].pk,
            "status": "planned",
            "starts_at": "2020-02-25 09:00",
            "people_guided": 0,
            "people_completed": 0,
        },
    )
    mine.refresh_from_db()
    assert mine.team == teams[0]
    assert timezone.is_aware(mine.starts_at)


def test_planning_assigns_ticked_institutions(client, campaign, teams, kupang):
    client.force_login(UserFactory(is_superuser=True))
    campaign.area.set([kupang])
    district = RegionFactory(code="5371030", name="Oebobo", parent=kupang)
    institutions = InstitutionFactory.create_batch(3, region=district)
    url = reverse("institutions_planning") + "?week=2020-02-24&district=5371030"
    page = client.get(url).content.decode()
    assert all(i.name in page for i in institutions)

    client.post(url, {"team": teams[1].pk, "institutions": [i.pk for i in institutions[:2]]})

    data = dashboard_data(campaign=campaign, week=WEEK)
    assert [r.planned for r in data.teams] == [0, 2]
    page = client.get(url).content.decode()
    assert institutions[2].name in page and institutions[0].name not in page


def test_sessions_report_exports_csv_with_formulas_escaped(client, campaign, teams):
    when = datetime.datetime(2020, 2, 25, 9, tzinfo=WITA)
    session = held(InstitutionFactory(name="=cmd|' /C calc'!A0"), teams[0], when)
    session.notes = "@SUM(1+1)"
    session.save()
    client.force_login(UserFactory(is_superuser=True))
    response = client.get(reverse("institutions_report_sessions") + "?export=csv")
    body = b"".join(response.streaming_content).decode()
    assert "'=cmd|' /C calc'!A0" in body and "'@SUM(1+1)" in body


def test_weekly_pdf_and_dashboard_scale_to_a_province_of_teams(client, campaign, kupang):
    teams = [team_save(campaign=campaign, name=f"Tim {n:03d}", area=kupang) for n in range(60)]
    held(InstitutionFactory(), teams[5], datetime.datetime(2020, 2, 25, 9, tzinfo=WITA))
    data = dashboard_data(campaign=campaign, week=WEEK)
    assert data.chart_is_partial and len(data.chart_teams) == 20
    assert teams[5] not in [row.team for row in data.chart_teams]  # the one on track is left out
    pdf = weekly_report(data)
    assert pdf.startswith(b"%PDF")
    client.force_login(UserFactory(is_superuser=True))
    html = client.get(reverse("institutions_dashboard") + "?week=2020-02-24").content.decode()
    assert html.count("<tr") >= 61  # every team in the table


def test_team_form_offers_only_field_team_users(campaign):
    member = UserFactory(username="anggota")
    member.groups.add(Group.objects.get(name=FIELD_TEAM))
    UserFactory(username="redaksi")  # staff, not in the field team group

    form_class = get_edit_handler(Team).get_form_class()
    offered = {user.username for user in form_class().fields["members"].queryset}

    assert offered == {"anggota"}


@pytest.mark.parametrize(
    "when",
    [
        datetime.datetime(2020, 2, 14, 23, 0, tzinfo=WITA),  # the day before the online phase
        datetime.datetime(2020, 5, 30, 8, 0, tzinfo=WITA),  # the day after the extended end
        datetime.datetime(2026, 12, 3, 9, 0, tzinfo=WITA),  # "today" in another year
    ],
)
def test_a_session_outside_the_campaign_period_is_refused(campaign, teams, when):
    with pytest.raises(ValidationError) as error:
        held(InstitutionFactory(), teams[0], when)
    assert error.value.error_dict["starts_at"][0].code == "outside_campaign"
    assert not GuidedSession.objects.exists()


def test_the_last_day_of_the_extension_is_inside(campaign, teams):
    session = held(InstitutionFactory(), teams[0], datetime.datetime(2020, 5, 29, 23, 0, tzinfo=WITA))
    assert session.pk


def test_the_admin_session_form_refuses_a_date_outside_the_campaign(client, campaign, teams):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.org", "x"))
    institution = InstitutionFactory()
    response = client.post(
        "/admin/snippets/institutions/guidedsession/add/",
        {
            "institution": institution.pk,
            "team": teams[0].pk,
            "starts_at": "2026-12-03 09:00",
            "status": "planned",
            "people_guided": 0,
            "people_completed": 0,
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert "di luar masa kampanye" in response.content.decode()
    assert not GuidedSession.objects.exists()


# --- The admin saves through the services (issue 18) -----------------------------------


def _session_form(institution, team, **overrides):
    return {
        "institution": institution.pk,
        "team": team.pk,
        "starts_at": "2020-02-25 09:00",
        "status": "planned",
        "people_guided": 0,
        "people_completed": 0,
        "notes": "",
        **overrides,
    }


def test_admin_session_add_and_edit_refresh_the_institution_status(client, campaign, teams):
    """The side effects of ``session_record`` run for the admin's forms: the institution's
    status follows its sessions, the recorder and the log entry are kept."""
    from wagtail.models import ModelLogEntry

    staff = UserFactory(groups=[roles_sync()[DISSEMINATION_STAFF]])
    client.force_login(staff)
    institution = InstitutionFactory(name="Dinas Kominfo")
    response = client.post(
        reverse("wagtailsnippets_institutions_guidedsession:add"), _session_form(institution, teams[0])
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    session = GuidedSession.objects.get()
    institution.refresh_from_db()
    assert institution.status == Institution.Status.SESSION_PLANNED
    assert session.recorded_by == staff

    response = client.post(
        reverse("wagtailsnippets_institutions_guidedsession:edit", args=[session.pk]),
        _session_form(institution, teams[0], status="held", people_guided=12, people_completed=9),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    institution.refresh_from_db()
    assert institution.status == Institution.Status.GUIDED
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(session.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    # One entry per save: the service's, not a second one from Wagtail's own save action.
    assert actions == ["wagtail.create", "wagtail.edit"]


def test_admin_session_validation_is_the_services(client, campaign, teams):
    """The model rules ``session_record`` runs (full_clean) refuse on the admin form too,
    and nothing is written, not even the institution's status."""
    client.force_login(UserFactory(is_superuser=True))
    institution = InstitutionFactory()
    response = client.post(
        reverse("wagtailsnippets_institutions_guidedsession:add"),
        _session_form(institution, teams[0], status="planned", people_guided=5),
    )
    assert response.status_code == 200
    assert "Hanya sesi yang terlaksana yang memiliki orang didampingi." in response.content.decode()
    assert not GuidedSession.objects.exists()
    institution.refresh_from_db()
    assert institution.status == Institution.Status.NOT_CONTACTED


def test_admin_visit_plan_follows_the_campaign_weeks_and_records_its_author(client, campaign, teams):
    """A visit plan typed in the admin obeys ``assignments_create``'s week rule (inside the
    online phase) and remembers who made it."""
    from campaign.institutions.models import Assignment

    staff = UserFactory(groups=[roles_sync()[DISSEMINATION_STAFF]])
    client.force_login(staff)
    institution = InstitutionFactory()
    url = reverse("wagtailsnippets_institutions_assignment:add")
    form = {"institution": institution.pk, "team": teams[0].pk, "week": "2026-11-30", "planned_date": ""}
    response = client.post(url, form)
    assert response.status_code == 200
    assert not Assignment.objects.exists()
    assert "Minggu tersebut di luar tahap online kampanye." in response.content.decode()

    response = client.post(url, {**form, "week": WEEK.isoformat()})
    assert response.status_code == 302, response.content.decode()[:3000]
    assignment = Assignment.objects.get()
    assert (assignment.week, assignment.team, assignment.created_by) == (WEEK, teams[0], staff)


def test_admin_rakorcam_keeps_the_team_rule_of_the_service(client, campaign, teams, kupang):
    """A field member records a Rakorcam for their own team through the admin; the
    service refuses naming another team even when the form is bypassed."""
    from campaign.institutions.models import CoordinationMeeting
    from campaign.institutions.services import coordination_meeting_save

    groups = roles_sync()
    member = teams[0].members.get()
    member.groups.set([groups[FIELD_TEAM]])
    client.force_login(member)
    district = RegionFactory(code="5371030", name="Oebobo", parent=kupang, level="district")
    form = {
        "campaign": campaign.pk,
        "district": district.pk,
        "date": "2020-02-26",
        "teams": [teams[0].pk],
        "attendees": 30,
        "notes": "",
        "commitments-TOTAL_FORMS": 0,
        "commitments-INITIAL_FORMS": 0,
        "commitments-MIN_NUM_FORMS": 0,
        "commitments-MAX_NUM_FORMS": 1000,
    }
    response = client.post(reverse("wagtailsnippets_institutions_coordinationmeeting:add"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting = CoordinationMeeting.objects.get()
    assert list(meeting.teams.all()) == [teams[0]]

    with pytest.raises(NotYourTeam):
        coordination_meeting_save(meeting=meeting, teams=[teams[0], teams[1]], user=member)
    assert list(meeting.teams.through.objects.values_list("team_id", flat=True)) == [teams[0].pk]
