"""Send the teams where the campaign lags: next week's proposal for a team.

Candidates are the institutions in the team's area that no team has reached and that
are not planned that week. Each gets a score

    score = (1 + gap_weight × points behind) × (1 + employees_weight × employees)

where "points behind" is how far its district (or, when the district has no goal or
figures, its regency) is below the share of its goal expected by the latest figures'
day (0 when on track), and employees is the institution's headcount (0 when unknown).
The team's weekly target, less what is already planned, is the number proposed. The
weights are shown on the proposal screen and can be changed there.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from campaign.core.models import Region

from .models import OfficialCount
from .selectors import campaign_regions, expected_fraction, goals

DEFAULT_WEIGHTS = {"gap": 1.0, "employees": 0.01}


@dataclass
class Candidate:
    institution: object
    area: Region  # the district or regency whose gap ranks it
    progress: float | None
    expected: float
    status: str
    behind: float
    score: float

    @property
    def status_label(self):
        from .charts import rag_label

        return rag_label(self.status)


def area_gaps(*, campaign, regions, date):
    """{region id: (progress % of goal or None, expected %)} for districts and regencies."""
    from .selectors import regency_totals

    expected = round(100 * expected_fraction(campaign, date), 1) if date else 0.0
    if date is None:
        return {region.pk: (None, expected) for region in regions}
    area_goals = goals(campaign=campaign, regions=regions)
    districts = [r.pk for r in regions if r.level == Region.Level.DISTRICT]
    regencies = [r.pk for r in regions if r.level == Region.Level.REGENCY]
    persons = dict(
        OfficialCount.objects.filter(region_id__in=districts, date=date).values_list("region_id", "persons")
    )
    persons.update(
        {key[0]: value for key, value in regency_totals(regency_ids=regencies, dates=[date]).items()}
    )
    result = {}
    for region in regions:
        goal = area_goals[region.pk][1]
        count = persons.get(region.pk)
        progress = round(100 * count / goal, 1) if goal and count is not None else None
        result[region.pk] = (progress, expected)
    return result


def proposal(*, campaign, team, week, weights=None, limit=None, extra=0):
    """(proposed candidates, further candidates) for ``team`` in ``week``, best first.

    ``limit`` defaults to the team's target for the week less what is already planned;
    ``extra`` further candidates are returned for staff to swap in."""
    from campaign.institutions.dashboard import REACHED
    from campaign.institutions.models import Assignment, Institution, TeamWeekTarget

    from .selectors import rag

    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    if limit is None:
        target = TeamWeekTarget.objects.filter(team=team, week=week).values_list("target", flat=True).first()
        target = team.default_weekly_target if target is None else target
        planned = Assignment.objects.filter(team=team, week=week).count()
        limit = max(target - planned, 0)

    area = team.area
    candidates = list(
        Institution.objects.filter(region__code__startswith=area.code)
        .exclude(status__in=REACHED)
        .exclude(pk__in=Assignment.objects.filter(week=week).values("institution_id"))
        .select_related("region", "kind")
    )
    _province, _regencies, date = campaign_regions(campaign)
    district_ids = {i.region_id for i in candidates if i.region.level == Region.Level.DISTRICT}
    regions = list(
        Region.objects.filter(Q(pk__in=district_ids) | Q(code=area.code[:4], level=Region.Level.REGENCY))
        .annotate(**_goal_annotations(campaign))
        .order_by("code")
    )
    by_id = {region.pk: region for region in regions}
    regency = next((r for r in regions if r.level == Region.Level.REGENCY), None)
    gaps = area_gaps(campaign=campaign, regions=regions, date=date)

    ranked = []
    for institution in candidates:
        region = by_id.get(institution.region_id)
        progress, expected = gaps.get(institution.region_id, (None, 0.0))
        if progress is None and regency is not None:  # no district goal/figures: its regency's
            region = regency
            progress, expected = gaps[regency.pk]
        behind = max(expected - progress, 0.0) if progress is not None else 0.0
        employees = institution.employees or 0
        score = (1 + weights["gap"] * behind) * (1 + weights["employees"] * employees)
        ranked.append(
            Candidate(
                institution=institution,
                area=region or institution.region,
                progress=progress,
                expected=expected,
                status=rag(progress, expected if progress is not None else None),
                behind=round(behind, 1),
                score=round(score, 2),
            )
        )
    ranked.sort(key=lambda c: (-c.score, c.institution.name, c.institution.pk))
    return ranked[:limit], ranked[limit : limit + extra]


def _goal_annotations(campaign):
    from django.db.models import OuterRef, Subquery

    from .models import AreaGoal

    own = AreaGoal.objects.filter(campaign=campaign, region=OuterRef("pk"))
    return {
        "own_population": Subquery(own.values("population")[:1]),
        "own_goal": Subquery(own.values("goal_persons")[:1]),
    }


def next_week(campaign, today=None):
    """The Monday after this week (WITA), kept within the campaign's weeks."""
    from django.utils import timezone

    from campaign.institutions.models import week_start

    weeks = campaign.weeks()
    upcoming = week_start(today or timezone.localdate()) + datetime.timedelta(weeks=1)
    return min(max(upcoming, weeks[0]), weeks[-1])
