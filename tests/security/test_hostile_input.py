"""The hostile-input set through text fields shown on pages (public and admin)."""

import pytest
from django.core.exceptions import ValidationError
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


def _url_fields():
    from django.apps import apps
    from django.db import models

    for model in apps.get_app_configs():
        if not model.name.startswith("campaign."):
            continue
        for klass in model.get_models():
            for field in klass._meta.get_fields():
                if isinstance(field, models.URLField):
                    yield field


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x"]
)
def test_no_url_field_of_ours_accepts_a_script_url(url):
    fields = list(_url_fields())
    assert len(fields) >= 5  # campaign target, settings website + form, guide target, institution website
    for field in fields:
        with pytest.raises(ValidationError):
            field.clean(url, None)


def test_rich_text_drops_script_links():
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
    from wagtail.rich_text import expand_db_html

    features = ["link", "bold"]
    converter = ContentstateConverter(features=features)
    stored = converter.to_database_format(
        converter.from_database_format('<p><a href="javascript:alert(1)">klik</a> <b>tebal</b></p>')
    )
    html = expand_db_html(stored)
    assert "javascript:" not in html and "tebal" in html
