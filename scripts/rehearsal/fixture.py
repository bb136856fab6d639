"""Accounts the rehearsal signs in with (production loads demo data without its users).

``users(password)`` makes one superuser and one field user per demo team (the Kupang
teams), each a member of its team, and returns their names, teams and a few institutions
each team has sessions with.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from campaign.core.services import FIELD_TEAM, roles_sync
from campaign.institutions.models import GuidedSession, Team


def users(password: str, *, teams: int = 6) -> dict:
    roles_sync()
    User = get_user_model()
    staff, _ = User.objects.get_or_create(username="rehearsal-admin")
    staff.is_staff = staff.is_superuser = True
    staff.email = "rehearsal-admin@rehearsal.invalid"
    staff.set_password(password)
    staff.save()
    group = Group.objects.get(name=FIELD_TEAM)
    field = []
    for number, team in enumerate(Team.objects.order_by("pk")[:teams], start=1):
        user, _ = User.objects.get_or_create(username=f"rehearsal-tim{number}")
        user.email = f"rehearsal-tim{number}@rehearsal.invalid"
        user.set_password(password)
        user.save()
        user.groups.add(group)
        team.members.add(user)
        team.save()  # a ParentalManyToManyField is written on save
        institutions = list(
            GuidedSession.objects.filter(team=team).values_list("institution_id", flat=True).distinct()[:30]
        )
        if institutions:
            field.append({"username": user.username, "team": team.pk, "institutions": institutions})
    return {"staff": staff.username, "field_users": field}
