"""The field app's rate limits: two budgets (reads and writes) per signed-in user, on the
shared counter of campaign.core.ratelimit."""

import functools

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

from campaign.core.ratelimit import client_address, hit


def _client_key(request):
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    return "ip" + client_address(request)


DEFAULT_LIMITS = {"read": 120, "write": 60}


def rate_limited(scope: str, *, window: int = 60):
    """Answer 429 (with Retry-After) once a user made more calls in ``window`` seconds
    than ``settings.FIELDAPP_RATE_LIMITS[scope]`` allows."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            limits = {**DEFAULT_LIMITS, **getattr(settings, "FIELDAPP_RATE_LIMITS", {})}
            allowed, retry_after = hit(
                f"fieldapp:{scope}:{_client_key(request)}", limit=limits[scope], window=window
            )
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
