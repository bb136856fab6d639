"""Development and demo settings: DEBUG on, an insecure key, mail kept in the Outbox."""

from .base import *  # noqa: F403
from .base import ANYMAIL_ESP, SECRET_KEY

DEBUG = True
SECRET_KEY = SECRET_KEY or "django-insecure-jemput-bola-development-only"  # noqa: S105
ALLOWED_HOSTS = ["*"]

if not ANYMAIL_ESP:
    # The demo keeps every message in the admin's "Outbox" (Invitations) instead of
    # sending it, with provider-like message IDs so tracking and reports work.
    MAILERS = {"default": {"BACKEND": "campaign.invitations.outbox.OutboxBackend"}}

try:
    from .local import *  # noqa: F403
except ImportError:
    pass
