"""Security headers on public, admin and token pages; HSTS under the production settings;
media only through the views that check access."""

import pytest
from django.test import Client
from django.urls import resolve

from tests.core.test_settings import _manage
from tests.http import drain
from tests.security.test_permissions import url_for

pytestmark = pytest.mark.django_db

PAGES = [
    ("public", "/", None),
    ("public", "/berita/", None),
    ("feed", "news:feed_rss", None),
    ("admin", "wagtailadmin_home", "admin"),
    ("admin", "institutions_dashboard", "editor"),
    ("field app", "fieldapp:shell", "member"),
    ("login", "fieldapp:login", None),
    ("login", "wagtailadmin_login", None),
    ("token", "materials:press_preview", None),
    ("token", "invitations:rsvp", None),
    ("token", "institutions:completion_report", None),
    ("token", "materials:guide_download", None),
]


def _directives(header):
    return {part.strip().split(" ")[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(("kind", "name", "user"), PAGES, ids=[p[1] for p in PAGES])
def test_security_headers(world, kind, name, user):
    client = Client()
    if user:
        client.force_login(world.users[user])
    response = client.get(url_for(world, name, "token"))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    if response["Content-Type"].startswith("text/html"):
        csp = _directives(response["Content-Security-Policy"])
        assert "'unsafe-eval'" not in csp["script-src"]
        assert csp["frame-ancestors"] == "frame-ancestors 'none'"
        assert "object-src 'none'" in csp["object-src"]
        assert csp["default-src"] == "default-src 'self'"
        assert csp["connect-src"] == "connect-src 'self'"
        if kind == "admin":
            # Wagtail's admin runs inline scripts (settings.SECURE_CSP_ADMIN); a nonce
            # would make browsers ignore 'unsafe-inline'.
            assert csp["script-src"] == "script-src 'self' 'unsafe-inline'"
            assert csp["style-src"] == "style-src 'self' 'unsafe-inline'"
        else:
            assert "'unsafe-inline'" not in csp["script-src"]
            assert "'unsafe-inline'" not in csp["style-src"]


@pytest.mark.parametrize(
    "name",
    ["wagtailadmin_login", "wagtailadmin_password_reset", "wagtailadmin_home", "institutions_dashboard"],
)
def test_admin_pages_anyone_can_open_keep_the_strict_policy(world, name):
    """The login and password-reset pages, and any admin URL opened signed out (which
    redirects to the login), get the public policy: nothing inline without the nonce."""
    response = Client().get(url_for(world, name))
    csp = _directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]


def test_the_admin_preview_may_be_framed_by_the_admin_only(world):
    """Wagtail's live preview frames the preview view (X-Frame-Options SAMEORIGIN); its
    policy follows with frame-ancestors 'self'. The editor itself stays 'none'."""
    client = Client()
    client.force_login(world.users["admin"])
    news = world.objects["news"]
    edit = client.get(f"/admin/pages/{news.pk}/edit/")
    assert _directives(edit["Content-Security-Policy"])["frame-ancestors"] == "frame-ancestors 'none'"
    preview = client.get(f"/admin/pages/{news.pk}/edit/preview/?mode=")
    assert preview.status_code == 200
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert _directives(preview["Content-Security-Policy"])["frame-ancestors"] == "frame-ancestors 'self'"


def test_hsts_with_the_production_values(world, settings):
    """The production values (tests/core/test_settings.py checks production.py sets them)."""
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    for path in (
        "/",
        url_for(world, "wagtailadmin_home"),
        url_for(world, "materials:press_preview", "token"),
    ):
        response = Client().get(path, secure=True)
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_production_serves_media_only_through_the_checking_view():
    code = (
        "from django.urls import resolve;"
        "f = resolve('/media/original_images/anything.jpg').func;"
        "print(f.__module__ + '.' + f.__name__)"
    )
    result = _manage("shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "campaign.materials.media.serve_media"


def test_media_url_never_serves_a_file_by_name(world):
    from campaign.materials.media import serve_media

    assert resolve("/media/original_images/anything.jpg").func is serve_media
    assert Client().get("/media/original_images/anything.jpg").status_code == 404


def test_documents_are_served_by_wagtails_checking_view(settings, world):
    """An embargoed release's attachment is not served (before_serve_document hook)."""
    import datetime

    from django.utils import timezone
    from wagtail_factories import DocumentFactory

    from campaign.materials.models import PressAttachment
    from tests.factories import PressReleasePageFactory

    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"
    document = DocumentFactory(title="rahasia", file__filename="rahasia.pdf", file__data=b"%PDF-1.4 x")
    later = PressReleasePageFactory(
        parent=world.objects["room"],
        slug="nanti",
        live=False,
        go_live_at=timezone.now() + datetime.timedelta(days=2),
    )
    later.attachments = [PressAttachment(document=document, title="Rahasia")]
    later.save()
    later.save_revision().publish()
    response = Client().get(f"/documents/{document.pk}/rahasia.pdf")
    drain(response)
    assert response.status_code == 404
