"""Login throttling: after LOGIN_THROTTLE_FAILURES failed sign-ins for one username from
one address within LOGIN_THROTTLE_WINDOW seconds, the login views answer 429 until the
window has passed.

Failures are counted from Django's ``user_login_failed`` signal, so every login view that
goes through ``authenticate()`` counts (the Wagtail admin, the field app, Wagtail's
private-page login). The counters live only in the cache, under a keyed hash of the
username and address: no IP address is written to the database or kept beyond the window.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .ratelimit import client_address, keyed_hash

DEFAULT_FAILURES = 5
DEFAULT_WINDOW = 15 * 60
DEFAULT_VIEWS = ("wagtailadmin_login", "fieldapp:login", "wagtailcore_login")


def _limits():
    failures = getattr(settings, "LOGIN_THROTTLE_FAILURES", DEFAULT_FAILURES)
    window = getattr(settings, "LOGIN_THROTTLE_WINDOW", DEFAULT_WINDOW)
    return failures, window


def _key(username, address):
    who = f"{(username or '').strip().casefold()}|{address or ''}"
    return f"login-throttle:{keyed_hash(who)}"


def _address(request):
    return client_address(request) if request is not None else ""


def seconds_locked(username, address) -> int:
    """Seconds until this username may try again from this address (0: not locked)."""
    failures, window = _limits()
    entry = cache.get(_key(username, address))
    if not entry or entry["count"] < failures:
        return 0
    return max(int(entry["start"] + window - time.time()), 0)


def failure_record(username, address) -> None:
    failures, window = _limits()
    key = _key(username, address)
    now = time.time()
    entry = cache.get(key)
    if not entry or entry["start"] + window <= now:
        entry = {"count": 0, "start": now}
    entry["count"] += 1
    cache.set(key, entry, timeout=max(int(entry["start"] + window - now), 1))


def failures_clear(username, address) -> None:
    cache.delete(_key(username, address))


def on_login_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    failure_record(credentials.get("username", ""), _address(request))


def on_logged_in(sender, request, user, **kwargs):
    if request is not None:
        failures_clear(user.get_username(), _address(request))


def throttled_response(seconds):
    minutes = max(math.ceil(seconds / 60), 1)
    message = ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    body = format_html(
        '<!doctype html><html><head><meta charset="utf-8"><title>{}</title></head>'
        "<body><h1>{}</h1><p>{}</p></body></html>",
        _("Sign-in paused"),
        _("Sign-in paused"),
        message,
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(max(seconds, 1))
    return response


class LoginThrottleMiddleware:
    """Refuses sign-in POSTs to the login views while their username+address is locked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        views = getattr(settings, "LOGIN_THROTTLE_VIEWS", DEFAULT_VIEWS)
        if request.resolver_match.view_name not in views:
            return None
        seconds = seconds_locked(request.POST.get("username", ""), _address(request))
        return throttled_response(seconds) if seconds else None
