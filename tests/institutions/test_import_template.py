"""The import template and the import page: every column the importer reads, and an
example row that cannot merge into real or demo data (issue 14, item 9)."""

from io import StringIO

import pytest
from django.urls import reverse
from django.utils import translation

from campaign.core import demo as core_demo
from campaign.core.services import DISSEMINATION_STAFF, roles_sync
from campaign.institutions import demo as institutions_demo
from campaign.institutions.importing import COLUMNS
from campaign.institutions.models import Contact, Institution
from campaign.institutions.services import institutions_import
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    "external_id",
    "name",
    "kind_id",
    "region_id",
    "address",
    "employees",
    "latitude",
    "longitude",
    "notes",
]


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(groups=[roles_sync()[DISSEMINATION_STAFF]]))


def _snapshot():
    institutions = {row["pk"]: row for row in Institution.objects.values("pk", *FIELDS)}
    contacts = {
        row["pk"]: row for row in Contact.objects.values("pk", "institution_id", "name", "email", "phone")
    }
    return institutions, contacts


def test_the_import_page_lists_every_column_the_importer_reads(client, staff):
    html = client.get(reverse("institutions_import")).content.decode()

    for aliases in COLUMNS.values():
        for header in aliases:
            assert f"<code>{header}</code>" in html, header
    for header in ("lintang", "bujur", "catatan"):  # left out of the old hand-written list
        assert f"<code>{header}</code>" in html


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_has_every_column_and_imported_on_the_demo_merges_into_nothing(client, staff, fmt):
    core_demo.load(stdout=StringIO(), with_users=False)
    institutions_demo.load(stdout=StringIO(), with_users=False)
    ContactFactory.create_batch(3)  # the test factories' names, emails and phones too
    before_institutions, before_contacts = _snapshot()

    template = client.get(reverse("institutions_import_template", args=[fmt])).content
    with translation.override("en"):
        result = institutions_import(content=template, filename=f"template.{fmt}", source="template")

    assert result.errors == []
    # One new institution and contact: nothing of the demo matched its ID, name, email or phone.
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert (result.contacts_created, result.contacts_updated) == (1, 0)
    after_institutions, after_contacts = _snapshot()
    assert {pk: after_institutions[pk] for pk in before_institutions} == before_institutions
    assert {pk: after_contacts[pk] for pk in before_contacts} == before_contacts
    [sample] = [row for pk, row in after_institutions.items() if pk not in before_institutions]
    assert sample["external_id"] == "CONTOH-001" and sample["name"].startswith("CONTOH")
    # Every column of the template was read, the coordinates and the note included.
    assert (str(sample["latitude"]), str(sample["longitude"])) == ("-10.158300", "123.607700")
    assert "hapus" in sample["notes"] and sample["address"] and sample["employees"] == 25
