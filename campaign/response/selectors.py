"""Read side of the official figures: totals by area and day, goals, the expected
trajectory and red/amber/green. Other apps read the figures only through here.

Totals are never counted twice: a regency's figure on a day is its own row when the
source gave one, else the sum of its districts' rows; the province's figure is its own
row when given, else the sum of its regencies' figures."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max, Sum

from campaign.core.models import Region

from .models import AreaGoal, OfficialCount

GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"


def rag_amber_points() -> float:
    return float(getattr(settings, "RESPONSE_RAG", {}).get("amber_points", 7.5))


def latest_date(*, before=None):
    """The latest day with figures (on or before ``before``)."""
    counts = OfficialCount.objects.all()
    if before is not None:
        counts = counts.filter(date__lte=before)
    return counts.aggregate(latest=Max("date"))["latest"]


def campaign_regions(campaign, until=None):
    """(province or None, regencies, latest day with figures, on or before ``until``) of
    the campaign's area, in one query. The regencies carry their area goal
    (``own_population``, ``own_goal``)."""
    from django.db.models import OuterRef, Q, Subquery

    own = AreaGoal.objects.filter(campaign=campaign, region=OuterRef("pk"))
    regions = list(
        Region.objects.filter(
            Q(campaigns=campaign, level__in=[Region.Level.PROVINCE, Region.Level.REGENCY])
            | Q(parent__campaigns=campaign, level=Region.Level.REGENCY)
        )
        .annotate(
            own_population=Subquery(own.values("population")[:1]),
            own_goal=Subquery(own.values("goal_persons")[:1]),
            latest=Subquery(
                (OfficialCount.objects.filter(date__lte=until) if until else OfficialCount.objects.all())
                .order_by("-date")
                .values("date")[:1]
            ),
        )
        .distinct()
        .order_by("code")
    )
    provinces = [region for region in regions if region.level == Region.Level.PROVINCE]
    regencies = [region for region in regions if region.level == Region.Level.REGENCY]
    latest = regions[0].latest if regions else None
    return (provinces[0] if len(provinces) == 1 else None), regencies, latest


def regency_totals(*, regency_ids, dates, also_own=()) -> dict:
    """{(regency id, date): persons} — own rows first, else the sum of the districts,
    in one query. ``also_own``: more regions (the province) whose own rows only are
    wanted."""
    from django.db.models import Case, F, Q, When

    # The regions are named by id (the areas' own and, through a subquery on the region
    # tree, their districts), so the figures are read through the (region, date) unique
    # index: regions × days lookups, whatever the number of districts elsewhere. A
    # condition on the joined region would make the planner walk every region's figures
    # of those days instead (7,200 districts × 14 days).
    areas = Region.objects.filter(
        Q(pk__in=[*regency_ids, *also_own]) | Q(parent_id__in=regency_ids, level=Region.Level.DISTRICT)
    ).values("pk")
    own, districts = {}, {}
    for row in (
        OfficialCount.objects.filter(region_id__in=areas, date__in=dates)
        .annotate(
            area=Case(
                When(region__level=Region.Level.DISTRICT, then=F("region__parent_id")), default=F("region_id")
            ),
            is_district=Case(When(region__level=Region.Level.DISTRICT, then=True), default=False),
        )
        .values("area", "is_district", "date")
        .annotate(persons=Sum("persons"))
        .order_by()
    ):
        (districts if row["is_district"] else own)[(row["area"], row["date"])] = row["persons"]
    return {**districts, **own}


def province_total(*, province, regency_ids, date):
    """The province's persons online on ``date``: its own row, else its regencies'."""
    if province is not None:
        own = (
            OfficialCount.objects.filter(region=province, date=date).values_list("persons", flat=True).first()
        )
        if own is not None:
            return own
    totals = regency_totals(regency_ids=regency_ids, dates=[date])
    return sum(totals.values()) if totals else None


def province_latest(*, campaign, today=None):
    """(persons, date) of the latest official figures for the campaign's area, or None."""
    province, regencies, date = campaign_regions(campaign)
    if today is not None and date is not None and date > today:
        date = latest_date(before=today)
    if date is None:
        return None
    total = province_total(province=province, regency_ids=[r.pk for r in regencies], date=date)
    return None if total is None else (total, date)


def expected_fraction(campaign, date) -> float:
    """The share of the goal expected by the end of ``date``: linear over the campaign's
    effective online period (extensions included), or, when the campaign's trajectory is
    "shaped", following the province's own curve.

    Shaped: with L the latest day with figures and P(d) the province's persons online on
    day d, the share expected by d ≤ L is linear(L) × P(d) / P(L); after L (no curve yet)
    it is linear. Each area is thus compared with where it would be had it followed the
    province's week-by-week curve to the share a linear plan expects today: a slow first
    fortnight, which the whole province had, turns no area red in the weekly reports of
    those weeks, while an area slower than the province still does. On L itself both
    trajectories agree. Without a province figure on d or L, linear (two queries more)."""
    start, end = campaign.online_start, campaign.effective_end
    days = (end - start).days + 1

    def linear(day):
        return min(max(((day - start).days + 1) / days, 0.0), 1.0)

    if getattr(campaign, "trajectory", "linear") != "shaped":
        return linear(date)
    province, regencies, latest = campaign_regions(campaign)
    if latest is None or date >= latest:
        return linear(date)
    totals = regency_totals(
        regency_ids=[r.pk for r in regencies],
        dates=[date, latest],
        also_own=[province.pk] if province else [],
    )

    def province_persons(day):
        if province is not None and (province.pk, day) in totals:
            return totals[(province.pk, day)]
        known = [totals[(r.pk, day)] for r in regencies if (r.pk, day) in totals]
        return sum(known) if known else None

    now, then = province_persons(date), province_persons(latest)
    if now is None or not then:
        return linear(date)
    return min(linear(latest) * now / then, 1.0)


def rag(progress, expected, amber_points=None) -> str:
    """Green at or above the expected share of the goal, amber up to ``amber_points``
    points of the goal below it, red further below; none without a goal."""
    if progress is None or expected is None:
        return NONE
    amber_points = rag_amber_points() if amber_points is None else amber_points
    if progress >= expected:
        return GREEN
    if progress >= expected - amber_points:
        return AMBER
    return RED


@dataclass
class AreaRow:
    region: Region
    population: int | None
    goal: int | None
    persons: int | None = None
    trend: list = field(default_factory=list)  # persons per day, oldest first (None: no figure)
    expected_percent: float = 0.0  # of the goal, by the figures' date
    institutions: int = 0
    reached: int = 0
    sessions_week: int = 0

    @property
    def rate(self):
        """Persons online per 100 residents."""
        if self.persons is None or not self.population:
            return None
        return round(100 * self.persons / self.population, 2)

    @property
    def progress(self):
        """Percent of the goal reached."""
        if self.persons is None or not self.goal:
            return None
        return round(100 * self.persons / self.goal, 1)

    @property
    def expected_persons(self):
        return round(self.goal * self.expected_percent / 100) if self.goal else None

    @property
    def gap(self):
        """Points of the goal ahead (+) or behind (−) the expected share."""
        return None if self.progress is None else round(self.progress - self.expected_percent, 1)

    @property
    def status(self):
        return rag(self.progress, self.expected_percent if self.goal else None)


def goals(*, campaign, regions):
    """{region id: (population, goal persons)}: the area's own goal, else the campaign's
    goal percent × its population."""
    result = {}
    for region in regions:
        population = getattr(region, "own_population", None) or region.population
        goal = getattr(region, "own_goal", None)
        if goal is None and population:
            goal = round(population * campaign.goal_percent / 100)
        result[region.pk] = (population, goal)
    return result


def regency_progress(*, campaign, date=None, days=14):
    """One row per regency of the campaign's area on the latest figures' day (or
    ``date``), with a ``days``-day trend; sorted by gap, furthest behind first."""
    _province, regencies, latest = campaign_regions(campaign)
    date = date or latest
    area_goals = goals(campaign=campaign, regions=regencies)
    rows = [AreaRow(region=r, population=area_goals[r.pk][0], goal=area_goals[r.pk][1]) for r in regencies]
    if date is None:
        return rows, None
    dates = [date - datetime.timedelta(days=n) for n in range(days - 1, -1, -1)]
    totals = regency_totals(regency_ids=[r.pk for r in regencies], dates=dates)
    expected = round(100 * expected_fraction(campaign, date), 1)
    for row in rows:
        row.trend = [totals.get((row.region.pk, day)) for day in dates]
        row.persons = totals.get((row.region.pk, date))
        row.expected_percent = expected
    return sort_by_gap(rows), date


def sort_by_gap(rows):
    return sorted(
        rows, key=lambda row: (row.gap is None, row.gap if row.gap is not None else 0, row.region.code)
    )


@dataclass
class AreaSection:
    """The dashboard's "where it lags" section: the province's official figure and one
    row per regency, on the latest day with figures."""

    date: datetime.date | None
    province_persons: int | None
    rows: list
    amber_points: float

    @property
    def counts(self):
        result = {GREEN: 0, AMBER: 0, RED: 0, NONE: 0}
        for row in self.rows:
            result[row.status] += 1
        return result


def area_section(
    *, campaign, week, days=14, institutions_by_regency=None, sessions_by_regency=None, area_codes=None
) -> AreaSection:
    """Regencies with rate, goal, expected-by-date, RAG, a ``days``-day trend,
    institutions registered/reached and sessions held in ``week``, in two queries (four
    when the dashboard does not pass the institutions and sessions it already counted
    by regency), whatever the number of figures, institutions and sessions.

    ``area_codes``: only the regencies under these BPS codes (a regency office's area)
    get a row and a trend; the province's figure is still every regency's, read for
    its one day (a third query)."""
    from django.db.models import Count, Q
    from django.db.models.functions import Substr

    from campaign.institutions.models import GuidedSession, Institution, Team

    # The figures of the week shown: the latest day up to its Sunday.
    province, regencies, date = campaign_regions(campaign, until=week + datetime.timedelta(days=6))
    area_goals = goals(campaign=campaign, regions=regencies)
    shown = (
        regencies if area_codes is None else [r for r in regencies if r.code.startswith(tuple(area_codes))]
    )
    rows = {
        r.code: AreaRow(region=r, population=area_goals[r.pk][0], goal=area_goals[r.pk][1]) for r in shown
    }
    province_persons = None
    if date is not None:
        dates = [date - datetime.timedelta(days=n) for n in range(days - 1, -1, -1)]
        also_own = [province.pk] if province else []
        totals = regency_totals(regency_ids=[r.pk for r in shown], dates=dates, also_own=also_own)
        everyone = totals
        if len(shown) < len(regencies):
            everyone = regency_totals(regency_ids=[r.pk for r in regencies], dates=[date], also_own=also_own)
        expected = round(100 * expected_fraction(campaign, date), 1)
        for row in rows.values():
            row.trend = [totals.get((row.region.pk, day)) for day in dates]
            row.persons = totals.get((row.region.pk, date))
            row.expected_percent = expected
        own = everyone.get((province.pk, date)) if province else None
        regency_sum = [everyone[(r.pk, date)] for r in regencies if (r.pk, date) in everyone]
        province_persons = own if own is not None else (sum(regency_sum) if regency_sum else None)

    if institutions_by_regency is None:
        reached = [Institution.Status.GUIDED, Institution.Status.COMPLETED_REPORTED]
        institutions_by_regency = {
            item["regency"]: item
            for item in Institution.objects.annotate(regency=Substr("region__code", 1, 4))
            .values("regency")
            .annotate(total=Count("pk"), reached=Count("pk", filter=Q(status__in=reached)))
        }
    if sessions_by_regency is None:
        sessions_by_regency = {
            item["regency"]: item["n"]
            for item in GuidedSession.objects.filter(
                team_id__in=Team.objects.filter(campaign=campaign).values("pk"),
                week=week,
                status=GuidedSession.Status.HELD,
            )
            .annotate(regency=Substr("institution__region__code", 1, 4))
            .values("regency")
            .annotate(n=Count("pk"))
        }
    for code, row in rows.items():
        counted = institutions_by_regency.get(code, {})
        row.institutions, row.reached = counted.get("total", 0), counted.get("reached", 0)
        row.sessions_week = sessions_by_regency.get(code, 0)
    return AreaSection(
        date=date,
        province_persons=province_persons,
        rows=sort_by_gap(rows.values()),
        amber_points=rag_amber_points(),
    )


@dataclass
class UpliftRow:
    region: Region
    sessions: int
    before: int
    after: int
    population: int

    @property
    def change(self):
        """Points of the population who went online in the window."""
        return round(100 * (self.after - self.before) / self.population, 2)


@dataclass
class Uplift:
    week: datetime.date
    before_date: datetime.date | None
    after_date: datetime.date | None
    level: str
    visited: list = field(default_factory=list)
    others: list = field(default_factory=list)

    @staticmethod
    def _mean(rows):
        return round(sum(row.change for row in rows) / len(rows), 2) if rows else None

    @property
    def visited_mean(self):
        return self._mean(self.visited)

    @property
    def others_mean(self):
        return self._mean(self.others)


def uplift(*, campaign, week) -> Uplift:
    """ "Did it work?": the change in online rate over the 7 days from ``week``'s Monday
    (figures of the Sunday before against the latest day up to its Sunday) in areas with
    guided sessions held that week, beside areas without. Districts when the figures
    have them (with a population: SP2020 or an area goal), else regencies. An
    association, not a cause: teams choose where they go."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from campaign.institutions.models import GuidedSession, Team

    before_date = week - datetime.timedelta(days=1)
    after_date = latest_date(before=week + datetime.timedelta(days=6))
    result = Uplift(week=week, before_date=before_date, after_date=after_date, level=Region.Level.DISTRICT)
    if after_date is None or after_date <= before_date:
        return result
    _province, regencies, _latest = campaign_regions(campaign)
    regency_ids = [r.pk for r in regencies]
    district_counts = {
        (region_id, date): persons
        for region_id, date, persons in OfficialCount.objects.filter(
            # By id through the region tree: the (region, date) index, as regency_totals.
            region_id__in=Region.objects.filter(
                parent_id__in=regency_ids, level=Region.Level.DISTRICT
            ).values("pk"),
            date__in=[before_date, after_date],
        ).values_list("region_id", "date", "persons")
    }
    if district_counts:
        areas = list(
            Region.objects.filter(pk__in={key[0] for key in district_counts}).annotate(
                **_goal_annotations(campaign)
            )
        )
        counts, prefix = district_counts, 7
    else:
        result.level = Region.Level.REGENCY
        areas = regencies
        counts, prefix = regency_totals(regency_ids=regency_ids, dates=[before_date, after_date]), 4
    sessions = {
        row["area"]: row["n"]
        for row in GuidedSession.objects.filter(
            team_id__in=Team.objects.filter(campaign=campaign).values("pk"),
            week=week,
            status=GuidedSession.Status.HELD,
        )
        .annotate(area=Substr("institution__region__code", 1, prefix))
        .values("area")
        .annotate(n=Count("pk"))
    }
    populations = goals(campaign=campaign, regions=areas)
    for area in areas:
        before, after = counts.get((area.pk, before_date)), counts.get((area.pk, after_date))
        population = populations[area.pk][0]
        if before is None or after is None or not population:
            continue
        row = UpliftRow(area, sessions.get(area.code, 0), before, after, population)
        (result.visited if row.sessions else result.others).append(row)
    result.visited.sort(key=lambda row: -row.change)
    result.others.sort(key=lambda row: -row.change)
    return result


def _goal_annotations(campaign):
    from django.db.models import OuterRef, Subquery

    own = AreaGoal.objects.filter(campaign=campaign, region=OuterRef("pk"))
    return {
        "own_population": Subquery(own.values("population")[:1]),
        "own_goal": Subquery(own.values("goal_persons")[:1]),
    }


@dataclass
class PublicProgress:
    """What the public progress page and widget show: the province against its goal and
    every regency's rate, on the latest day with figures."""

    date: datetime.date | None
    received_at: datetime.datetime | None  # when the latest of those figures arrived
    province: AreaRow
    rows: list  # AreaRow per regency, in BPS code order (the official listing)
    amber_points: float

    @property
    def goal_percent(self):
        """The goal as a share of residents (the campaign's goal percent)."""
        goal, population = self.province.goal, self.province.population
        return round(100 * goal / population, 2) if goal and population else None


def public_progress(*, campaign) -> PublicProgress:
    """The province's official count (its own row, else its regencies' sum) against the
    campaign's goal, and each regency's figure against its area goal, in three queries.

    Expected shares are those of the figures' own day, not of today: a page cached
    overnight, or figures a day late, still compare like with like."""
    from django.db.models import Max

    province_region, regencies, date = campaign_regions(campaign)
    area_goals = goals(campaign=campaign, regions=regencies)
    rows = [AreaRow(region=r, population=area_goals[r.pk][0], goal=area_goals[r.pk][1]) for r in regencies]
    province = AreaRow(region=province_region, population=campaign.population_base, goal=campaign.goal_people)
    received_at = None
    if date is not None:
        own = [province_region.pk] if province_region else []
        totals = regency_totals(regency_ids=[r.pk for r in regencies], dates=[date], also_own=own)
        expected = round(100 * expected_fraction(campaign, date), 1)
        for row in [*rows, province]:
            row.expected_percent = expected
            if row.region is not None:
                row.persons = totals.get((row.region.pk, date))
        if province.persons is None:
            known = [row.persons for row in rows if row.persons is not None]
            province.persons = sum(known) if known else None
        received_at = OfficialCount.objects.filter(date=date).aggregate(at=Max("imported_at"))["at"]
    return PublicProgress(
        date=date, received_at=received_at, province=province, rows=rows, amber_points=rag_amber_points()
    )
