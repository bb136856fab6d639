"""The response app's part in carrying a campaign over (``campaign.core.carryover``): the
area goals (the offices' and their districts' targets in persons) are copied; official
figures are facts of their campaign's period and stay with it."""

from campaign.core.carryover import register_copy_step

from .models import AreaGoal


def area_goals_copy(*, source, target, options, user=None) -> int:
    copies = [
        AreaGoal(
            campaign=target,
            region_id=goal.region_id,
            population=goal.population,
            goal_persons=goal.goal_persons,
        )
        for goal in AreaGoal.objects.filter(campaign=source)
    ]
    return len(AreaGoal.objects.bulk_create(copies))


def register():
    register_copy_step("area_goals", area_goals_copy)
