"""The hostile-input set through text fields shown on pages (public and admin)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import NewsPageFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }} {% debug %}"
HOSTILE = [SCRIPT, IMG, TEMPLATE]


def _assert_escaped(html, value):
    assert SCRIPT not in html
    assert "<img src=x onerror" not in html
    if value == TEMPLATE:  # printed literally, never evaluated
        assert "{{ 7*7 }}" in html and "{% debug %}" in html


@pytest.mark.parametrize("value", HOSTILE)
def test_institution_and_contact_names_are_escaped_in_the_admin(world, value):
    institution = world.objects["institution"]
    institution.name = f"Dinas {value}"
    institution.save()
    contact = world.objects["contact"]
    contact.name = f"Maria {value}"
    contact.save()
    client = Client()
    client.force_login(world.users["editor"])
    for name, pk in [
        ("wagtailsnippets_institutions_institution:inspect", institution.pk),
        ("wagtailsnippets_institutions_contact:inspect", contact.pk),
    ]:
        html = client.get(reverse(name, args=[pk])).content.decode()
        _assert_escaped(html, value)
    html = client.get(reverse("wagtailsnippets_institutions_institution:list")).content.decode()
    _assert_escaped(html, value)


@pytest.mark.parametrize("value", HOSTILE)
def test_news_titles_and_leads_are_escaped_on_public_pages_and_feeds(world, value):
    page = NewsPageFactory(
        parent=world.objects["news"].get_parent(), title=f"Kabar {value}", lead=value, slug="x"
    )
    html = Client().get(page.url).content.decode()
    _assert_escaped(html, value)
    feed = Client().get(reverse("news:feed_rss")).content.decode()
    assert SCRIPT not in feed and "<img src=x" not in feed


def test_a_long_institution_name_is_refused_by_the_form(world):
    client = Client()
    client.force_login(world.users["editor"])
    url = reverse("wagtailsnippets_institutions_institution:edit", args=[world.objects["institution"].pk])
    response = client.post(url, {"name": "x" * 10_000})
    assert response.status_code == 200  # the form again with errors, not a 500
