"""Development and demo settings: DEBUG on, an insecure key, mail kept in the Outbox."""

from .base import *  # noqa: F403
from .base import ANYMAIL_ESP, BASE_URL_FROM_ENVIRONMENT, SECRET_KEY, SERVE_HOST, SERVE_PORT

DEBUG = True
SECRET_KEY = SECRET_KEY or "django-insecure-jemput-bola-development-only"  # noqa: S105
ALLOWED_HOSTS = ["*"]

if not BASE_URL_FROM_ENVIRONMENT:
    # `make demo PORT=8101`: emails, QR codes and printed links point where the demo
    # serves. A wildcard listen address is reached on the loopback.
    _host = "127.0.0.1" if SERVE_HOST in ("0.0.0.0", "::", "") else SERVE_HOST  # noqa: S104
    _host = f"[{_host}]" if ":" in _host else _host
    BASE_URL = f"http://{_host}:{SERVE_PORT}"
    WAGTAILADMIN_BASE_URL = BASE_URL

if not ANYMAIL_ESP:
    # The demo keeps every message in the admin's "Outbox" (Invitations) instead of
    # sending it, with provider-like message IDs so tracking and reports work.
    MAILERS = {"default": {"BACKEND": "campaign.invitations.outbox.OutboxBackend"}}

try:
    from .local import *  # noqa: F403
except ImportError:
    pass
