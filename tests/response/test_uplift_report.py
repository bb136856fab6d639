"""The "Did it work?" report in the admin: districts with and without guided sessions
side by side, the week chosen, worded as an association, exported as CSV."""

import csv
import io

import pytest
from django.urls import reverse

from campaign.core.services import DISSEMINATION_STAFF, FIELD_TEAM, HEAD_OF_SECTION, roles_sync
from campaign.response.services import area_goal_set
from tests.factories import RegionFactory, UserFactory
from tests.response.test_uplift import AFTER, BEFORE, figure, held_in, world  # noqa: F401

pytestmark = pytest.mark.django_db
URL = reverse("response_report_uplift")


@pytest.fixture
def districts(world):  # noqa: F811
    campaign, team, kupang, sumba = world
    alak = RegionFactory(code="5371010", name="Alak", parent=kupang)
    maulafa = RegionFactory(code="5371020", name="Maulafa", parent=kupang)
    area_goal_set(campaign=campaign, region=alak, population=10_000)
    area_goal_set(campaign=campaign, region=maulafa, population=20_000)
    held_in(alak, team)
    for district, before, after in ((alak, 100, 400), (maulafa, 100, 300)):
        figure(district, BEFORE, before)
        figure(district, AFTER, after)
    return campaign


def test_staff_read_both_groups_with_the_numbers_behind_them(client, districts):
    client.force_login(UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]]))

    page = client.get(URL + "?week=2020-03-02").content.decode()

    # Alak (sessions): +3,00 points; Maulafa (none): +1,00 point.
    assert "<strong>3,00 poin</strong>" in page and "<strong>1,00 poin</strong>" in page
    assert "asosiasi, bukan bukti" in page
    rows = page.split("<tbody>")[1]
    assert rows.index("Alak") < rows.index("Maulafa")
    assert "Wilayah: kecamatan" in page  # the areas are districts


def test_another_week_without_figures_says_so(client, districts):
    client.force_login(UserFactory(username="kepala", groups=[roles_sync()[HEAD_OF_SECTION]]))
    response = client.get(URL + "?week=2020-03-16")
    assert response.status_code == 200
    assert "Belum cukup angka resmi" in response.content.decode()


def test_the_csv_export_has_the_table(client, districts):
    client.force_login(UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]]))

    response = client.get(URL + "?week=2020-03-02&export=csv")

    assert response["Content-Disposition"].endswith('setelah-pendampingan-2020-03-02.csv"')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1] == ["5371010", "Alak", "ya", "1", "100", "400", "10000", "3.0"]
    assert rows[2] == ["5371020", "Maulafa", "tidak ada", "0", "100", "300", "20000", "1.0"]


def test_field_teams_cannot_see_it(client, districts):
    client.force_login(UserFactory(username="tim", groups=[roles_sync()[FIELD_TEAM]]))
    assert client.get(URL).status_code in (302, 403)
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert URL not in menu
