"""A small fixed-window rate limiter on the shared cache.

Why not a library: the field app needs one decorator with two budgets (reads and writes
per user), and the project's cache (file, database or Redis) already holds shared
counters; a few lines keep the dependency list short.
"""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.utils.translation import gettext as _


def _client_key(request):
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    return "ip" + request.META.get("REMOTE_ADDR", "")


def hit(key: str, *, limit: int, window: int) -> tuple[bool, int]:
    """Count one hit on ``key``; returns (allowed, seconds until the window resets)."""
    now = int(time.time())
    start = now - now % window
    cache_key = f"fieldapp:rl:{key}:{start}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    return count <= limit, start + window - now


DEFAULT_LIMITS = {"read": 120, "write": 60}


def rate_limited(scope: str, *, window: int = 60):
    """Answer 429 (with Retry-After) once a user made more calls in ``window`` seconds
    than ``settings.FIELDAPP_RATE_LIMITS[scope]`` allows."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            limits = {**DEFAULT_LIMITS, **getattr(settings, "FIELDAPP_RATE_LIMITS", {})}
            allowed, retry_after = hit(f"{scope}:{_client_key(request)}", limit=limits[scope], window=window)
            if not allowed:
                response = JsonResponse(
                    {"error": _("Too many requests. Wait a minute and try again."), "code": "rate_limited"},
                    status=429,
                )
                response["Retry-After"] = str(max(retry_after, 1))
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
