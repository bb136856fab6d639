"""Settings shared by every environment.

Only this module and ``production.py`` read the environment. Defaults here are safe
for development; production-only values (secrets, HTTPS) live in ``production.py``.
"""

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Absolute base URL of the public site: used in emails, QR codes and feeds.
BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
BASE_URL_FROM_ENVIRONMENT = "BASE_URL" in os.environ
# Where `make demo` serves (scripts/demo-serve); dev.py derives BASE_URL from them.
SERVE_HOST = os.environ.get("HOST", "127.0.0.1")
SERVE_PORT = os.environ.get("PORT", "8000")
# How many reverse proxies of ours stand in front of the app (load balancer = 1, load
# balancer + nginx = 2): the client's address is read from X-Forwarded-For that many hops
# from the right (campaign.core.middleware.ClientAddressMiddleware). 0: REMOTE_ADDR as is.
PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
WAGTAILADMIN_BASE_URL = BASE_URL

# --- Applications -------------------------------------------------------------------

INSTALLED_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "anymail",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "campaign.institutions",
    "campaign.materials",
    "campaign.news",
    "campaign.invitations",
    "campaign.fieldapp",
    "campaign.response",
    # Last: its post_migrate hook assigns permissions created for all apps above.
    "campaign.core",
]

# What `manage.py run_due` runs every minute (cron or a systemd timer on one host; the
# demo's clock): scheduled publishing of pages and embargoed releases, due invitation
# batches and the recovery of a dead worker's chunks, guide packs whose worker died.
RUN_DUE_COMMANDS = [
    "publish_scheduled",
    "send_due_invitations",
    "recover_guide_packs",
    "fetch_official_counts",
    "recover_count_imports",
]

MIDDLEWARE = [
    # First: everything after it sees the client's address (PROXY_HOPS below).
    "campaign.core.middleware.ClientAddressMiddleware",
    # Providers' tracking webhooks go straight to anymail's view (they need none of the rest).
    "campaign.core.middleware.ProviderWebhookMiddleware",
    # Before the rest: a cached public page is answered with the headers stored with it
    # (security headers and policy included) before anything below does any work.
    "campaign.core.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "campaign.core.middleware.AdminContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "campaign.core.middleware.QueryLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "campaign.urls"
WSGI_APPLICATION = "campaign.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
# DATABASE_URL selects the engine: SQLite (the embedded default) or PostgreSQL.

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the task worker's writes; IMMEDIATE takes the write
    # lock at BEGIN so two writers queue on busy_timeout instead of failing with
    # "database is locked" when a read transaction tries to upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
if DATABASE_IS_POSTGRES:
    INSTALLED_APPS.append("django.contrib.postgres")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
# CACHE_URL picks the backend shared by every web worker on a host:
#   file:///var/cache/jemputbola   (default: a directory under the system temp dir)
#   db://django_cache              (DatabaseCache; run `manage.py createcachetable`)
#   redis://host:6379/0            (needs the redis package)
#   locmem://                      (one process only: development)
#   dummy://                       (no caching)
# Several web hosts need a cache they all share (db:// or redis://), or publishing on
# one host would not purge the pages cached by the others.


def cache_from_url(url):
    parts = urlsplit(url)
    if parts.scheme == "file":
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": parts.path,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    if parts.scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": parts.netloc or "django_cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    if parts.scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if parts.scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if parts.scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ValueError(f"CACHE_URL: unsupported scheme {parts.scheme!r}")


# One directory per checkout and database, so two projects on a machine never share pages.
_CACHE_DIR = Path(tempfile.gettempdir()) / (
    "jemputbola-cache-"
    + hashlib.sha256(f"{BASE_DIR}|{DATABASES['default']['NAME']}".encode()).hexdigest()[:10]
)
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", f"file://{_CACHE_DIR}"))}
# Anonymous public pages (Wagtail pages, feeds, sitemap) are kept this many seconds, and
# purged at once when a page is published or unpublished. 0 turns the page cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
PAGE_CACHE_SECONDS_FROM_ENVIRONMENT = "PAGE_CACHE_SECONDS" in os.environ

# --- Background tasks ---------------------------------------------------------------
# TASKS_BACKEND: "database" (django-tasks-db, default), "immediate", or a dotted path.

_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "dummy": "django.tasks.backends.dummy.DummyBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS.get(TASKS_BACKEND, TASKS_BACKEND),
        "QUEUES": [],
    }
}

# --- Email (django-anymail) ---------------------------------------------------------
# ANYMAIL_ESP names an anymail provider ("postmark", "mailgun", "brevo", "amazon_ses",
# ...); without it, mail goes to the console (development).

ANYMAIL_ESP = os.environ.get("ANYMAIL_ESP", "").strip().lower()
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and key != "ANYMAIL_ESP"
}
if "WEBHOOK_SECRET" in ANYMAIL:
    # Several secrets (comma-separated) allow rotation without downtime.
    ANYMAIL["WEBHOOK_SECRET"] = env_list("ANYMAIL_WEBHOOK_SECRET")
if ANYMAIL_ESP:
    MAILERS = {"default": {"BACKEND": f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"}}
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# Batch sending: one provider call for up to 250 invitations, each still rendered here and
# handed over whole as merge data. Only for a provider whose merge fields are known (Mailgun;
# invitations.services.sending.BATCH_FIELDS) or described in INVITATIONS_BATCH_FIELDS; any
# other keeps one call per message.
INVITATIONS_BATCH_SEND = env_bool("INVITATIONS_BATCH_SEND", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "BPS Provinsi NTT <sensus@ntt.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- WhatsApp and SMS (campaign.invitations.channels) ---------------------------------
# WHATSAPP_PROVIDER=cloud_api sends approved templates through the WhatsApp Business Cloud
# API (pywa); SMS_PROVIDER=twilio sends SMS through Twilio. Without them both channels go
# to the console/outbox backends (nothing leaves the machine). A dotted path in
# WHATSAPP_BACKEND / SMS_BACKEND names any other backend.

_WHATSAPP_BACKENDS = {
    "cloud_api": "campaign.invitations.channels.whatsapp.CloudApiBackend",
    "outbox": "campaign.invitations.channels.outbox.OutboxWhatsAppBackend",
}
_SMS_BACKENDS = {
    "twilio": "campaign.invitations.channels.sms.TwilioSmsBackend",
    "outbox": "campaign.invitations.channels.outbox.OutboxSmsBackend",
    "console": "campaign.invitations.channels.outbox.ConsoleSmsBackend",
}
WHATSAPP_PROVIDER = os.environ.get("WHATSAPP_PROVIDER", "outbox").strip().lower()
WHATSAPP_BACKEND = os.environ.get("WHATSAPP_BACKEND") or _WHATSAPP_BACKENDS.get(
    WHATSAPP_PROVIDER, WHATSAPP_PROVIDER
)
WHATSAPP_PHONE_ID = os.environ.get("WHATSAPP_PHONE_ID", "")
WHATSAPP_TOKEN = os.environ.get("WHATSAPP_TOKEN", "")
WHATSAPP_API_VERSION = os.environ.get("WHATSAPP_API_VERSION", "")
# The webhook: Meta signs each POST with the app secret (several, comma-separated, for a
# rotation) and verifies the subscription with the verify token.
WHATSAPP_APP_SECRET = env_list("WHATSAPP_APP_SECRET")
WHATSAPP_VERIFY_TOKEN = os.environ.get("WHATSAPP_VERIFY_TOKEN", "")
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "outbox").strip().lower()
SMS_BACKEND = os.environ.get("SMS_BACKEND") or _SMS_BACKENDS.get(SMS_PROVIDER, SMS_PROVIDER)
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM = os.environ.get("TWILIO_FROM", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
# The public URL of our status callback (https://<host>/webhooks/twilio/sms/): given to
# Twilio with each SMS, and the URL its signature is checked against.
TWILIO_STATUS_CALLBACK = os.environ.get("TWILIO_STATUS_CALLBACK", "")

# --- Passwords and sessions ---------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
# The field app keeps a member signed in this long on a phone they mark as trusted.
FIELDAPP_SESSION_DAYS = 60
# Field app API calls per user and minute (reads, writes); see campaign/fieldapp/ratelimit.py.
FIELDAPP_RATE_LIMITS = {"read": 120, "write": 60}

# --- Internationalisation -----------------------------------------------------------

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Makassar"  # WITA, UTC+8
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
# Indonesia's three zones (WIB, WITA, WIT) on the account page, not the system's whole
# list, whose "localtime" entry the browser refuses (a console error on that page).
WAGTAIL_USER_TIME_ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]

# --- Static and media ---------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# An internal nginx location aliasing MEDIA_ROOT ("/_media/"): the app checks each /media/
# request and hands the file to the proxy with X-Accel-Redirect. Empty: the app streams it.
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Security headers shared by all environments ------------------------------------
# Public pages carry no inline script or style: everything is a static file or carries
# the per-request nonce.

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# The signed-in Wagtail admin (campaign/core/middleware.py): Wagtail 8 cannot run under a
# strict script-src (wagtail/wagtail#1288). Its chooser, date and inline-panel widgets and
# its chooser modals execute inline <script> blocks, and its components set inline styles,
# so both need 'unsafe-inline' (a nonce would switch 'unsafe-inline' off, so none is sent).
# Upload previews are blob: URLs. No 'unsafe-eval', no other origin: scripts, styles,
# fonts and fetches still come from this site only, objects stay off, frames stay refused
# (the live preview allows itself, see the middleware). The login and password-reset pages
# keep SECURE_CSP.
SECURE_CSP_ADMIN = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    # WhatsApp click-to-chat: the batch's recipient list posts a tap, then goes to wa.me
    # (which forwards to api.whatsapp.com); form-action also covers the redirect.
    "form-action": [CSP.SELF, "https://wa.me", "https://api.whatsapp.com"],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Login throttling (campaign/core/throttle.py) ------------------------------------
# After this many failed sign-ins for one username from one address within the window
# (seconds), the login views answer 429 until the window ends. Counters live in the cache
# only.

LOGIN_THROTTLE_FAILURES = 5
LOGIN_THROTTLE_WINDOW = 15 * 60
LOGIN_THROTTLE_VIEWS = ["wagtailadmin_login", "fieldapp:login", "wagtailcore_login"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "campaign.core.throttle.LoginThrottleMiddleware",
)

# Django's model backend, reading the user's office with the user and their own and
# their groups' permissions in one query (campaign/core/auth.py).
AUTHENTICATION_BACKENDS = ["campaign.core.auth.ModelBackend"]

# --- Wagtail ------------------------------------------------------------------------

# Official response by area (campaign.response): an area is green at or above the share
# of its goal expected by the day of the figures, amber up to this many points of the
# goal below it, red further below. A Django setting, not a site setting: it is the
# method behind every report and the public page, changed by a decision recorded with
# the deploy, not by a click, and reading it costs the dashboard no query.
RESPONSE_RAG = {"amber_points": 7.5}
# An institution counts as completed ("completion reported") once it reports at least
# this share of its staff done with the online form (campaign.institutions.completion).
# Same reasoning as RESPONSE_RAG: a method, changed with a recorded decision.
INSTITUTION_COMPLETION_THRESHOLD_PERCENT = 75
# How long an institution's "report your staff's progress" link works.
INSTITUTION_COMPLETION_LINK_DAYS = 180

WAGTAIL_SITE_NAME = "Jemput Bola"
# Wagtail's database backend with every query cleaned first (campaign/core/search.py).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "campaign.core.search"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_I18N_ENABLED = False
# No Gravatar: avatars would leak staff emails to a third party (and CSP blocks them).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Logging ------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
