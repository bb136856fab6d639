"""The institutions app's part in carrying a campaign over (``campaign.core.carryover``):
the teams and their weekly targets are copied; when the new campaign becomes the current
one, the institutions' statuses start again from "not contacted".

Why the statuses are reset only then: ``Institution.status`` (and the staff completion
an institution reported) is the *current* campaign's, read by lists, audiences, the
weekly plan proposal and the dashboard. A new campaign is usually prepared while the
earlier one still runs, so resetting at carry-over time would wipe the running
campaign's figures. At activation the old statuses are first kept, one row per
institution that had moved, in ``InstitutionCampaignStatus`` (the earlier campaign's
history), and its sessions, visit plans and completion reports stay as they were.
"""

import datetime

from django.db import connection
from django.db.models import Q

from campaign.core.carryover import register_activation_step, register_copy_step

from .models import Institution, InstitutionCampaignStatus, Team, TeamWeekTarget


def _week_map(source, target) -> dict[datetime.date, datetime.date]:
    """Week n of ``source`` → week n of ``target`` (weeks ``target`` lacks are dropped)."""
    return dict(zip(source.weeks(), target.weeks(), strict=False))


def teams_copy(*, source, target, options, user=None) -> int:
    """The teams of ``source`` for ``target``: name, area, phone, weekly targets (week n
    of the one campaign → week n of the other); the leader and members only when asked."""
    teams = list(Team.objects.filter(campaign=source).prefetch_related("week_targets", "members"))
    copies = Team.objects.bulk_create(
        [
            Team(
                campaign=target,
                name=team.name,
                area_id=team.area_id,
                phone=team.phone,
                default_weekly_target=team.default_weekly_target,
                leader_id=team.leader_id if options.copy_team_members else None,
            )
            for team in teams
        ]
    )
    weeks = _week_map(source, target)
    targets, members = [], []
    for team, copy in zip(teams, copies, strict=True):
        for week_target in team.week_targets.all():
            if week_target.week in weeks:
                targets.append(
                    TeamWeekTarget(
                        team=copy,
                        week=weeks[week_target.week],
                        target=week_target.target,
                        sort_order=week_target.sort_order,
                    )
                )
        if options.copy_team_members:
            members += [Team.members.through(team_id=copy.pk, user_id=m.pk) for m in team.members.all()]
    TeamWeekTarget.objects.bulk_create(targets)
    Team.members.through.objects.bulk_create(members)
    return len(copies)


def team_map(*, source, target) -> dict[int, int]:
    """Team id in ``source`` → the id of its copy in ``target`` (by name)."""
    copies = dict(Team.objects.filter(campaign=target).values_list("name", "pk"))
    return {
        pk: copies[name]
        for pk, name in Team.objects.filter(campaign=source).values_list("pk", "name")
        if name in copies
    }


def statuses_restart(*, previous, campaign, user=None) -> int:
    """Keep ``previous``'s institution statuses as its history, then start every
    institution from "not contacted" for ``campaign``. Returns how many were kept."""
    if previous is None:
        return 0
    moved_q = ~Q(status=Institution.Status.NOT_CONTACTED) | Q(staff_total__isnull=False)
    # One INSERT … SELECT (50,000 institutions never built in Python), then one UPDATE.
    fields = ("status", "staff_completed", "staff_total", "completion_reported_at")
    select_sql, select_params = (
        Institution.objects.filter(moved_q).order_by().values("pk", *fields).query.sql_with_params()
    )
    ops = connection.ops
    meta = InstitutionCampaignStatus._meta
    columns = ", ".join(
        ops.quote_name(meta.get_field(name).column) for name in ("campaign", "institution", *fields)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) "  # noqa: S608 - names quoted, values bound
            f"SELECT %s, moved.pk, {', '.join(f'moved.{name}' for name in fields)} FROM ({select_sql}) moved "
            "WHERE 1 = 1 ON CONFLICT DO NOTHING",
            [previous.pk, *select_params],
        )
        kept = max(cursor.rowcount, 0)
    Institution.objects.filter(moved_q).update(
        status=Institution.Status.NOT_CONTACTED,
        staff_completed=None,
        staff_total=None,
        completion_reported_at=None,
    )
    return kept


def register():
    register_copy_step("teams", teams_copy)
    register_activation_step("institution_statuses", statuses_restart)
