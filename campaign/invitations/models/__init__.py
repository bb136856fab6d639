"""The invitations app's models: what is sent (templates, audiences, batches, one row per
recipient) and what came back (tracking events, suppressions, RSVP answers)."""

from .letters import Letter, LetterCounter, LetterTemplate  # noqa: F401
from .messaging import (  # noqa: F401
    PHONE_CHANNELS,
    Audience,
    Batch,
    Channel,
    ChannelSuppression,
    ChatTap,
    EmailTemplate,
    Recipient,
    RsvpAnswer,
)
from .tracking import OutboxMessage, Suppression, TrackingEvent  # noqa: F401
