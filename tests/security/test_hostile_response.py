"""Hostile text in the official figures' admin: file names, sources, fetch settings and
their messages are shown as text, never as markup."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.response.models import CountChange, FetchSource, OfficialCount
from campaign.response.services import count_import_create, counts_import
from tests.factories import RegionFactory, UserFactory

from .hostile import PAYLOAD, PAYLOAD_SHORT, assert_html_safe

pytestmark = pytest.mark.django_db

COVERS = {
    ("response.CountImport", "filename"): {"admin"},
    ("response.CountImport", "source"): {"admin"},
    ("response.OfficialCount", "source"): {"admin"},
    ("response.CountChange", "source"): {"admin"},
    ("response.FetchSource", "name"): {"admin"},
    ("response.FetchSource", "region_column"): {"admin"},
    ("response.FetchSource", "date_column"): {"admin"},
    ("response.FetchSource", "persons_column"): {"admin"},
    ("response.FetchSource", "households_column"): {"admin"},
    ("response.FetchSource", "accessed_column"): {"admin"},
    ("response.FetchSource", "last_message"): {"admin"},
}


@pytest.fixture
def admin(client):
    client.force_login(UserFactory(username="admin", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def kupang(db):
    return RegionFactory(code="5371", name="Kota Kupang", parent=RegionFactory(code="53"))


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_import_file_name_and_source(admin, kupang):
    run = count_import_create(
        content=b"region_code,date,persons\n5371,2020-05-28,1\n",
        filename=PAYLOAD + ".csv",
        source=PAYLOAD,
        user=None,
    )
    html = html_of(admin, reverse("response_import_run", args=[run.pk]))
    assert_html_safe(html, run.filename)
    assert_html_safe(html, PAYLOAD)


def test_figure_and_correction_sources(admin, kupang):
    counts_import(content=b"region_code,date,persons\n5371,2020-05-28,1\n", filename="a.csv", source=PAYLOAD)
    counts_import(content=b"region_code,date,persons\n5371,2020-05-28,2\n", filename="b.csv", source=PAYLOAD)
    assert OfficialCount.objects.get().source == PAYLOAD and CountChange.objects.get().source == PAYLOAD
    assert_html_safe(html_of(admin, reverse("wagtailsnippets_response_officialcount:list")))
    assert_html_safe(html_of(admin, reverse("wagtailsnippets_response_countchange:list")))


def test_fetch_source_settings_and_message(admin):
    source = FetchSource.objects.create(
        name=PAYLOAD_SHORT,
        url="https://example.org/angka.csv",
        region_column=PAYLOAD_SHORT,
        date_column=PAYLOAD_SHORT + "d",
        persons_column=PAYLOAD_SHORT + "p",
        households_column=PAYLOAD_SHORT + "h",
        accessed_column=PAYLOAD_SHORT + "a",
        last_run_at=timezone.now() - datetime.timedelta(minutes=1),
        last_outcome="failed",
        last_message=PAYLOAD,
    )
    html = html_of(admin, reverse("wagtailsnippets_response_fetchsource:inspect", args=[source.pk]))
    for value in (PAYLOAD, PAYLOAD_SHORT, PAYLOAD_SHORT + "h", PAYLOAD_SHORT + "a"):
        assert_html_safe(html, value)
    assert_html_safe(html_of(admin, reverse("wagtailsnippets_response_fetchsource:list")), PAYLOAD)
