"""Accounts the rehearsal signs in with (production loads demo data without its users).

``users(password)`` makes one superuser and ``members`` field users per demo team (the
Kupang teams), each a member of its team, and returns their names, teams and a few
institutions each team has sessions with. Several members per team, as in the field: the
load spreads its syncs over many phones, as a campaign does, instead of one phone syncing
every second (which the field app's per-user rate limit rightly refuses).
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from campaign.core.services import FIELD_TEAM, roles_sync
from campaign.institutions.models import GuidedSession, Team


def session_time(campaign) -> str:
    """When a rehearsal phone says its session took place: 09:00 WITA today, or the
    nearest day of the team's campaign (the field app refuses dates outside it)."""
    today = timezone.localdate()
    day = min(max(today, campaign.online_start), campaign.effective_end)
    wita = timezone.get_current_timezone()
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=wita).isoformat()


def users(password: str, *, teams: int = 6, members: int = 4) -> dict:
    roles_sync()
    User = get_user_model()
    staff, _ = User.objects.get_or_create(username="rehearsal-admin")
    staff.is_staff = staff.is_superuser = True
    staff.email = "rehearsal-admin@rehearsal.invalid"
    staff.set_password(password)
    staff.save()
    group = Group.objects.get(name=FIELD_TEAM)
    field = []
    hashed = make_password(password)  # one slow hash for every field account
    for number, team in enumerate(Team.objects.select_related("campaign").order_by("pk")[:teams], start=1):
        when = session_time(team.campaign)
        institutions = list(
            GuidedSession.objects.filter(team=team).values_list("institution_id", flat=True).distinct()[:30]
        )
        for member in range(1, members + 1):
            user, _ = User.objects.get_or_create(username=f"rehearsal-tim{number}-{member}")
            user.email = f"rehearsal-tim{number}-{member}@rehearsal.invalid"
            user.password = hashed
            user.save()
            user.groups.add(group)
            team.members.add(user)
            if institutions:
                field.append(
                    {
                        "username": user.username,
                        "team": team.pk,
                        "institutions": institutions,
                        "session_time": when,
                    }
                )
        team.save()  # a ParentalManyToManyField is written on save
    return {"staff": staff.username, "field_users": field}
