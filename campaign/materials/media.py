"""Every request under MEDIA_URL, in development and production alike: no uploaded file
is served by its name alone.

- ``images/`` (renditions: what pages show) is served unless its image is withheld
  (campaign.materials.embargo: used by an embargoed or draft page and by nothing live);
  staff signed in to the admin see withheld ones too, media partners through their link.
- ``sessions/`` (field photos) only to the session's team and to those who see all teams.
- ``original_images/`` only to staff signed in to the admin.
- everything else (``documents/``: through Wagtail's serve view with its checks; guide
  packs: through the admin) is not found.

The file goes out through the proxy when ``MEDIA_ACCEL_REDIRECT`` names an internal
nginx location (``X-Accel-Redirect``; docs/operations.md), else the app streams it from
the storage (filesystem or a private bucket).
"""

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from wagtail.images import get_image_model

from . import embargo

PUBLIC_MAX_AGE = 24 * 60 * 60


def _clean(path: str) -> str:
    name = posixpath.normpath(path)
    if name.startswith(("/", "..")) or "\x00" in name or name != path:
        raise Http404
    return name


def _is_staff(user) -> bool:
    return user.is_authenticated and user.has_perm("wagtailadmin.access_admin")


def _may_see_session(user, session) -> bool:
    from campaign.institutions.dashboard import teams_of
    from campaign.institutions.services import user_sees_all_teams

    if not user.is_authenticated:
        return False
    return user_sees_all_teams(user) or teams_of(user).filter(pk=session.team_id).exists()


def rendition_image_id(name: str):
    rendition_model = get_image_model().get_rendition_model()
    return rendition_model.objects.filter(file=name).values_list("image_id", flat=True).first()


def send_file(name: str, *, public: bool):
    """The stored file ``name`` as a response, cacheable by everyone or by nobody."""
    if not default_storage.exists(name):
        raise Http404
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    if prefix:
        response = HttpResponse(content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        response = FileResponse(default_storage.open(name, "rb"))
    if public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def serve_media(request, path):
    name = _clean(path)
    if name.startswith("images/"):
        image_id = rendition_image_id(name)
        if image_id is None:
            raise Http404
        if not embargo.image_is_withheld(image_id):
            return send_file(name, public=True)
        if _is_staff(request.user):
            return send_file(name, public=False)
        raise Http404
    if name.startswith("sessions/"):
        from campaign.institutions.models import GuidedSession

        session = GuidedSession.objects.filter(photo=name).first()
        if session is not None and _may_see_session(request.user, session):
            return send_file(name, public=False)
        raise Http404
    if name.startswith("original_images/") and _is_staff(request.user):
        return send_file(name, public=False)
    raise Http404
