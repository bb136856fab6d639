"""Test settings: fast, isolated, no network, tasks run immediately."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, LOGGING

DEBUG = False
SECRET_KEY = "tests-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
BASE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = BASE_URL
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
ANYMAIL = {"WEBHOOK_SECRET": ["username:password"]}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".pytest_media"
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
# Serve static files from the finders; tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# One process: an in-memory cache. The page cache is off so that tests never see a page
# cached by an earlier test; tests/news/test_cache.py turns it on.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PAGE_CACHE_SECONDS = 0

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The browser tests' live server answers Chromium's parallel requests on several
    # threads. An in-memory test database is one connection that Django hands to every
    # server thread, and SQLite's Python driver fails when two threads use one
    # connection at once ("bad parameter or other API misuse", a 500 in a journey). A
    # file gives each thread its own connection; WAL and the busy timeout queue writers.
    # The process id keeps two runs (two checkouts, or two terminals) apart; Django
    # deletes the file when the run ends.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"jemputbola-test-{os.getpid()}.sqlite3")
    }

# WhatsApp and SMS: the outbox backends (tests that need a provider set their own); the
# webhook's secrets are the tests' own.
WHATSAPP_BACKEND = "campaign.invitations.channels.outbox.OutboxWhatsAppBackend"
SMS_BACKEND = "campaign.invitations.channels.outbox.OutboxSmsBackend"
WHATSAPP_APP_SECRET = ["test-app-secret"]
WHATSAPP_VERIFY_TOKEN = "test-verify-token"  # noqa: S105
