"""Offices: whose area a user works in, and who may manage the office tree.

A user's *area* is the regions of their office and every region under them (a region's
BPS code starts with its parent's). The province office (no parent), staff in no
office and superusers have no area limit: ``area_region_ids`` answers ``None`` for them.
The permission policies (``campaign.institutions.policies.ScopedPermissionPolicy``)
turn the area into one clause per model; nothing else filters by office.
"""

from django.db.models import Q
from wagtail.permission_policies.base import ModelPermissionPolicy

from .models import Office, OfficeMember, Region

_CACHE = "_office_member_cache"


def office_of(user) -> Office | None:
    """The office ``user`` belongs to (remembered on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, _CACHE):
        relation = OfficeMember.user.field.remote_field  # user.office_member
        if relation.is_cached(user):
            # Read with the user (the authentication backend, ``campaign.core.auth``).
            member = relation.get_cached_value(user)
        else:
            member = OfficeMember.objects.select_related("office").filter(user_id=user.pk).first()
        setattr(user, _CACHE, member.office if member else None)
    return getattr(user, _CACHE)


def area_codes(office: Office) -> list[str]:
    """The BPS codes of ``office``'s area (read once per office object)."""
    if not hasattr(office, "_area_codes"):
        office._area_codes = sorted(office.area.values_list("code", flat=True))
    return office._area_codes


def office_area_q(office: Office, path: str = "") -> Q:
    """Rows whose region (at ``path``; "" for regions themselves) lies in ``office``'s area."""
    prefix = f"{path}__" if path else ""
    codes = area_codes(office)
    q = Q(pk__in=[]) if not path else Q(**{f"{prefix}pk__in": []})
    for code in codes:
        q |= Q(**{f"{prefix}code__startswith": code})
    return q


def office_region_ids(office: Office | None):
    """The ids of the regions in ``office``'s area (a subquery); ``None``: every region
    (no office, or the province office)."""
    if office is None or office.is_province:
        return None
    return Region.objects.filter(office_area_q(office)).values("pk")


def area_region_ids(user):
    """The regions ``user`` works in (a subquery of ids); ``None`` means every region."""
    if getattr(user, "is_superuser", False):
        return None
    return office_region_ids(office_of(user))


def user_is_province_wide(user) -> bool:
    return area_region_ids(user) is None


class OfficePolicy(ModelPermissionPolicy):
    """The office tree is the province's to manage: staff of a regency office read their
    own office and change none; the province's staff (with the model permissions) and
    superusers manage every office and its staff."""

    scopes_rows = True

    def _may(self, user, actions):
        actions = set(actions)
        if actions - {"view"} and not user_is_province_wide(user):
            actions = actions & {"view"}
        return actions

    def user_has_permission(self, user, action):
        return bool(self._may(user, [action])) and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, self._may(user, actions))

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = super().instances_user_has_any_permission_for(user, self._may(user, actions))
        if user_is_province_wide(user):
            return queryset
        own = office_of(user)
        return queryset.filter(pk=own.pk if own else None)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        actions = self._may(user, actions)
        if not super().user_has_any_permission(user, actions):
            return False
        if user_is_province_wide(user):
            return True
        own = office_of(user)
        return own is not None and instance.pk == own.pk
