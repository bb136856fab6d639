"""Who may see and change which audiences, batches and recipients (see
``campaign.institutions.policies``): the model permissions of the roles, narrowed to the
rows of the user's office area. An audience or batch belongs to its creator's office; a
regency office's staff reach their own office's, the province's staff every one."""

from wagtail.permissions import policy_registry, register_permission_policy

from campaign.institutions.policies import ScopedPermissionPolicy


class AudiencePolicy(ScopedPermissionPolicy):
    region_paths = ("office__area",)


class BatchPolicy(ScopedPermissionPolicy):
    region_paths = ("office__area",)


class RecipientPolicy(ScopedPermissionPolicy):
    region_paths = ("institution__region",)


class LetterPolicy(ScopedPermissionPolicy):
    """The register of outgoing letters: an office's own agenda (its letters' batches
    belong to its area), the province's staff every office's."""

    region_paths = ("office__area",)
    # Letters are numbered by sending their batch, never written by hand.
    _WRITE = {"add", "change", "delete"}

    def user_has_permission(self, user, action):
        return action not in self._WRITE and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [a for a in actions if a not in self._WRITE])

    def user_has_permission_for_instance(self, user, action, instance):
        return action not in self._WRITE and super().user_has_permission_for_instance(user, action, instance)


class TrackingEventPolicy(ScopedPermissionPolicy):
    region_paths = ("recipient__institution__region",)


def register_policies():
    from .models import Audience, Batch, Letter, Recipient, TrackingEvent

    for model, policy_class in (
        (Audience, AudiencePolicy),
        (Batch, BatchPolicy),
        (Recipient, RecipientPolicy),
        (Letter, LetterPolicy),
        (TrackingEvent, TrackingEventPolicy),
    ):
        if not isinstance(policy_registry.get_by_type(model, fallback=False), policy_class):
            register_permission_policy(model, policy_class(model))
