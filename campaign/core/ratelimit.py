"""A fixed-window counter on the shared cache, for rate limits keyed on anything.

Why not a library: the project's cache (file, database or Redis) already holds shared
counters and two budgets need only this; django-ratelimit would add a dependency for the
same few lines. Keys are hashed with the secret key, so no address or username is kept
in the cache in the clear, and nothing is written to the database.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache


def keyed_hash(value: str) -> str:
    """A cache key part for ``value`` (an address, a username) that does not reveal it."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:40]


def hit(key: str, *, limit: int, window: int) -> tuple[bool, int]:
    """Count one hit on ``key``; returns (within the limit, seconds until the window resets)."""
    now = int(time.time())
    start = now - now % window
    cache_key = f"rl:{keyed_hash(key)}:{start}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    return count <= limit, start + window - now


def client_address(request) -> str:
    """The client's address (after ClientAddressMiddleware)."""
    return request.META.get("REMOTE_ADDR", "")
