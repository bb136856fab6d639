"""Benchmark settings: production-like (DEBUG off, real task backend) but local."""

from .base import *  # noqa: F403

SECRET_KEY = "bench-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
