"""The field app: its shell, service worker, manifest, sign-in and JSON API.

The API answers JSON only, in the person's language: 400 for a payload it cannot accept,
401 when the session has ended, 403 for another team's work, 409 for an edit made on a
stale copy, 429 when rate-limited. Writes go through ``services``.
"""

import datetime
import functools
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods

from campaign.core.ids import parse_id
from campaign.institutions.models import GuidedSession, Team
from campaign.institutions.services import NotYourTeam

from . import selectors, services
from .payloads import PayloadError, meeting_payload, parse_json, session_create_payload, session_edit_payload
from .ratelimit import rate_limited
from .strings import app_strings

SHELL_ASSETS = [
    "fieldapp/app.css",
    "fieldapp/store.js",
    "fieldapp/app.js",
    "fieldapp/icon.svg",
]
OPENAPI = Path(__file__).with_name("openapi.json")


def _error(message, status, code, **extra):
    return JsonResponse({"error": message, "code": code, **extra}, status=status)


def api_view(methods, scope):
    """Signed-in JSON endpoint: method check, rate limit, and the app's error answers."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return _error(_("Your sign-in has ended. Sign in again."), 401, "login_required")
            try:
                return view(request, *args, **kwargs)
            except PayloadError as error:
                return JsonResponse(error.as_dict(), status=400)
            except ValidationError as error:
                return JsonResponse(PayloadError.from_validation_error(error).as_dict(), status=400)
            except NotYourTeam as error:
                return _error(str(error), 403, "not_your_team")

        return require_http_methods(methods)(rate_limited(scope)(never_cache(wrapper)))

    return decorator


def _team_or_error(user, team_id):
    team = Team.objects.select_related("campaign", "area").filter(pk=team_id).first()
    if team is None:
        raise PayloadError(_("No such team."), {"team": [_("No such team.")]})
    services.team_check(user=user, team=team)
    return team


# --- Pages ----------------------------------------------------------------------------


@never_cache
@ensure_csrf_cookie
def shell(request):
    """The app shell: the same HTML for every member (their data comes from the API),
    so the service worker can keep it for offline starts."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('fieldapp:login')}?next={reverse('fieldapp:shell')}")
    return HttpResponse(
        render_to_string(
            "fieldapp/shell.html",
            {"strings": app_strings(), "api": _api_urls(), "version": asset_version()},
            request=request,
        )
    )


# Indonesia's three time zones, as people write them after a time.
ZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def _api_urls():
    return {
        "week": reverse("fieldapp:api_week"),
        "sessions": reverse("fieldapp:api_sessions"),
        "meetings": reverse("fieldapp:api_meetings"),
        "login": reverse("fieldapp:login"),
        "shell": reverse("fieldapp:shell"),
        "sw": reverse("fieldapp:sw"),
        # The app shows and reads times on the campaign's clock, not the phone's.
        "clock": {
            "timeZone": settings.TIME_ZONE,
            "label": ZONE_LABELS.get(settings.TIME_ZONE, settings.TIME_ZONE),
        },
    }


@functools.cache
def _asset_version_cached():
    return _asset_version()


def _asset_version():
    digest = hashlib.sha256()
    for name in SHELL_ASSETS:
        path = finders.find(name)
        digest.update(Path(path).read_bytes() if path else name.encode())
    for template in ("shell.html", "sw.js"):
        digest.update((settings.BASE_DIR / "templates" / "fieldapp" / template).read_bytes())
    return digest.hexdigest()[:12]


def asset_version():
    return _asset_version() if settings.DEBUG else _asset_version_cached()


@require_GET
def service_worker(request):
    """Served from /lapangan/ so that its scope is the whole app; its text changes with
    every asset, which makes browsers install the new version."""
    body = render_to_string(
        "fieldapp/sw.js",
        {
            "version": asset_version(),
            "shell_url": reverse("fieldapp:shell"),
            "week_url": reverse("fieldapp:api_week"),
            "store_url": static("fieldapp/store.js"),
            "assets_json": json.dumps(
                [reverse("fieldapp:shell"), reverse("fieldapp:manifest")] + [static(a) for a in SHELL_ASSETS]
            ),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    data = {
        "name": _("Jemput Bola – field app"),
        "short_name": _("Field app"),
        "description": _("Record guided sessions, with or without a signal."),
        "lang": request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else settings.LANGUAGE_CODE,
        "start_url": reverse("fieldapp:shell"),
        "scope": reverse("fieldapp:shell"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b3d91",
        "icons": [
            {"src": static("fieldapp/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
            {"src": static("fieldapp/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("fieldapp/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


class LoginView(auth_views.LoginView):
    """A light sign-in page for phones (the admin's would cost the first load several
    hundred kilobytes). "Keep me signed in" keeps the session for FIELDAPP_SESSION_DAYS."""

    template_name = "fieldapp/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("fieldapp:shell")

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.POST.get("remember"):
            self.request.session.set_expiry(getattr(settings, "FIELDAPP_SESSION_DAYS", 60) * 86400)
        else:
            self.request.session.set_expiry(0)
        return response


class LogoutView(auth_views.LogoutView):
    next_page = "fieldapp:login"


@require_GET
def openapi(request):
    response = HttpResponse(OPENAPI.read_bytes(), content_type="application/json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- API ------------------------------------------------------------------------------


@api_view(["GET"], "read")
def api_week(request):
    teams = selectors.app_teams(request.user)
    team_id = request.GET.get("team")
    if team_id:
        team = _team_or_error(request.user, parse_id(team_id))
    elif teams:
        team = teams[0]
    else:
        return _error(_("You are not a member of any team. Ask the dissemination staff."), 403, "no_team")
    week = None
    if request.GET.get("week"):
        try:
            week = datetime.date.fromisoformat(request.GET["week"])
        except ValueError:
            raise PayloadError(
                _("Not a date (use YYYY-MM-DD)."), {"week": [_("Not a date (use YYYY-MM-DD).")]}
            ) from None
    return JsonResponse(selectors.week_data(user=request.user, team=team, week=week))


@api_view(["POST"], "write")
def api_sessions(request):
    data = session_create_payload(parse_json(request.body))
    team = _team_or_error(request.user, data.pop("team"))
    upload = services.session_upload(
        user=request.user,
        client_id=data.pop("client_id"),
        team=team,
        institution_id=data.pop("institution"),
        **data,
    )
    session = GuidedSession.objects.select_related("institution").get(pk=upload.session.pk)
    return JsonResponse(
        {"session": selectors.session_dict(session), "created": upload.created},
        status=201 if upload.created else 200,
    )


@api_view(["PUT", "PATCH"], "write")
def api_session(request, pk):
    session = GuidedSession.objects.select_related("team", "institution").filter(pk=pk).first()
    if session is None:
        return _error(_("This session no longer exists."), 404, "not_found")
    services.team_check(user=request.user, team=session.team)
    data = session_edit_payload(parse_json(request.body))
    base = data.pop("base_updated_at")
    try:
        session = services.session_edit(user=request.user, session=session, base_updated_at=base, **data)
    except services.EditConflict as conflict:
        yours = {k: v for k, v in json.loads(request.body).items() if k != "photo"}
        return _error(
            _("Someone changed this session on another phone. The server's version was kept."),
            409,
            "conflict",
            server=selectors.session_dict(conflict.session),
            yours=yours,
        )
    session = GuidedSession.objects.select_related("institution").get(pk=session.pk)
    return JsonResponse({"session": selectors.session_dict(session), "created": False})


@api_view(["POST"], "write")
def api_meetings(request):
    data = meeting_payload(parse_json(request.body))
    team = _team_or_error(request.user, data.pop("team"))
    meeting = services.meeting_attend(
        user=request.user,
        team=team,
        district_id=data["district"],
        date=data["date"],
        attendees=data.get("attendees", 0),
        notes=data.get("notes", ""),
    )
    meeting = type(meeting).objects.select_related("district").get(pk=meeting.pk)
    return JsonResponse({"meeting": selectors.meeting_dict(meeting)}, status=200)
