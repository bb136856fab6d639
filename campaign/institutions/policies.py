"""Who may see and change which rows of the registry and the field work.

One permission policy per model, registered with Wagtail (``register_policies``, called
at the top of ``wagtail_hooks`` before any ViewSet registers), so that every view of its
ViewSet (list, add, edit, copy, delete, history, usage, inspect, choosers, bulk actions;
see ``campaign.core.viewsets.ScopedSnippetViewSet``), the reports and the field app ask
the same question in the same place.

Django's model permissions (the roles in ``campaign.core.services``) decide *what* a
role may do; the scope decides *on which rows*. Staff with
``institutions.manage_all_teams`` (and superusers) act on every row; a field team member
on the rows of the teams they are a member or the leader of (the team rule,
``team_member_q``). A later scope (an office's area) is one more ``*_paths`` attribute
and one more clause in ``ScopedPermissionPolicy.scope``.
"""

from django.db.models import Q
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

# The actions that make a row reachable at all: a row a user may neither view, change
# nor delete does not exist for them (404).
SEE = ("view", "change", "delete")


def user_sees_all_teams(user) -> bool:
    return user.is_superuser or user.has_perm("institutions.manage_all_teams")


def team_member_q(user, path="") -> Q:
    """The team rule: rows whose team (at ``path``) has ``user`` as a member or leader."""
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}members": user}) | Q(**{f"{prefix}leader": user})


def teams_of(user):
    """The teams ``user`` is a member or the leader of."""
    from .models import Team

    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    return Team.objects.filter(team_member_q(user)).distinct()


def user_may_act_for_team(user, team) -> bool:
    """Whether ``user`` may record work (sessions, plans, Rakorcam) for ``team``."""
    return user_sees_all_teams(user) or teams_of(user).filter(pk=team.pk).exists()


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions, narrowed to the rows in the user's scope.

    ``team_paths``: lookups from the model to a ``Team``; a row is in a member's scope
    when any of them reaches one of the member's teams ("" for the Team model itself).
    """

    team_paths: tuple[str, ...] = ()
    # Forms offer, for a choice of this model, only the rows the user may see.
    scopes_rows = True

    def scope(self, user) -> Q | None:
        """The rows ``user`` may act on, as a filter; ``None`` means every row."""
        if user_sees_all_teams(user):
            return None
        team_ids = teams_of(user).values("pk")
        scope = Q(pk__in=[])
        for path in self.team_paths:
            lookup = f"{path}__in" if path else "pk__in"
            # A subquery per path: no join on the listing's query, so no duplicates.
            scope |= Q(pk__in=self.model._default_manager.filter(**{lookup: team_ids}).values("pk"))
        return scope

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = super().instances_user_has_any_permission_for(user, actions)
        if not self.user_has_any_permission(user, actions):
            return queryset
        scope = self.scope(user)
        return queryset if scope is None else queryset.filter(scope)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not self.user_has_any_permission(user, actions):
            return False
        scope = self.scope(user)
        if scope is None or instance.pk is None:
            # A row not saved yet is checked by its form (choices of scoped models).
            return True
        return self.model._default_manager.filter(pk=instance.pk).filter(scope).exists()

    def visible_to(self, user):
        """Rows ``user`` may see at all (the queryset every view starts from)."""
        return self.instances_user_has_any_permission_for(user, SEE)


class TeamPolicy(ScopedPermissionPolicy):
    team_paths = ("",)


class GuidedSessionPolicy(ScopedPermissionPolicy):
    team_paths = ("team",)


class AssignmentPolicy(ScopedPermissionPolicy):
    team_paths = ("team",)


class CoordinationMeetingPolicy(ScopedPermissionPolicy):
    team_paths = ("teams",)


class ContactPolicy(ScopedPermissionPolicy):
    """UU 27/2022, data minimisation: a member sees the contacts of the institutions
    planned for their team (any week) and of those their team recorded a session with;
    not the registry's other contacts, nor media partners' people."""

    team_paths = ("institution__assignments__team", "institution__sessions__team")


def register_policies():
    from .models import Assignment, Contact, CoordinationMeeting, GuidedSession, Team

    for model, policy_class in (
        (Team, TeamPolicy),
        (GuidedSession, GuidedSessionPolicy),
        (Assignment, AssignmentPolicy),
        (CoordinationMeeting, CoordinationMeetingPolicy),
        (Contact, ContactPolicy),
    ):
        if not isinstance(policy_registry.get_by_type(model, fallback=False), policy_class):
            register_permission_policy(model, policy_class(model))


def policy_for(model):
    """The registered policy of ``model`` (Wagtail's plain model policy when unscoped)."""
    return policy_registry.get_by_type(model)
