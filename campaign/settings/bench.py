"""Benchmark settings: production-like (DEBUG off, real task backend) but local."""

from .base import *  # noqa: F403
from .base import PAGE_CACHE_SECONDS, PAGE_CACHE_SECONDS_FROM_ENVIRONMENT

SECRET_KEY = "bench-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# In-process benchmarks (Django's test client) measure rendering, not the public page
# cache; bench/bench_news.py sets PAGE_CACHE_SECONDS for the gunicorn servers it starts.
PAGE_CACHE_SECONDS = PAGE_CACHE_SECONDS if PAGE_CACHE_SECONDS_FROM_ENVIRONMENT else 0
# The project's URLs plus a bare view, the reference for the page-cache hit.
ROOT_URLCONF = "bench.urls"
