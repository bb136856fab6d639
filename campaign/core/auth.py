"""The authentication backend: Django's model backend, with the reads every signed-in
admin page makes folded into fewer queries. The same users, permissions and checks."""

from django.contrib.auth import backends, get_user_model


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        """The signed-in user with their office and its site section
        (``campaign.core.offices.office_of``, which every permission policy's area rule and
        the page permission policy ask) in the same query."""
        try:
            user = (
                get_user_model()
                ._default_manager.select_related("office_member__office__section")
                .get(pk=user_id)
            )
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """The user's own permissions and their groups' in one query (a UNION of
        Django's two), cached on the user object for the request as Django does."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None or user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj=obj)
        if not hasattr(user_obj, "_perm_cache"):
            columns = ("content_type__app_label", "codename")
            own = self._get_user_permissions(user_obj).values_list(*columns).order_by()
            groups = self._get_group_permissions(user_obj).values_list(*columns).order_by()
            user_obj._perm_cache = {
                f"{app_label}.{codename}" for app_label, codename in own.union(groups).order_by()
            }
        return user_obj._perm_cache
