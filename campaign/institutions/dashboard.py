"""Read side of the progress dashboard and the reports: a fixed number of aggregate
queries, whatever the number of institutions and sessions."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Assignment, GuidedSession, Institution, InstitutionKind, Team, week_start

HELD = GuidedSession.Status.HELD


@dataclass
class TeamWeek:
    team: Team
    target: int
    planned: int = 0
    held: int = 0
    guided: int = 0
    completed: int = 0
    mine: bool = False

    @property
    def to_plan(self):
        return max(self.target - self.planned, 0)

    @property
    def percent(self):
        return round(100 * self.held / self.target) if self.target else 0


CHART_TEAMS = 20


@dataclass
class WeekPoint:
    week: datetime.date
    target: int
    held: int = 0
    completed: int = 0


@dataclass
class Dashboard:
    campaign: object
    week: datetime.date
    weeks: list
    teams: list
    week_totals: dict
    totals: dict
    by_kind: list
    by_district: list
    series: list = field(default_factory=list)
    participation: dict = field(default_factory=dict)
    weeks_ahead: float = 0.0

    @property
    def chart_teams(self):
        """The teams a chart can show legibly: all of them, or the ones furthest behind."""
        if len(self.teams) <= CHART_TEAMS:
            return self.teams
        return sorted(self.teams, key=lambda row: (row.percent, row.team.name))[:CHART_TEAMS]

    @property
    def chart_is_partial(self):
        return len(self.teams) > CHART_TEAMS


def current_week(campaign, today=None) -> datetime.date:
    """This week's Monday (WITA), kept inside the campaign's weeks. After the campaign,
    the week of its latest guided session (the last week worth looking at)."""
    weeks = campaign.weeks()
    today = today or timezone.localdate()
    week = week_start(today)
    if week > weeks[-1]:
        latest = (
            GuidedSession.objects.filter(team__campaign=campaign, status=HELD)
            .order_by("-starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
        if latest is not None:
            week = week_start(timezone.localtime(latest).date())
    return min(max(week, weeks[0]), weeks[-1])


def week_target(team, week, overrides) -> int:
    return overrides.get((team.pk, week), team.default_weekly_target)


def _week_bounds(week):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(week, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=7)


def dashboard_data(*, campaign, week=None, user=None, district_limit=12) -> Dashboard:
    weeks = campaign.weeks()
    week = week if week in weeks else current_week(campaign)
    teams = list(Team.objects.filter(campaign=campaign).prefetch_related("week_targets").order_by("name"))
    overrides = {(t.team_id, t.week): t.target for team in teams for t in team.week_targets.all()}
    my_team_ids = set(teams_of(user).values_list("pk", flat=True)) if user is not None else set()
    rows = {
        team.pk: TeamWeek(team=team, target=week_target(team, week, overrides), mine=team.pk in my_team_ids)
        for team in teams
    }

    for row in (
        Assignment.objects.filter(team__campaign=campaign, week=week)
        .values("team_id")
        .annotate(n=Count("pk"))
    ):
        rows[row["team_id"]].planned = row["n"]

    start, end = _week_bounds(week)
    sessions = GuidedSession.objects.filter(team__campaign=campaign)
    for row in (
        sessions.filter(status=HELD, starts_at__gte=start, starts_at__lt=end)
        .values("team_id")
        .annotate(
            held=Count("institution_id", distinct=True),
            guided=Sum("people_guided"),
            completed=Sum("people_completed"),
        )
    ):
        team_row = rows[row["team_id"]]
        team_row.held, team_row.guided, team_row.completed = (
            row["held"],
            row["guided"] or 0,
            row["completed"] or 0,
        )

    team_rows = sorted(rows.values(), key=lambda r: (not r.mine, r.team.name))
    week_totals = {
        "target": sum(r.target for r in team_rows),
        "planned": sum(r.planned for r in team_rows),
        "held": sum(r.held for r in team_rows),
        "guided": sum(r.guided for r in team_rows),
        "completed": sum(r.completed for r in team_rows),
    }

    held_sessions = sessions.filter(status=HELD)
    totals = held_sessions.aggregate(
        reached=Count("institution_id", distinct=True),
        sessions=Count("pk"),
        guided=Sum("people_guided"),
        completed=Sum("people_completed"),
    )
    totals = {key: value or 0 for key, value in totals.items()}
    totals["planned_open"] = sessions.filter(
        status__in=[GuidedSession.Status.PLANNED, GuidedSession.Status.RESCHEDULED]
    ).count()

    kinds = {kind.pk: kind.name for kind in InstitutionKind.objects.all()}
    all_by_kind = dict(
        Institution.objects.values("kind_id").annotate(n=Count("pk")).values_list("kind_id", "n")
    )
    reached_by_kind = dict(
        held_sessions.values("institution__kind_id")
        .annotate(n=Count("institution_id", distinct=True))
        .values_list("institution__kind_id", "n")
    )
    by_kind = [
        {"kind": name, "reached": reached_by_kind.get(pk, 0), "total": all_by_kind.get(pk, 0)}
        for pk, name in kinds.items()
    ]
    by_district = list(
        held_sessions.values("institution__region__code", "institution__region__name")
        .annotate(reached=Count("institution_id", distinct=True), completed=Sum("people_completed"))
        .order_by("-reached", "institution__region__code")[:district_limit]
    )

    # One query for every week: held sessions per local day, folded into weeks here.
    per_day = (
        held_sessions.annotate(day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(held=Count("pk"), completed=Sum("people_completed"))
    )
    series = {w: WeekPoint(week=w, target=sum(week_target(t, w, overrides) for t in teams)) for w in weeks}
    for row in per_day:
        point = series.get(week_start(row["day"]))
        if point:
            point.held += row["held"]
            point.completed += row["completed"] or 0
    series = list(series.values())

    done_weeks = [p for p in series if p.week <= week]
    cumulative_target = sum(p.target for p in done_weeks)
    cumulative_held = sum(p.held for p in done_weeks)
    weekly = week_totals["target"] or 1
    weeks_ahead = round((cumulative_held - cumulative_target) / weekly, 1)

    official = campaign.official_online_count or 0
    estimated = totals["completed"] + official
    goal = campaign.goal_people or 1
    participation = {
        "via_sessions": totals["completed"],
        "official": campaign.official_online_count,
        "official_date": campaign.official_count_date,
        "estimated": estimated,
        "goal": campaign.goal_people,
        "percent_of_goal": round(100 * estimated / goal, 1),
        "percent_of_population": round(100 * estimated / (campaign.population_base or 1), 2),
    }
    return Dashboard(
        campaign=campaign,
        week=week,
        weeks=weeks,
        teams=team_rows,
        week_totals=week_totals,
        totals=totals,
        by_kind=by_kind,
        by_district=by_district,
        series=series,
        participation=participation,
        weeks_ahead=weeks_ahead,
    )


def team_week_performance(*, campaign):
    """One row per team and campaign week: target, planned, held, guided, completed."""
    teams = list(Team.objects.filter(campaign=campaign).prefetch_related("week_targets"))
    overrides = {(t.team_id, t.week): t.target for team in teams for t in team.week_targets.all()}
    planned = {
        (row["team_id"], row["week"]): row["n"]
        for row in Assignment.objects.filter(team__campaign=campaign)
        .values("team_id", "week")
        .annotate(n=Count("pk"))
    }
    held = {}
    for row in (
        GuidedSession.objects.filter(team__campaign=campaign, status=HELD)
        .annotate(day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("team_id", "day")
        .annotate(n=Count("pk"), guided=Sum("people_guided"), completed=Sum("people_completed"))
    ):
        key = (row["team_id"], week_start(row["day"]))
        total = held.setdefault(key, [0, 0, 0])
        total[0] += row["n"]
        total[1] += row["guided"] or 0
        total[2] += row["completed"] or 0
    rows = []
    for week in campaign.weeks():
        for team in sorted(teams, key=lambda t: t.name):
            n, guided, completed = held.get((team.pk, week), (0, 0, 0))
            rows.append(
                {
                    "week": week,
                    "team": team.name,
                    "target": week_target(team, week, overrides),
                    "planned": planned.get((team.pk, week), 0),
                    "held": n,
                    "guided": guided,
                    "completed": completed,
                }
            )
    return rows


def institutions_not_reached(*, campaign=None):
    """Institutions with no held session yet (optionally only in a campaign's teams)."""
    held = GuidedSession.objects.filter(status=HELD)
    if campaign is not None:
        held = held.filter(team__campaign=campaign)
    return (
        Institution.objects.exclude(pk__in=held.values("institution_id"))
        .select_related("kind", "region")
        .order_by("region__code", "name")
    )


def sessions_visible_to(user):
    """Guided sessions a user may see: all for staff, their teams' for field members."""
    from .services import user_sees_all_teams

    sessions = GuidedSession.objects.select_related("institution", "team")
    if user_sees_all_teams(user):
        return sessions
    return sessions.filter(Q(team__members=user) | Q(team__leader=user)).distinct()


def teams_of(user):
    return Team.objects.filter(Q(members=user) | Q(leader=user)).distinct()
