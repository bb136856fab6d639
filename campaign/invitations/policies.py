"""Who may see and change which audiences, batches and recipients (see
``campaign.institutions.policies``): the model permissions of the roles, narrowed to the
rows of the user's office area. An audience or batch belongs to its creator's office; a
regency office's staff reach their own office's, the province's staff every one."""

from wagtail.permissions import policy_registry, register_permission_policy

from campaign.institutions.policies import ReadOnlyPolicyMixin, ScopedPermissionPolicy


class AudiencePolicy(ScopedPermissionPolicy):
    region_paths = ("office__area",)


class BatchPolicy(ScopedPermissionPolicy):
    region_paths = ("office__area",)


class RecipientPolicy(ScopedPermissionPolicy):
    region_paths = ("institution__region",)


class LetterPolicy(ReadOnlyPolicyMixin, ScopedPermissionPolicy):
    """The register of outgoing letters: an office's own agenda (its letters' batches
    belong to its area), the province's staff every office's. Letters are numbered by
    sending their batch, never written by hand."""

    region_paths = ("office__area",)


class TrackingEventPolicy(ScopedPermissionPolicy):
    region_paths = ("recipient__institution__region",)


def register_policies():
    from campaign.core.offices import ProvinceOnlyPolicy

    from .models import (
        Audience,
        Batch,
        ChannelSuppression,
        Letter,
        OutboxMessage,
        Recipient,
        Suppression,
        TrackingEvent,
    )

    for model, policy_class in (
        (Suppression, ProvinceOnlyPolicy),
        (ChannelSuppression, ProvinceOnlyPolicy),
        (OutboxMessage, ProvinceOnlyPolicy),
        (Audience, AudiencePolicy),
        (Batch, BatchPolicy),
        (Recipient, RecipientPolicy),
        (Letter, LetterPolicy),
        (TrackingEvent, TrackingEventPolicy),
    ):
        if not isinstance(policy_registry.get_by_type(model, fallback=False), policy_class):
            register_permission_policy(model, policy_class(model))
