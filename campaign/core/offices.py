"""Offices: whose area a user works in, and who may manage the office tree.

A user's *area* is the regions of their office and every region under them (a region's
BPS code starts with its parent's). The province office (no parent), staff in no
office and superusers have no area limit: ``area_region_ids`` answers ``None`` for them.
The permission policies (``campaign.institutions.policies.ScopedPermissionPolicy``)
turn the area into one clause per model; nothing else filters by office.
"""

from django.db.models import Q
from wagtail.models import GroupPagePermission
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy

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
            member = (
                OfficeMember.objects.select_related("office", "office__section")
                .filter(user_id=user.pk)
                .first()
            )
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


class ProvinceOnlyPolicy(ModelPermissionPolicy):
    """Lists that lie in no region but hold every office's contacts' personal data (the
    email and phone suppression lists, the demo Outbox): the province's staff and
    superusers, with the model permissions, only. A regency office's staff get none of
    them: undoing another office's contact's unsubscribe, or reading its messages, is
    not theirs to do (they ask the province). Wagtail's other checks (any action, an
    instance, the rows listed) all ask this one."""

    def user_has_permission(self, user, action):
        return user_is_province_wide(user) and super().user_has_permission(user, action)


class OfficePagePermissionPolicy(PagePermissionPolicy):
    """Wagtail's page permissions, with a regency office's staff held to their office's
    section of the site tree.

    Roles grant page permissions as Wagtail does (``GroupPagePermission`` rows, on the root
    for the role groups). For staff of a regency office, a permission granted at or above
    their office's ``section`` applies from the section down, one granted inside it stays
    where it is, and any other is dropped; without a section they hold none. The province
    office's staff, staff in no office and superusers keep what their groups grant. Every
    page view, the explorer, choosers, the menu and bulk actions read the permissions
    through this policy (Wagtail's policy registry), so nothing else checks offices.
    """

    def get_all_permissions_for_user(self, user):
        permissions = super().get_all_permissions_for_user(user)
        office = office_of(user)
        if office is None or office.is_province:
            return permissions
        section = office.section
        if section is None:
            return []
        held = {}
        for permission in permissions:
            if section.path.startswith(permission.page.path):
                # Granted at or above the section: it applies from the section down.
                held[(permission.group_id, permission.permission_id, section.pk)] = GroupPagePermission(
                    group_id=permission.group_id, page=section, permission=permission.permission
                )
            elif permission.page.path.startswith(section.path):
                held[(permission.group_id, permission.permission_id, permission.page_id)] = permission
        return list(held.values())

    def users_with_any_permission_for_instance(self, actions, instance, include_superusers=True):
        """Who may act on ``instance`` (e.g. whom a moderation request notifies): not the
        staff of regency offices whose section does not hold it."""
        users = super().users_with_any_permission_for_instance(actions, instance, include_superusers)
        elsewhere = (
            OfficeMember.objects.filter(office__parent__isnull=False)
            .exclude(office__section__in=instance.get_ancestors(inclusive=True))
            .values("user_id")
        )
        return users.exclude(Q(pk__in=elsewhere) & Q(is_superuser=False))
