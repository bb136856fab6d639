"""Permission helpers shared by the apps' admin views and menus."""

from django.core.exceptions import PermissionDenied
from wagtail.admin.menu import MenuItem


def permission_require(request, permission):
    """Refuse (403) a user without ``permission``."""
    if not request.user.has_perm(permission):
        raise PermissionDenied


class PermissionMenuItem(MenuItem):
    """An admin menu item shown only to users with ``permission``."""

    def __init__(self, *args, permission, **kwargs):
        self.permission = permission
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return request.user.has_perm(self.permission)
