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


def campaign_regions(campaign):
    """(province or None, regencies) of the campaign's area."""
    area = list(campaign.area.all())
    provinces = [region for region in area if region.level == Region.Level.PROVINCE]
    regencies = [region for region in area if region.level == Region.Level.REGENCY]
    if provinces:
        regencies = list(
            Region.objects.filter(parent__in=provinces, level=Region.Level.REGENCY).order_by("code")
        )
    return (provinces[0] if len(provinces) == 1 else None), regencies


def regency_totals(*, regency_ids, dates) -> dict:
    """{(regency id, date): persons} — own rows first, else the sum of the districts."""
    own = {
        (row["region_id"], row["date"]): row["persons"]
        for row in OfficialCount.objects.filter(region_id__in=regency_ids, date__in=dates).values(
            "region_id", "date", "persons"
        )
    }
    totals = dict(own)
    for row in (
        OfficialCount.objects.filter(region__parent_id__in=regency_ids, date__in=dates)
        .values("region__parent_id", "date")
        .annotate(persons=Sum("persons"))
    ):
        key = (row["region__parent_id"], row["date"])
        if key not in own:
            totals[key] = row["persons"]
    return totals


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
    date = latest_date(before=today)
    if date is None:
        return None
    province, regencies = campaign_regions(campaign)
    total = province_total(province=province, regency_ids=[r.pk for r in regencies], date=date)
    return None if total is None else (total, date)


def expected_fraction(campaign, date) -> float:
    """The share of the goal expected by the end of ``date``: linear over the campaign's
    effective online period (extensions included)."""
    start, end = campaign.online_start, campaign.effective_end
    days = (end - start).days + 1
    elapsed = (date - start).days + 1
    return min(max(elapsed / days, 0.0), 1.0)


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
    own = {goal.region_id: goal for goal in AreaGoal.objects.filter(campaign=campaign)}
    result = {}
    for region in regions:
        override = own.get(region.pk)
        population = (override.population if override else None) or region.population
        goal = override.goal_persons if override and override.goal_persons else None
        if goal is None and population:
            goal = round(population * campaign.goal_percent / 100)
        result[region.pk] = (population, goal)
    return result


def regency_progress(*, campaign, date=None, days=14):
    """One row per regency of the campaign's area on the latest figures' day (or
    ``date``), with a ``days``-day trend; sorted by gap, furthest behind first."""
    date = date or latest_date()
    _province, regencies = campaign_regions(campaign)
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
