"""Production settings: HTTPS everywhere, secrets required, PostgreSQL expected.

Start-up stops with ImproperlyConfigured when a required secret is missing, so a
misconfigured host never serves traffic.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ANYMAIL, ANYMAIL_ESP, DATABASES, WHATSAPP_APP_SECRET, WHATSAPP_PROVIDER, env_bool

DEBUG = False

# Persistent database connections unless DATABASE_CONN_MAX_AGE says otherwise (0 turns
# them off): opening a connection per request costs 2-4 ms of CPU, a third of a rendered
# page's budget (docs/performance.md). Health-checked before reuse (base settings).
if "DATABASE_CONN_MAX_AGE" not in os.environ:
    DATABASES["default"]["CONN_MAX_AGE"] = 60

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random value of at least 50 characters.")
if not ANYMAIL.get("WEBHOOK_SECRET"):
    raise ImproperlyConfigured(
        "ANYMAIL_WEBHOOK_SECRET must be set (user:password for the provider's tracking "
        "webhook); without it anyone could post fake delivery events."
    )
if not ANYMAIL_ESP:
    raise ImproperlyConfigured(
        "ANYMAIL_ESP must name the email provider (for example postmark, mailgun, brevo)."
    )

if WHATSAPP_PROVIDER == "cloud_api" and not WHATSAPP_APP_SECRET:
    raise ImproperlyConfigured(
        "WHATSAPP_APP_SECRET must be set with the Cloud API: it verifies the signature of "
        "Meta's delivery webhooks."
    )

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
