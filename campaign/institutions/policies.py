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
``team_member_q``). Staff of a regency office act only on the rows in their office's
area (the area rule, ``region_paths``; ``campaign.core.offices``); the province office
and superusers on every row. A row must pass both rules.
"""

from django.db.models import Q
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from campaign.core.offices import area_region_ids

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
    """Whether ``user`` may record work (sessions, plans, Rakorcam) for ``team``: one of
    their teams, or any team in their office's area for staff who manage all teams."""
    from .models import Team

    scope = policy_for(Team).scope(user)
    return scope is None or Team.objects.filter(pk=team.pk).filter(scope).exists()


class ReadOnlyPolicyMixin:
    """Rows only our code writes (numbered letters, the personal-data log): no role, the
    superuser included, adds, changes or deletes them through the admin."""

    WRITE = frozenset({"add", "change", "delete"})

    def user_has_permission(self, user, action):
        return action not in self.WRITE and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [a for a in actions if a not in self.WRITE])

    def user_has_permission_for_instance(self, user, action, instance):
        return action not in self.WRITE and super().user_has_permission_for_instance(user, action, instance)


class PersonalDataLogPolicy(ReadOnlyPolicyMixin, ModelPermissionPolicy):
    """The personal-data log is read by whoever holds ``view_personaldatalog`` (the
    superuser, or a data protection officer given it); nobody edits it."""


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions, narrowed to the rows in the user's scope.

    ``team_paths``: lookups from the model to a ``Team``; a row is in a member's scope
    when any of them reaches one of the member's teams ("" for the Team model itself).
    A policy without ``team_paths`` has no team rule (every member reads the registry).

    ``region_paths``: lookups from the model to a ``Region``; a row is in the scope of a
    regency office's staff when any of them reaches a region of the office's area. A row
    none of them reaches (no region) belongs to the province.
    """

    team_paths: tuple[str, ...] = ()
    region_paths: tuple[str, ...] = ()
    # Forms offer, for a choice of this model, only the rows the user may see.
    scopes_rows = True

    def _rows_reaching(self, paths, ids) -> Q:
        scope = Q(pk__in=[])
        for path in paths:
            lookup = f"{path}__in" if path else "pk__in"
            # A subquery per path: no join on the listing's query, so no duplicates.
            scope |= Q(pk__in=self.model._default_manager.filter(**{lookup: ids}).values("pk"))
        return scope

    def team_scope(self, user) -> Q | None:
        if not self.team_paths or user_sees_all_teams(user):
            return None
        return self._rows_reaching(self.team_paths, teams_of(user).values("pk"))

    def area_scope(self, user) -> Q | None:
        """The rows in ``user``'s office area; ``None``: every row (province, superuser)."""
        if not self.region_paths:
            return None
        region_ids = area_region_ids(user)
        if region_ids is None:
            return None
        return self._rows_reaching(self.region_paths, region_ids)

    def scope(self, user) -> Q | None:
        """The rows ``user`` may act on, as a filter; ``None`` means every row."""
        clauses = [q for q in (self.team_scope(user), self.area_scope(user)) if q is not None]
        if not clauses:
            return None
        scope = clauses[0]
        for clause in clauses[1:]:
            scope &= clause
        return scope

    def in_area(self, user, queryset=None):
        """``queryset`` (default: every row) narrowed by the area rule only: figures that
        every role of an office reads (the dashboard's teams, the reports)."""
        queryset = self.model._default_manager.all() if queryset is None else queryset
        scope = self.area_scope(user)
        return queryset if scope is None else queryset.filter(scope)

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
    region_paths = ("area",)


class InstitutionPolicy(ScopedPermissionPolicy):
    region_paths = ("region",)


class GuidedSessionPolicy(ScopedPermissionPolicy):
    team_paths = ("team",)
    region_paths = ("institution__region",)


class AssignmentPolicy(ScopedPermissionPolicy):
    team_paths = ("team",)
    region_paths = ("institution__region",)


class CoordinationMeetingPolicy(ScopedPermissionPolicy):
    team_paths = ("teams",)
    region_paths = ("district",)


class ContactPolicy(ScopedPermissionPolicy):
    """UU 27/2022, data minimisation: a member sees the contacts of the institutions
    planned for their team (any week) and of those their team recorded a session with;
    not the registry's other contacts, nor media partners' people."""

    team_paths = ("institution__assignments__team", "institution__sessions__team")
    # A media partner's people have no region: the province's.
    region_paths = ("institution__region",)


def register_policies():
    from .models import (
        Assignment,
        Contact,
        CoordinationMeeting,
        GuidedSession,
        Institution,
        PersonalDataLog,
        Team,
    )

    for model, policy_class in (
        (PersonalDataLog, PersonalDataLogPolicy),
        (Team, TeamPolicy),
        (Institution, InstitutionPolicy),
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
