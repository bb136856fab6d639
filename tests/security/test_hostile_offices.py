"""Hostile text in the office tree (issue 19): an office's name is shown as text in its
admin list and in the province dashboard's table by office; its code is refused unless it
is four digits."""

import pytest
from django.urls import reverse

from campaign.core.models import Office

from .hostile import PAYLOAD, assert_html_safe

pytestmark = pytest.mark.django_db

COVERS = {
    ("core.Office", "name"): {"admin"},
    ("core.Office", "code"): {"refused"},
}


def _office(world, name):
    office = Office.objects.create(code="5310", name=name, parent=world.objects["office"].parent)
    office.area.set([world.objects["office"].area.get()])
    office.save()
    return office


def test_an_office_name_is_text_in_the_list_and_the_dashboard(world, client):
    _office(world, PAYLOAD)
    client.force_login(world.users["editor"])
    for url in (reverse("wagtailsnippets_core_office:list"), reverse("institutions_dashboard")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_html_safe(response.content.decode())


@pytest.mark.parametrize("code", ["53a0", "<b>1", "5300\r\n", "12345"])
def test_an_office_code_that_is_not_four_digits_is_refused(world, client, code):
    client.force_login(world.users["admin"])
    response = client.post(reverse("wagtailsnippets_core_office:add"), {"name": "Kantor", "code": code})
    assert response.status_code == 200  # the form again, with its error
    assert not Office.objects.filter(name="Kantor").exists()
