"""Token links for institution contacts: signed, purpose-specific, expiring, read-only."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.utils import translation

from campaign.institutions.models import Institution
from campaign.materials import tokens
from campaign.materials.models import GuidePack, Scan
from tests.materials.pdftools import pdf_text

pytestmark = pytest.mark.django_db


def _path(guide, institution):
    return urlsplit(tokens.guide_download_url(guide_id=guide.pk, institution_id=institution.pk)).path


def test_a_contact_opens_the_link_and_downloads_the_institutions_sheet(client, guide, institution, tmp_path):
    path = _path(guide, institution)
    with translation.override("en"):
        response = client.get(path)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    html = response.content.decode()
    assert institution.name in html
    assert f'href="{path}a4.pdf"' in html and f'href="{path}a5.pdf"' in html
    assert not response.cookies

    for size in ("a4", "a5"):
        sheet = client.get(f"{path}{size}.pdf")
        assert sheet.status_code == 200
        assert sheet["Content-Disposition"].startswith("attachment;")
        assert "Oebobo, Kota Kupang" in pdf_text(sheet.content, tmp_path, name=size)
    assert client.get(f"{path}a3.pdf").status_code == 404


def test_opening_token_links_changes_nothing(client, guide, institution):
    before = Institution.objects.values().get(pk=institution.pk)
    path = _path(guide, institution)

    for url in (path, f"{path}a4.pdf", f"{path}a5.pdf", path + "x", f"/materi/pers/{path.split('/')[3]}/"):
        client.get(url)

    assert Institution.objects.values().get(pk=institution.pk) == before
    assert not Scan.objects.exists() and not GuidePack.objects.exists()
    assert client.post(path).status_code == 405


def _problem(client, url):
    response = client.get(url)
    html = response.content.decode()
    assert 'lang="id"' in html
    assert 'href="https://sensus.bps.go.id/formulir"' in html  # the way to the form
    assert "no-store" in response["Cache-Control"]
    return response


def test_a_bad_token_gets_a_friendly_page_never_an_error(client, guide, institution):
    token = tokens.guide_token(guide_id=guide.pk, institution_id=institution.pk)
    payload, timestamp, signature = token.rsplit(":", 2)
    forged = signing.dumps({"g": guide.pk, "i": institution.pk + 1}, salt="another salt", compress=True)
    wrong_shape = signing.dumps(["g", guide.pk], salt=tokens.GUIDE.salt)
    press = tokens.press_token(contact_id=institution.pk)  # right signer, other purpose
    for bad in (
        "nonsense",
        f"{payload}:{timestamp}:{signature[:-2]}xx",
        f"{payload[:-1]}A:{timestamp}:{signature}",
        forged,
        wrong_shape,
        press,
        "%00%ff",
    ):
        for suffix in ("", "a4.pdf"):
            response = _problem(client, f"/materi/panduan-instansi/{bad}/{suffix}")
            assert response.status_code == 404, bad


def test_an_expired_link_says_so(client, guide, institution, monkeypatch):
    token = tokens.guide_token(guide_id=guide.pk, institution_id=institution.pk)
    later = signing.time.time() + tokens.GUIDE_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)

    with translation.override("en"):
        response = _problem(client, f"/materi/panduan-instansi/{token}/")

    assert response.status_code == 410
    assert "Tautan ini sudah kedaluwarsa" in response.content.decode()


def test_a_link_to_an_unpublished_guide_or_a_deleted_institution_stops_working(client, guide, institution):
    path = _path(guide, institution)
    guide.unpublish()
    assert _problem(client, path).status_code == 404
    guide.save_revision().publish()
    assert client.get(path).status_code == 200
    institution.delete()
    assert _problem(client, path).status_code == 404


def test_tokens_expire_after_their_purposes_age():
    assert tokens.GUIDE_MAX_AGE == datetime.timedelta(days=90)
    token = tokens.press_token(contact_id=5)
    assert tokens.press_token_read(token) == 5
    with pytest.raises(tokens.TokenError):
        tokens.guide_token_read(token)
