"""The campaign map: projection, sizes, shapes and the rows it reads, with places and
figures chosen by hand."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from campaign.core.services import DISSEMINATION_STAFF, roles_sync
from campaign.institutions.models import Institution
from campaign.response import maps
from campaign.response.models import AreaGoal, OfficialCount
from campaign.response.selectors import area_section
from tests.factories import InstitutionFactory, UserFactory

WEEK = datetime.date(2020, 3, 2)


def area(code, lat, lon, population=100_000, status="green", name=None):
    return maps.MapArea(
        code=code,
        name=name or f"Kabupaten {code}",
        latitude=lat,
        longitude=lon,
        population=population,
        status=status,
    )


def test_the_projection_keeps_north_up_east_right_and_corrects_longitude_by_latitude():
    # At 60° south a degree of longitude is half a degree of latitude on the ground.
    result = maps.area_map(
        areas=[area("a", -60, 10), area("b", -60, 12), area("c", -62, 10)],
        points=[],
        width=720,
        max_height=2000,
    )
    a, b, c = sorted(result.circles, key=lambda circle: circle.name)
    assert b.x > a.x and a.y == b.y  # east is right
    assert c.y > a.y and a.x == c.x  # south is down
    # 2° of longitude at about 60.7° S against 2° of latitude: cos(60.7°) ≈ 0.49.
    assert (b.x - a.x) / (c.y - a.y) == pytest.approx(0.489, abs=0.01)


def test_everything_fits_in_the_frame_and_circles_grow_with_population():
    result = maps.area_map(
        areas=[
            area("5301", -9.645, 119.412, population=145_097),
            area("5302", -9.656, 120.264, population=244_820),
            area("5371", -10.178, 123.597, population=442_758),
            area("5307", -8.219, 124.517, population=None),
        ],
        points=[maps.MapPoint(-10.17, 123.6, True, 3), maps.MapPoint(-10.16, 123.58, False)],
    )
    by_code = {circle.name: circle for circle in result.circles}
    assert by_code["Kabupaten 5371"].r > by_code["Kabupaten 5302"].r > by_code["Kabupaten 5301"].r
    assert by_code["Kabupaten 5307"].r == 5.0  # no population: the smallest size
    # Circle areas in proportion to population (radius above the smallest size ∝ √population).
    ratio = (by_code["Kabupaten 5371"].r - 5) / (by_code["Kabupaten 5301"].r - 5)
    assert ratio == pytest.approx((442_758 / 145_097) ** 0.5, rel=0.02)
    for circle in result.circles:
        assert circle.r <= circle.x <= result.width - circle.r
        assert circle.r <= circle.y <= result.height - circle.r
    assert [dot.reached for dot in result.dots] == [True, False]
    assert result.dots[0].size > result.dots[1].size  # three institutions in that cell


def test_labels_do_not_overlap_when_there_is_room():
    # Two neighbouring centres: the second label moves off the first one.
    result = maps.area_map(
        areas=[area("a", -9.60, 119.62, name="Sumba Tengah"), area("b", -9.645, 119.60, name="Sumba Barat")],
        points=[maps.MapPoint(-9.0, 121.0, True)],
    )
    first, second = result.circles
    assert (first.label_x, first.label_y) != (second.label_x, second.label_y)
    boxes = [maps._label_box(c.label_x, c.label_y, c.anchor, 6.2 * len(c.label), 10) for c in result.circles]
    assert not maps._overlap(*boxes)


def test_the_svg_is_an_accessible_image_not_colour_alone_and_csp_safe():
    result = maps.area_map(
        areas=[area("5371", -10.178, 123.597, status="green"), area("5301", -9.645, 119.412, status="red")],
        points=[maps.MapPoint(-10.17, 123.6, True), maps.MapPoint(-10.16, 123.58, False)],
        title="Peta",
    )
    markup = str(maps.svg(result))
    assert markup.startswith('<svg class="jb-map"') and 'role="img"' in markup
    assert '<title id="jb-map-title">Peta</title>' in markup and "<desc" in markup
    assert "style=" not in markup and "<script" not in markup
    # Reached: filled circles; not reached: hollow squares (shape, not only colour).
    assert f'r="{result.dots[0].size}" fill="{maps.REACHED_FILL}"' in markup
    assert f'fill="#ffffff" stroke="{maps.NOT_REACHED_STROKE}"' in markup
    # Red areas also have a thick outline, amber a dashed one (the legend shows both).
    assert re.search(r'fill="#b3261e" fill-opacity="0.72" stroke="#3d0c08" stroke-width="3.0"', markup)
    assert 'stroke-dasharray="4 2"' in markup  # the legend's amber entry
    assert "<title>Kabupaten 5301</title>" in markup


def test_nothing_to_draw_gives_no_markup():
    result = maps.area_map(areas=[area("a", None, None)], points=[])
    assert result.is_empty and result.undrawn == 1 and maps.svg(result) == ""


@pytest.mark.django_db
def test_centres_fall_back_to_the_mean_of_the_institutions_and_zoom_to_districts(area_figures):
    from campaign.core.models import Region

    campaign = area_figures
    kupang, sumba = Region.objects.get(code="5371"), Region.objects.get(code="5301")
    kupang.latitude, kupang.longitude = Decimal("-10.178"), Decimal("123.597")
    kupang.save()
    lamboya = Region.objects.get(code="5301021")
    # Sumba Barat has no centre of its own: the mean of its two located institutions.
    InstitutionFactory(region=lamboya, latitude=Decimal("-9.70"), longitude=Decimal("119.30"))
    InstitutionFactory(
        region=lamboya,
        latitude=Decimal("-9.60"),
        longitude=Decimal("119.50"),
        status=Institution.Status.GUIDED,
    )
    InstitutionFactory(region=lamboya)  # no coordinates: not on the map
    section = area_section(campaign=campaign, week=WEEK)

    areas, points, level = maps.map_rows(campaign=campaign, section=section, link=lambda code: f"?map={code}")

    by_code = {a.code: a for a in areas}
    assert level == "regency"
    assert (by_code["5371"].latitude, by_code["5371"].longitude) == (Decimal("-10.178"), Decimal("123.597"))
    assert float(by_code["5301"].latitude) == pytest.approx(-9.65)
    assert float(by_code["5301"].longitude) == pytest.approx(119.40)
    assert (by_code["5371"].status, by_code["5301"].status) == ("green", "red")
    assert by_code["5301"].link == "?map=5301"
    assert sorted((p.reached, p.count) for p in points) == [(False, 1), (True, 1)]

    # Zoomed to Sumba Barat: its district, rated on its own figure against its own goal.
    AreaGoal.objects.create(campaign=campaign, region=lamboya, population=60_000)  # goal 13,800
    areas, points, level = maps.map_rows(campaign=campaign, section=section, regency=sumba)
    (district,) = areas
    assert level == "district" and district.code == "5301021" and district.population == 60_000
    # 19,000 of 13,800 persons by the day half the goal is expected: on track.
    assert district.status == "green" and district.link == ""
    OfficialCount.objects.filter(region=lamboya).update(persons=6_000)  # 43.5% of the goal: amber
    assert maps.map_rows(campaign=campaign, section=section, regency=sumba)[0][0].status == "amber"


@pytest.mark.django_db
def test_the_dashboard_shows_the_map_and_zooms_into_a_regency(client, area_figures):
    from campaign.core.models import Region

    Region.objects.filter(code="5371").update(latitude=Decimal("-10.178"), longitude=Decimal("123.597"))
    Region.objects.filter(code="5301").update(latitude=Decimal("-9.645"), longitude=Decimal("119.412"))
    Region.objects.filter(code="5301021").update(latitude=Decimal("-9.70"), longitude=Decimal("119.35"))
    client.force_login(UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]]))
    url = reverse("institutions_dashboard") + f"?week={WEEK:%Y-%m-%d}"

    page = client.get(url).content.decode()
    assert page.count('<svg class="jb-map"') == 1
    assert f'<a href="?week={WEEK:%Y-%m-%d}&amp;map=5301#map">' in page
    assert ">Sumba Barat</text>" in page and ">Kota Kupang</text>" in page

    zoomed = client.get(url + "&map=5301").content.decode()
    assert ">Lamboya</text>" in zoomed and ">Kota Kupang</text>" not in zoomed
    assert "Kembali ke semua kabupaten/kota" in zoomed


@pytest.mark.django_db
def test_staff_set_a_regions_centre_and_nothing_else(client, area_figures):
    from campaign.core.models import Region

    client.force_login(UserFactory(username="staf", groups=[roles_sync()[DISSEMINATION_STAFF]]))
    sumba = Region.objects.get(code="5301")
    url = reverse("wagtailsnippets_core_region:edit", args=[sumba.pk])
    assert 'name="latitude"' in client.get(url).content.decode()

    response = client.post(
        url,
        {"latitude": "-9.645", "longitude": "119.412", "name": "Renamed", "code": "5399", "population": "1"},
    )

    assert response.status_code == 302
    sumba.refresh_from_db()
    assert (sumba.latitude, sumba.longitude) == (Decimal("-9.645"), Decimal("119.412"))
    assert (sumba.name, sumba.code, sumba.population) == ("Sumba Barat", "5301", 200_000)
    bad = client.post(url, {"latitude": "-91", "longitude": "119.412"})
    assert bad.status_code == 200 and "-91" in bad.content.decode()
