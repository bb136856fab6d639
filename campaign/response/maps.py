"""The campaign map: the area drawn from coordinates alone (no tile server, so it works
offline and in the PDF).

``area_map`` is a pure function from rows (areas with a centre, population and RAG
status; institution points) to shapes in a fixed frame; ``svg`` writes them as inline
markup for the dashboard (presentation attributes only: nothing the CSP forbids) and
``campaign.institutions.pdf`` draws the same shapes with reportlab. ``map_rows`` reads
the rows in one query (the institution points, which also give the centres the regions
lack), two more for the districts and their figures when the map is zoomed to one
regency."""

import math
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from .charts import RAG_COLOURS as RAG_FILL
from .selectors import AMBER, GREEN, NONE, RED

# Not colour alone: amber circles have a dashed outline, red ones a thick dark one.
RAG_STROKE = {
    GREEN: ("#ffffff", 1.0, None),
    AMBER: ("#5c3700", 1.5, "4 2"),
    RED: ("#3d0c08", 3.0, None),
    NONE: ("#ffffff", 1.0, None),
}
REACHED_FILL = "#0b4f8a"  # institutions reached: filled circles
NOT_REACHED_STROKE = "#3a4552"  # not yet reached: hollow squares
LEGEND_HEIGHT = 58
MARGIN = 12


@dataclass(frozen=True)
class MapArea:
    """One regency or district as the map draws it."""

    code: str
    name: str
    latitude: float
    longitude: float
    population: int | None
    status: str
    detail: str = ""  # read out with the name (its status and rate)
    link: str = ""  # the map zoomed to this area, when it has one


@dataclass(frozen=True)
class MapPoint:
    """Institutions at one place (a grid cell): how many, and whether reached."""

    latitude: float
    longitude: float
    reached: bool
    count: int = 1


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    status: str
    name: str
    label: str  # the short name written on the map
    label_x: float
    label_y: float
    anchor: str  # "start", "middle" or "end"
    detail: str = ""
    link: str = ""


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    size: float
    reached: bool
    count: int


@dataclass
class AreaMap:
    width: int
    height: int  # the map's frame; the legend is drawn below it
    circles: list = field(default_factory=list)
    dots: list = field(default_factory=list)
    title: str = ""
    undrawn: int = 0  # areas without a centre (no coordinates, no located institution)

    @property
    def total_height(self):
        return self.height + LEGEND_HEIGHT

    @property
    def is_empty(self):
        return not self.circles and not self.dots


def short_name(name):
    """ "Kabupaten Sumba Barat" → "Sumba Barat"; "Kota Kupang" stays (it is not the regency
    of Kupang)."""
    return name.removeprefix("Kabupaten ").removeprefix("Kab. ")


def area_map(*, areas, points, title="", width=720, max_height=520, min_height=260) -> AreaMap:
    """Fit the areas' centres and the institution points into a ``width`` frame with an
    equirectangular projection: x = longitude × cos(mean latitude), y = −latitude, one
    scale for both (so distances are true near the centre of the area; good enough for a
    province, which is what the map shows). The frame's height follows the area's shape
    within ``min_height``–``max_height``.

    Circles' areas are proportional to population (the largest gets ``r_max``; unknown:
    the smallest size). Each label takes the first of eight places around its circle
    (below, above, right, left, then the diagonals) that stays in the frame and covers
    the fewest labels already placed, then the fewest other circles."""
    located = [a for a in areas if a.latitude is not None and a.longitude is not None]
    result = AreaMap(width=width, height=min_height, title=title, undrawn=len(areas) - len(located))
    lats = [float(a.latitude) for a in located] + [float(p.latitude) for p in points]
    lons = [float(a.longitude) for a in located] + [float(p.longitude) for p in points]
    if not lats:
        return result

    r_max = 26.0 if len(located) > 1 else 18.0
    r_min = 5.0
    k = math.cos(math.radians(sum(lats) / len(lats)))
    min_x, max_x = min(lons) * k, max(lons) * k
    min_y, max_y = -max(lats), -min(lats)
    # A single place (or a line of them) still gets a frame: at least 0.02° each way.
    span_x, span_y = max(max_x - min_x, 0.02), max(max_y - min_y, 0.02)
    pad = MARGIN + r_max + 14  # room for the largest circle and a label
    scale = (width - 2 * pad) / span_x
    height = span_y * scale + 2 * pad
    if height > max_height:
        scale = (max_height - 2 * pad) / span_y
        height = max_height
    height = max(height, min_height)
    # Centre the drawing in the frame.
    offset_x = (width - span_x * scale) / 2 - (min_x - (span_x - (max_x - min_x)) / 2) * scale
    offset_y = (height - span_y * scale) / 2 - (min_y - (span_y - (max_y - min_y)) / 2) * scale
    result.height = round(height)

    def project(lat, lon):
        return float(lon) * k * scale + offset_x, -float(lat) * scale + offset_y

    largest = max((a.population or 0 for a in located), default=0)
    placed = []  # (area, x, y, r), largest first: small circles are drawn on top
    for area in sorted(located, key=lambda a: -(a.population or 0)):
        x, y = project(area.latitude, area.longitude)
        r = (
            r_min + (r_max - r_min) * math.sqrt(area.population / largest)
            if area.population and largest
            else r_min
        )
        placed.append((area, x, y, r))
    discs = [(x - r, y - r, x + r, y + r) for _area, x, y, r in placed]

    labels, circles = [], []
    for index, (area, x, y, r) in enumerate(placed):
        label = short_name(area.name)
        text_w, text_h = 6.2 * len(label), 10.0  # bold 10 px text
        diagonal = r * 0.75 + 2
        candidates = [
            (x, y + r + 11, "middle"),
            (x, y - r - 4, "middle"),
            (x + r + 3, y + 3.5, "start"),
            (x - r - 3, y + 3.5, "end"),
            (x + diagonal, y + diagonal + 9, "start"),
            (x - diagonal, y + diagonal + 9, "end"),
            (x + diagonal, y - diagonal - 2, "start"),
            (x - diagonal, y - diagonal - 2, "end"),
        ]

        def cost(candidate, index=index, text_w=text_w, text_h=text_h):
            """Outside the frame ≫ on another label ≫ on another circle; then the order above."""
            box = _label_box(*candidate, text_w, text_h)
            outside = box[0] < 0 or box[2] > width or box[1] < 0 or box[3] > result.height
            on_labels = sum(_overlap(box, other) for other in labels)
            on_circles = sum(_overlap(box, disc) for n, disc in enumerate(discs) if n != index)
            return 100 * outside + 10 * on_labels + on_circles

        chosen = min(candidates, key=cost)  # the first of the cheapest
        labels.append(_label_box(*chosen, text_w, text_h))
        circles.append(
            Circle(
                x=round(x, 1),
                y=round(y, 1),
                r=round(r, 1),
                status=area.status,
                name=area.name,
                label=label,
                label_x=round(chosen[0], 1),
                label_y=round(chosen[1], 1),
                anchor=chosen[2],
                detail=area.detail,
                link=area.link,
            )
        )
    result.circles = circles
    result.dots = [
        Dot(
            x=round(x, 1),
            y=round(y, 1),
            size=round(2.8 + 0.6 * min(math.log2(point.count), 4), 1),
            reached=point.reached,
            count=point.count,
        )
        for point in points
        for x, y in [project(point.latitude, point.longitude)]
    ]
    return result


def _label_box(x, y, anchor, w, h):
    left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
    return (left, y - h + 2, left + w, y + 2)


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def legend_items():
    """(kind, status or None, text) in the order the legend shows them."""
    return [
        ("circle", GREEN, _("on track")),
        ("circle", AMBER, _("slightly behind")),
        ("circle", RED, _("behind")),
        ("circle", NONE, _("no figures")),
        ("reached", None, _("institution reached")),
        ("not_reached", None, _("not yet reached")),
    ]


def svg(area_map: AreaMap, *, title_id="jb-map-title"):
    """The map as inline SVG markup: ``role="img"`` with a ``<title>`` and ``<desc>``;
    each circle has its own ``<title>`` (name, status, rate) and, when zoomable, is a
    link to the map of its districts."""
    if area_map.is_empty:
        return ""
    w, h = area_map.width, area_map.total_height
    circles = format_html_join(
        "",
        "{}",
        ((_circle_markup(circle),) for circle in area_map.circles),
    )
    dots = format_html_join("", "{}", ((_dot_markup(dot),) for dot in area_map.dots))
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="{}" font-size="10" font-weight="600" fill="#1a1a1a" '
        'stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>',
        ((c.label_x, c.label_y, c.anchor, c.label) for c in area_map.circles),
    )
    return format_html(
        '<svg class="jb-map" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-labelledby="{tid} {tid}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{tid}">{title}</title><desc id="{tid}-desc">{desc}</desc>'
        '<rect width="{w}" height="{mh}" fill="#eef3f8" rx="4"/>'
        # Dots and labels let clicks through to the circles' links beneath them.
        '{circles}<g pointer-events="none">{dots}{labels}</g>{legend}</svg>',
        w=w,
        h=h,
        mh=area_map.height,
        tid=title_id,
        title=area_map.title,
        desc=_(
            "Circles: areas at their centre, sized by population, coloured by status against the "
            "expected share of the goal. Dots: institutions. The table below gives the same figures."
        ),
        circles=circles,
        dots=dots,
        labels=labels,
        legend=_legend_markup(area_map),
    )


def _circle_markup(circle):
    stroke, stroke_width, dash = RAG_STROKE[circle.status]
    shape = format_html(
        '<circle cx="{}" cy="{}" r="{}" fill="{}" fill-opacity="0.72" stroke="{}" stroke-width="{}"{}>'
        "<title>{}</title></circle>",
        circle.x,
        circle.y,
        circle.r,
        RAG_FILL[circle.status],
        stroke,
        stroke_width,
        format_html(' stroke-dasharray="{}"', dash) if dash else "",
        f"{circle.name}: {circle.detail}" if circle.detail else circle.name,
    )
    if circle.link:
        return format_html('<a href="{}">{}</a>', circle.link, shape)
    return shape


def _dot_markup(dot):
    if dot.reached:
        return format_html(
            '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="#ffffff" stroke-width="0.8"/>',
            dot.x,
            dot.y,
            dot.size,
            REACHED_FILL,
        )
    side = dot.size * 1.7
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#ffffff" stroke="{}" stroke-width="1.2"/>',
        round(dot.x - side / 2, 1),
        round(dot.y - side / 2, 1),
        round(side, 1),
        round(side, 1),
        NOT_REACHED_STROKE,
    )


def legend_layout(area_map: AreaMap):
    """(kind, status, text, x, y) of each legend entry: two rows under the map frame."""
    y0 = area_map.height + 18
    entries = []
    x = MARGIN + 8
    for index, (kind, status, text) in enumerate(legend_items()):
        if index == 4:
            x = MARGIN + 8
        y = y0 if index < 4 else y0 + 22
        entries.append((kind, status, text, x, y))
        x += 22 + 6.0 * len(text) + 18
    return entries


def legend_note():
    return _("Circle area: population")


def _legend_markup(area_map):
    parts = []
    for kind, status, text, x, y in legend_layout(area_map):
        if kind == "circle":
            stroke, stroke_width, dash = RAG_STROKE[status]
            symbol = format_html(
                '<circle cx="{}" cy="{}" r="7" fill="{}" fill-opacity="0.72" stroke="{}" '
                'stroke-width="{}"{}/>',
                x,
                y - 4,
                RAG_FILL[status],
                stroke if status in (AMBER, RED) else "#5b6670",
                stroke_width,
                format_html(' stroke-dasharray="{}"', dash) if dash else "",
            )
        elif kind == "reached":
            symbol = _dot_markup(Dot(x=x, y=y - 4, size=3.4, reached=True, count=1))
        else:
            symbol = _dot_markup(Dot(x=x, y=y - 4, size=3.4, reached=False, count=1))
        parts.append(symbol)
        parts.append(
            format_html('<text x="{}" y="{}" font-size="11" fill="#1a1a1a">{}</text>', x + 13, y, text)
        )
    note_x = area_map.width - MARGIN
    parts.append(
        format_html(
            '<text x="{}" y="{}" font-size="11" fill="#4a4a4a" text-anchor="end">{}</text>',
            note_x,
            area_map.height + 40,
            legend_note(),
        )
    )
    return format_html_join("", "{}", ((part,) for part in parts))


# --- Reading the rows -------------------------------------------------------------------

# Institution points are grouped in grid cells of this many degrees (about 5 km on a
# province's map, 500 m on a regency's): a dot per cell keeps the markup small whatever
# the number of institutions; a cell with more institutions gets a larger dot.
GRID_DEGREES = {"regency": 0.05, "district": 0.005}


def map_rows(*, campaign, section, regency=None, link=None):
    """(areas, points, level) for ``area_map``: the regencies of the dashboard's area
    ``section`` (``AreaSection``), or the districts of one ``regency`` (a Region) with
    their own figures on the section's day. ``link(code)`` gives a regency's zoomed map.

    A region's centre is its own latitude/longitude when staff set it, else the mean of
    its institutions' coordinates; a region with neither is left off the map."""
    from django.db.models import Avg, Case, Count, FloatField, Q, Value, When
    from django.db.models.functions import Cast, Floor, Substr

    from campaign.core.models import Region
    from campaign.institutions.models import Institution

    from .charts import rag_label

    if regency is None:
        level, prefix_length = Region.Level.REGENCY, 4
        rows = list(section.rows)
        prefixes = [row.region.code for row in rows]
    else:
        level, prefix_length = Region.Level.DISTRICT, 7
        rows = _district_rows(campaign=campaign, section=section, regency=regency)
        prefixes = [regency.code]

    located = Institution.objects.filter(latitude__isnull=False, longitude__isnull=False)
    area_q = Q()
    for code in prefixes:
        area_q |= Q(region__code__startswith=code)
    located = located.filter(area_q) if prefixes else located.none()

    # One query: institutions by area, grid cell and reached or not. The cells are the
    # dots; weighted by their counts, they give the centres the regions lack (the mean of
    # their institutions' coordinates).
    step = GRID_DEGREES[level]
    reached = [Institution.Status.GUIDED, Institution.Status.COMPLETED_REPORTED]
    groups = list(
        located.annotate(
            area=Substr("region__code", 1, prefix_length),
            cell_lat=Floor(Cast("latitude", FloatField()) * Value(1 / step)),
            cell_lon=Floor(Cast("longitude", FloatField()) * Value(1 / step)),
            is_reached=Case(When(status__in=reached, then=Value(True)), default=Value(False)),
        )
        .values("area", "cell_lat", "cell_lon", "is_reached")
        .annotate(n=Count("pk"), lat=Avg("latitude"), lon=Avg("longitude"))
        .order_by("is_reached", "cell_lat", "cell_lon")  # reached last: drawn on top
    )
    sums = {}
    for item in groups:
        total = sums.setdefault(item["area"], [0, 0.0, 0.0])
        total[0] += item["n"]
        total[1] += float(item["lat"]) * item["n"]
        total[2] += float(item["lon"]) * item["n"]
    means = {area: (lat / n, lon / n) for area, (n, lat, lon) in sums.items()}
    points = [
        MapPoint(latitude=item["lat"], longitude=item["lon"], reached=item["is_reached"], count=item["n"])
        for item in groups
    ]

    areas = []
    for row in rows:
        region = row.region
        if region.latitude is not None and region.longitude is not None:
            lat, lon = region.latitude, region.longitude
        else:
            lat, lon = means.get(region.code, (None, None))
        detail = rag_label(row.status)
        if row.rate is not None:
            detail += " · " + _("%(rate)s%% of residents online") % {"rate": _number(row.rate, 2)}
        areas.append(
            MapArea(
                code=region.code,
                name=region.name,
                latitude=lat,
                longitude=lon,
                population=row.population,
                status=row.status,
                detail=detail,
                link=link(region.code) if link and level == Region.Level.REGENCY else "",
            )
        )
    return areas, points, level


def _district_rows(*, campaign, section, regency):
    """AreaRow per district of ``regency`` with its own figure on the section's day (a
    district has a status only when the figures come by district and it has a
    population: SP2020 or an area goal)."""
    from campaign.core.models import Region

    from .models import OfficialCount
    from .selectors import AreaRow, _goal_annotations, goals

    districts = list(
        Region.objects.filter(parent=regency, level=Region.Level.DISTRICT)
        .annotate(**_goal_annotations(campaign))
        .order_by("code")
    )
    area_goals = goals(campaign=campaign, regions=districts)
    persons = {}
    if section.date is not None:
        persons = dict(
            OfficialCount.objects.filter(region__in=districts, date=section.date).values_list(
                "region_id", "persons"
            )
        )
    expected = next((row.expected_percent for row in section.rows), 0.0)
    return [
        AreaRow(
            region=district,
            population=area_goals[district.pk][0],
            goal=area_goals[district.pk][1],
            persons=persons.get(district.pk),
            expected_percent=expected,
        )
        for district in districts
    ]


def _number(value, digits):
    from django.utils import formats

    return formats.number_format(value, digits)


def campaign_map(*, campaign, section, regency_code="", link=None) -> tuple[AreaMap, object]:
    """(the map, the regency it is zoomed to or None) for the dashboard and the PDF:
    the campaign's regencies, or the districts of ``regency_code`` when it is one of
    them."""
    regency = next((row.region for row in section.rows if row.region.code == regency_code), None)
    areas, points, level = map_rows(campaign=campaign, section=section, regency=regency, link=link)
    if regency is None:
        title = _("Map of the campaign area: regencies by status, and the institutions")
    else:
        title = _("Map of %(regency)s: districts by status, and the institutions") % {"regency": regency.name}
    return area_map(areas=areas, points=points, title=title), regency
