"""Read side of the progress dashboard and the reports: a fixed number of aggregate
queries, whatever the number of institutions and sessions."""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    Max,
    OuterRef,
    Q,
    StringAgg,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat, Substr
from django.utils import timezone

from campaign.core.models import Office, Region
from campaign.core.offices import area_codes, area_region_ids, office_of

from .models import (
    Assignment,
    GuidedSession,
    Institution,
    InstitutionCampaignStatus,
    InstitutionKind,
    SessionTeamTally,
    SessionWeekTally,
    Team,
    TeamWeekTarget,
    week_start,
)
from .policies import policy_for, teams_of  # noqa: F401  (teams_of re-exported)

HELD = GuidedSession.Status.HELD
REACHED = [Institution.Status.GUIDED, Institution.Status.COMPLETED_REPORTED]


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
    scans: dict = field(default_factory=dict)
    areas: object = None  # campaign.response.selectors.AreaSection
    uplift: object = None  # campaign.response.selectors.Uplift (weekly PDF only)
    area_map: object = None  # campaign.response.maps.AreaMap (weekly PDF only)
    offices: list = field(default_factory=list)  # the province's figures by office
    area_limited: bool = False  # a regency office's dashboard: its area only

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
        latest = GuidedSession.objects.filter(
            team_id__in=Team.objects.filter(campaign=campaign).values("pk"), status=HELD
        ).aggregate(latest=Max("week"))["latest"]
        if latest is not None:
            week = latest
    return min(max(week, weeks[0]), weeks[-1])


def week_target(team, week, overrides) -> int:
    return overrides.get((team.pk, week), team.default_weekly_target)


@dataclass
class _Tally:
    week: datetime.date
    held_sessions: int = 0
    institutions_held: int = 0
    people_guided: int = 0
    people_completed: int = 0
    open_sessions: int = 0


def area_tallies(sessions):
    """The weekly tallies (as ``SessionWeekTally`` keeps them for the whole campaign) of
    ``sessions``, for a dashboard limited to an office's area."""
    tallies = {}
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
        tally = tallies.setdefault(row["week"], _Tally(week=row["week"]))
        tally.held_sessions, tally.institutions_held = row["n"], row["institutions"]
        tally.people_guided, tally.people_completed = row["guided"] or 0, row["completed"] or 0
    open_statuses = [GuidedSession.Status.PLANNED, GuidedSession.Status.RESCHEDULED]
    for row in sessions.filter(status__in=open_statuses).values("week").annotate(n=Count("pk")):
        tallies.setdefault(row["week"], _Tally(week=row["week"])).open_sessions = row["n"]
    return list(tallies.values())


@dataclass
class OfficeRow:
    office: Office
    teams: int = 0
    target: int = 0
    held: int = 0
    completed: int = 0
    institutions: int = 0
    reached: int = 0

    @property
    def percent_reached(self):
        return round(100 * self.reached / self.institutions) if self.institutions else 0


def _area_regencies(area_user):
    """The regency codes (or wider: the province's) of ``area_user``'s office area, by
    which the tallies are filtered, or False when the area is drawn finer (districts):
    the tallies are kept by regency."""
    codes = area_codes(office_of(area_user))
    return False if any(len(code) > 4 for code in codes) else codes


def _in_regencies(tallies, regencies):
    """Tally rows of the regencies under ``regencies`` (codes; None: every row)."""
    if regencies is None:
        return tallies
    scope = Q(pk__in=[])
    for code in regencies:
        scope |= Q(regency__startswith=code)
    return tallies.filter(scope)


def _tallies(campaign, week, team_ids, regencies):
    """One read of both tallies (UNION ALL of three sums): this week's by team and by
    regency, and every week's (over the regencies): ({team id: (held sessions,
    institutions, guided, completed)}, {regency: held sessions}, [_Tally by week])."""
    team_week = _in_regencies(
        SessionTeamTally.objects.filter(campaign=campaign, week=week, team_id__in=team_ids), regencies
    )
    # Typed NULLs: PostgreSQL matches a UNION's columns by type, branch by branch.
    no_team, no_regency = Cast(Value(None), BigIntegerField()), Value("")
    no_day = Cast(Value(None), DateField())
    sums = {
        "n": Sum("held_sessions"),
        "held": Sum("institutions_held"),
        "guided": Sum("people_guided"),
        "completed": Sum("people_completed"),
    }
    columns = ["team_ref", "regency_ref", "day", "n", "held", "guided", "completed", "open"]
    by_team = team_week.values("team_id").annotate(
        team_ref=F("team_id"), regency_ref=no_regency, day=no_day, **sums, open=Value(0)
    )
    by_regency = team_week.values("regency").annotate(
        team_ref=no_team, regency_ref=F("regency"), day=no_day, **sums, open=Value(0)
    )
    by_week = (
        _in_regencies(SessionWeekTally.objects.filter(campaign=campaign), regencies)
        .values("week")
        .annotate(team_ref=no_team, regency_ref=no_regency, day=F("week"), **sums, open=Sum("open_sessions"))
    )
    teams, sessions_by_regency, tallies = {}, {}, []
    rows = (
        by_team.values_list(*columns)
        .order_by()
        .union(
            by_regency.values_list(*columns).order_by(), by_week.values_list(*columns).order_by(), all=True
        )
    )
    for team_id, regency, day, n, held, guided, completed, open_sessions in rows:
        if team_id is not None:
            teams[team_id] = (n, held, guided, completed)
        elif day is not None:
            tallies.append(_Tally(day, n, held, guided, completed, open_sessions))
        else:
            sessions_by_regency[regency] = n
    return teams, sessions_by_regency, tallies


def office_rows(*, team_rows, counted, regions) -> list[OfficeRow]:
    """The province's figures rolled up by regency office: its teams (by the team's area)
    and this week's work, its institutions and how many are reached (by their region).
    One query (the offices' areas); the rest is what the dashboard counted."""
    by_code, rows = {}, {}
    for office_id, name, code, region_code in Office.area.through.objects.filter(
        office__parent__isnull=False
    ).values_list("office_id", "office__name", "office__code", "region__code"):
        if office_id not in rows:
            rows[office_id] = OfficeRow(office=Office(pk=office_id, name=name, code=code))
        by_code[region_code] = rows[office_id]
    lengths = sorted({len(code) for code in by_code}, reverse=True)

    def row_for(code):
        for length in lengths:
            found = by_code.get(code[:length])
            if found is not None:
                return found
        return None

    for team_row in team_rows:
        found = row_for(team_row.team.area.code)
        if found is not None:
            found.teams += 1
            found.target += team_row.target
            found.held += team_row.held
            found.completed += team_row.completed
    by_region = {}
    for region_id, _kind_id, status, n in counted:
        region = by_region.setdefault(region_id, [0, 0])
        region[0] += n
        region[1] += n if status in REACHED else 0
    for region_id, (total, reached) in by_region.items():
        found = row_for(regions[region_id][0])
        if found is not None:
            found.institutions += total
            found.reached += reached
    return sorted(rows.values(), key=lambda row: row.office.code)


def _planned(week):
    """A team's visit plans of ``week``, counted in the teams' query (a subquery on the
    (week, team) index; NULL for none)."""
    plans = Assignment.objects.filter(team_id=OuterRef("pk"), week=week).order_by()
    return Subquery(plans.values("team_id").annotate(n=Count("pk")).values("n"))


def _overrides():
    """A team's targets for particular weeks ("2020-03-02=12,…"), in the teams' query
    rather than a prefetch: every week's target feeds the weekly chart."""
    pair = Concat(Cast("week", CharField()), Value("="), Cast("target", CharField()))
    targets = TeamWeekTarget.objects.filter(team_id=OuterRef("pk")).order_by()
    return Subquery(targets.values("team_id").annotate(pairs=StringAgg(pair, Value(","))).values("pairs"))


def _mine(user):
    """Whether a team is ``user``'s (the team rule, ``team_member_q``), in the teams' query."""
    if not getattr(user, "is_authenticated", False):
        return Value(False)
    members = Team.members.through.objects.filter(team_id=OuterRef("pk"), user_id=user.pk)
    return ExpressionWrapper(Q(leader_id=user.pk) | Exists(members), output_field=BooleanField())


def dashboard_data(*, campaign, week=None, user=None, area_user=None, district_limit=12) -> Dashboard:
    """The dashboard's figures; ``user`` marks their own teams first, ``area_user`` limits
    every figure to their office's area (a regency office) through the permission
    policies' area rule; the province (or no ``area_user``) sees every office's rows and
    a table by office."""
    weeks = campaign.weeks()
    week = week if week in weeks else current_week(campaign)
    area_limited = area_user is not None and area_region_ids(area_user) is not None
    teams = list(
        policy_for(Team)
        .in_area(area_user, Team.objects.filter(campaign=campaign))
        .select_related("area")
        .annotate(mine=_mine(user), planned=_planned(week), overrides=_overrides())
        .order_by("name")
    )
    overrides = {}
    for team in teams:
        for pair in (team.overrides or "").split(","):
            if pair:
                day, target = pair.split("=")
                overrides[(team.pk, datetime.date.fromisoformat(day))] = int(target)
    rows = {
        team.pk: TeamWeek(
            team=team, target=week_target(team, week, overrides), planned=team.planned or 0, mine=team.mine
        )
        for team in teams
    }

    # This week's held sessions by team and by the institutions' regency, and every
    # week's totals, come from the tallies the session services keep (a few hundred
    # rows), not from the sessions: the week's sessions joined to their institutions'
    # regions, and a week's distinct institutions over 200,000 sessions, were the
    # dashboard's costliest reads. An office whose area is drawn by district (not
    # whole regencies) counts its sessions instead.
    regencies = _area_regencies(area_user) if area_limited else None
    sessions = None
    sessions_by_regency = {}
    if regencies is False:
        sessions = policy_for(GuidedSession).in_area(
            area_user, GuidedSession.objects.filter(team_id__in=list(rows))
        )
        week_rows = (
            sessions.filter(status=HELD, week=week)
            .annotate(regency=Substr("institution__region__code", 1, 4))
            .values_list("team_id", "regency")
            .annotate(
                n=Count("pk"),
                held=Count("institution_id", distinct=True),
                guided=Sum("people_guided"),
                completed=Sum("people_completed"),
            )
            .order_by()
        )
        tallies = area_tallies(sessions) if teams else ()
    elif rows:
        by_team, sessions_by_regency, tallies = _tallies(campaign, week, list(rows), regencies)
        week_rows = ((team_id, None, *sums) for team_id, sums in by_team.items())
    else:
        week_rows, tallies = (), ()
    # An institution lies in one regency, so a team's distinct institutions add up.
    for team_id, regency, n, held, guided, completed in week_rows:
        team_row = rows[team_id]
        team_row.held += held
        team_row.guided += guided or 0
        team_row.completed += completed or 0
        if regency is not None:
            sessions_by_regency[regency] = sessions_by_regency.get(regency, 0) + n

    team_rows = sorted(rows.values(), key=lambda r: (not r.mine, r.team.name))
    week_totals = {
        "target": sum(r.target for r in team_rows),
        "planned": sum(r.planned for r in team_rows),
        "held": sum(r.held for r in team_rows),
        "guided": sum(r.guided for r in team_rows),
        "completed": sum(r.completed for r in team_rows),
    }

    series = {w: WeekPoint(week=w, target=sum(week_target(t, w, overrides) for t in teams)) for w in weeks}
    totals = {"sessions": 0, "guided": 0, "completed": 0, "planned_open": 0}
    for tally in tallies:
        totals["sessions"] += tally.held_sessions
        totals["guided"] += tally.people_guided
        totals["completed"] += tally.people_completed
        totals["planned_open"] += tally.open_sessions
        point = series.get(tally.week)
        if point:
            point.held += tally.institutions_held
            point.completed += tally.people_completed
    series = list(series.values())

    # "Reached" reads the institutions' status, which services derive from their
    # sessions (a held session makes an institution "guided"). One pass over the
    # institution_region_kind_status index (no table, no join) counts them by region,
    # kind and status; the kinds' table, the area table (by regency) and the districts
    # reached are sums of its rows, and one small query names the regions in it.
    # The staff completion the institutions reported after their visits (follow-up
    # links), from the partial index of the few that reported: three scalar subqueries
    # of the kinds' query (evaluated once, not per kind).
    # ``Institution.status`` is the current campaign's. Another campaign's dashboard,
    # while some campaign is current, reads the statuses it kept when it stopped being
    # current (``InstitutionCampaignStatus``; an institution without a row was not
    # contacted), or none yet for a campaign not started: nobody reached.
    from .selectors import reads_kept_statuses

    earlier = reads_kept_statuses(campaign)
    institutions_in_area = policy_for(Institution).in_area(area_user, Institution.objects.order_by())
    if earlier:
        kept = InstitutionCampaignStatus.objects.filter(
            campaign=campaign, institution__in=institutions_in_area.values("pk")
        ).order_by()
        reporting = kept.filter(staff_total__isnull=False)
    else:
        reporting = policy_for(Institution).in_area(
            area_user, Institution.objects.filter(staff_total__isnull=False)
        )

    def scalar(function, column):
        return Subquery(reporting.order_by().annotate(n=Func(F(column), function=function)).values("n"))

    from campaign.materials import selectors as materials_selectors

    # The QR scans of printed guides ride on the same query (scalar subqueries too).
    scan_window = {"since": campaign.online_start, "week": week}
    scan_counts = materials_selectors.qr_scan_subqueries(**scan_window)
    kinds = {}
    staff = scans = None
    for kind in InstitutionKind.objects.annotate(
        staff_reporting=scalar("COUNT", "pk"),
        staff_done=scalar("SUM", "staff_completed"),
        staff_total=scalar("SUM", "staff_total"),
        **{f"scans_{name}": count for name, count in scan_counts.items()},
    ):
        kinds[kind.pk] = kind.name
        staff = {name: getattr(kind, name) or 0 for name in ("staff_reporting", "staff_done", "staff_total")}
        scans = {"campaign": kind.scans_campaign or 0, "week": kind.scans_week or 0}
    if staff is None:  # no kinds, so no institutions
        staff = {"staff_reporting": 0, "staff_done": 0, "staff_total": 0}
        scans = materials_selectors.qr_scans(**scan_window)
    counted = list(institutions_in_area.values_list("region_id", "kind_id", "status").annotate(n=Count("pk")))
    if earlier:
        # All of the area's institutions counted as above, their kept statuses moved over.
        moved = kept.values_list("institution__region_id", "institution__kind_id", "status").annotate(
            n=Count("pk")
        )
        totals_by_place = {}
        for region_id, kind_id, _status, n in counted:
            key = (region_id, kind_id)
            totals_by_place[key] = totals_by_place.get(key, 0) + n
        counted = []
        for region_id, kind_id, status, n in moved:
            counted.append((region_id, kind_id, status, n))
            totals_by_place[(region_id, kind_id)] -= n
        counted += [
            (region_id, kind_id, Institution.Status.NOT_CONTACTED, n)
            for (region_id, kind_id), n in totals_by_place.items()
            if n
        ]
    regions = (
        {
            pk: (code, name)
            for pk, code, name in Region.objects.filter(pk__in={row[0] for row in counted}).values_list(
                "pk", "code", "name"
            )
        }
        if counted
        else {}
    )
    per_kind, institutions_by_regency, reached_by_region = {}, {}, {}
    for region_id, kind_id, status, n in counted:
        reached = n if status in REACHED else 0
        kind = per_kind.setdefault(kind_id, {"total": 0, "reached": 0})
        regency = institutions_by_regency.setdefault(regions[region_id][0][:4], {"total": 0, "reached": 0})
        for item in (kind, regency):
            item["total"] += n
            item["reached"] += reached
        if reached:
            reached_by_region[region_id] = reached_by_region.get(region_id, 0) + reached
    totals["reached"] = sum(row["reached"] for row in per_kind.values())
    totals.update(staff)
    by_kind = [
        {
            "kind": name,
            "reached": per_kind.get(pk, {}).get("reached", 0),
            "total": per_kind.get(pk, {}).get("total", 0),
        }
        for pk, name in kinds.items()
    ]
    top = sorted(reached_by_region.items(), key=lambda item: (-item[1], regions[item[0]][0]))[:district_limit]
    by_district = [
        {"region__code": regions[pk][0], "region__name": regions[pk][1], "reached": n} for pk, n in top
    ]

    done_weeks = [p for p in series if p.week <= week]
    cumulative_target = sum(p.target for p in done_weeks)
    cumulative_held = sum(p.held for p in done_weeks)
    weekly = week_totals["target"] or 1
    weeks_ahead = round((cumulative_held - cumulative_target) / weekly, 1)

    from campaign.response.selectors import area_section

    # A regency office's area table: the regencies under its area's codes (the area
    # rule's, already read), each with its trend.
    areas = area_section(
        campaign=campaign,
        week=week,
        institutions_by_regency=institutions_by_regency,
        sessions_by_regency=sessions_by_regency,
        area_codes=area_codes(office_of(area_user)) if area_limited else None,
    )
    participation = participation_figures(
        campaign=campaign, completed=totals["completed"], areas=areas, area_limited=area_limited
    )
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
        scans=scans,
        areas=areas,
        offices=[] if area_limited else office_rows(team_rows=team_rows, counted=counted, regions=regions),
        area_limited=area_limited,
    )


def participation_figures(*, campaign, completed, areas=None, area_limited=False) -> dict:
    """The headline: the official online count, and nothing added to it. People who
    completed the form in a guided session are already in the official count, so they
    are shown as their own figure and as a share of it, never added (DESIGN §5).

    The count is the imported figures' province total on their latest day when there
    are any (``campaign.response``), else the count typed on the campaign. For a regency
    office (``area_limited``) it is its area's: the sum of its regencies' figures against
    the sum of their goals (no figures yet: none, never the province's)."""
    population = campaign.population_base
    goal = campaign.goal_people or 0
    province = areas.province_persons if areas is not None else None
    if province is None:
        province = campaign.official_online_count
    if area_limited:
        rows = areas.rows if areas is not None else []
        known = [row.persons for row in rows if row.persons is not None]
        official = sum(known) if known else None
        official_date = areas.date if known else None
        goal = sum(row.goal or 0 for row in rows)
        population = sum(row.population or 0 for row in rows)
    elif areas is not None and areas.province_persons is not None:
        official, official_date = areas.province_persons, areas.date
    else:
        official, official_date = campaign.official_online_count, campaign.official_count_date
    return {
        "province": province,
        "official": official,
        "official_date": official_date,
        "via_sessions": completed,
        "via_sessions_share": round(100 * completed / official, 2) if official else None,
        "goal": goal,
        "percent_of_goal": round(100 * (official or 0) / goal, 1) if goal else 0,
        "percent_of_population": round(100 * (official or 0) / (population or 1), 2),
    }


def team_week_performance(*, campaign, user=None):
    """One row per team and campaign week: target, planned, held, guided, completed; the
    teams of ``user``'s office area."""
    teams = list(
        policy_for(Team)
        .in_area(user, Team.objects.filter(campaign=campaign))
        .prefetch_related("week_targets")
    )
    overrides = {(t.team_id, t.week): t.target for team in teams for t in team.week_targets.all()}
    planned = {
        (row["team_id"], row["week"]): row["n"]
        for row in Assignment.objects.filter(team_id__in=[t.pk for t in teams])
        .values("team_id", "week")
        .annotate(n=Count("pk"))
    }
    held = {
        (row["team_id"], row["week"]): (row["n"], row["guided"] or 0, row["completed"] or 0)
        for row in GuidedSession.objects.filter(team_id__in=[t.pk for t in teams], status=HELD)
        .values("team_id", "week")
        .annotate(
            n=Count("institution_id", distinct=True),
            guided=Sum("people_guided"),
            completed=Sum("people_completed"),
        )
    }
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


def institutions_not_reached(*, campaign=None, user=None):
    """Institutions no team had guided in ``campaign`` (the current campaign's statuses
    are derived from sessions; an earlier campaign's are those it kept), in ``user``'s
    office area, each with its ``campaign_status``."""
    from .selectors import with_campaign_status

    not_reached = [status for status in Institution.Status.values if status not in REACHED]
    institutions = policy_for(Institution).in_area(user, Institution.objects.all())
    return (
        with_campaign_status(institutions, campaign=campaign, statuses=not_reached)
        .select_related("kind", "region")
        .order_by("region__code", "name")
    )


def sessions_visible_to(user):
    """Guided sessions a user may see, by the session permission policy: all for staff,
    their teams' for field members."""
    return (
        policy_for(GuidedSession)
        .instances_user_has_permission_for(user, "view")
        .select_related("institution", "team")
    )
