"""Hostile text in carrying a campaign over (issue 19): a campaign's name is text on the
"New campaign from this one" form, in its success message, in the campaign selector of
the dashboard and the reports, and on the purpose confirmation form; a purpose typed on
that form is stored as typed (and logged literally)."""

import pytest
from django.urls import reverse

from campaign.core.models import Campaign
from campaign.institutions.models import ContactPurpose, PersonalDataLog

from .hostile import PAYLOAD, assert_html_safe

pytestmark = pytest.mark.django_db

COVERS = {
    ("core.Campaign", "name"): {"admin"},
    # The confirmed purpose is copied into the log's detail: the log's list and entry.
    ("institutions.PersonalDataLog", "detail"): {"admin"},
}


def test_a_hostile_campaign_name_is_text_on_every_carry_over_surface(world, client):
    campaign = world.objects["campaign"]
    Campaign.objects.filter(pk=campaign.pk).update(name=PAYLOAD)
    client.force_login(world.users["editor"])
    form = reverse("wagtailsnippets_core_campaign:carry_over", args=[campaign.pk])
    assert_html_safe(client.get(form).content.decode())
    response = client.post(
        form,
        {
            "name": PAYLOAD,
            "short_name": "SE2026",
            "online_start": "2026-05-01",
            "online_end": "2026-05-31",
            "goal_percent": "30",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert_html_safe(response.content.decode())  # the success message names both
    new = Campaign.objects.get(short_name="SE2026")
    for url in (reverse("institutions_dashboard"), reverse("institutions_report_team_performance")):
        assert_html_safe(client.get(url).content.decode())  # the campaign selector

    contact = world.objects["contact"]
    action = reverse("wagtail_bulk_action", args=["institutions", "contact", "confirm_purpose"])
    page = client.get(f"{action}?id={contact.pk}")
    assert_html_safe(page.content.decode())  # the campaign choice
    client.post(
        f"{action}?id={contact.pk}", {"campaign": new.pk, "purpose": PAYLOAD, "lawful_basis": "consent"}
    )
    assert ContactPurpose.objects.get(contact=contact, campaign=new).purpose == PAYLOAD
    entry = PersonalDataLog.objects.get(action="confirm")
    assert PAYLOAD in entry.detail
    client.force_login(world.users["admin"])
    listing = client.get(reverse("wagtailsnippets_institutions_personaldatalog:list"))
    assert listing.status_code == 200
    assert_html_safe(listing.content.decode(), entry.detail[:80] if len(entry.detail) > 80 else entry.detail)
    inspect = client.get(reverse("wagtailsnippets_institutions_personaldatalog:inspect", args=[entry.pk]))
    assert_html_safe(inspect.content.decode(), entry.detail)
