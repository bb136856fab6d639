import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_shell_needs_a_sign_in(client):
    response = client.get(reverse("fieldapp:shell"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("fieldapp:login"))


def test_the_shell_carries_its_strings_and_no_member_data(member, world):
    response = member.get(reverse("fieldapp:shell"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="fa-strings"' in html and 'id="fa-api"' in html
    assert "Dinas" not in html and "tim1" not in html  # the same shell for everyone: cacheable
    assert 'rel="manifest"' in html
    assert "csrftoken" in response.cookies
    assert len(response.content) < 6000


def test_the_service_worker_is_served_from_the_app_path(member):
    response = member.get(reverse("fieldapp:sw"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert 'importScripts("/static/fieldapp/store.js")' in body
    assert '"/lapangan/"' in body and "fieldapp-sync" in body


def test_the_manifest_makes_the_app_installable(client):
    response = client.get(reverse("fieldapp:manifest"))
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert data["start_url"] == data["scope"] == "/lapangan/"
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}


def test_the_openapi_document_describes_every_endpoint(client):
    from django.urls import get_resolver

    response = client.get(reverse("fieldapp:openapi"))
    spec = json.loads(response.content)
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {"/week", "/sessions", "/sessions/{id}", "/meetings"}
    for path in spec["paths"]:
        url = "/lapangan/api" + path.replace("{id}", "1")
        assert get_resolver().resolve(url)
    assert "409" in spec["paths"]["/sessions/{id}"]["put"]["responses"]
    assert "429" in spec["paths"]["/sessions"]["post"]["responses"]
