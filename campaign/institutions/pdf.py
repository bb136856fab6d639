"""The weekly progress report for leadership, as a PDF: a pure function of the
dashboard data that returns bytes (reportlab, vector charts, user text escaped)."""

import datetime
import io
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from campaign.core.numbers import format_number, format_percent, weeks_gap

BLUE = colors.HexColor("#0b4f8a")
ORANGE = colors.HexColor("#f7941d")
GREY = colors.HexColor("#c9d3de")
LIGHT = colors.HexColor("#9cc3e6")


def _styles():
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle(
            "title",
            parent=base["Title"],
            textColor=BLUE,
            fontSize=18,
            leading=22,
            alignment=TA_LEFT,
            spaceAfter=2 * mm,
        ),
        # A heading never ends a page: it moves to the next one with what it introduces.
        "h2": ParagraphStyle(
            "h2", parent=base["Heading2"], textColor=BLUE, fontSize=13, spaceBefore=5 * mm, keepWithNext=1
        ),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=10, leading=13),
        "small": ParagraphStyle(
            "small", parent=base["BodyText"], fontSize=8, leading=10, textColor=colors.HexColor("#4a4a4a")
        ),
        # A note under a heading stays with the chart or table it explains.
        "note": ParagraphStyle(
            "note",
            parent=base["BodyText"],
            fontSize=8,
            leading=10,
            textColor=colors.HexColor("#4a4a4a"),
            keepWithNext=1,
        ),
    }


RAG_COLOURS = {
    "green": colors.HexColor("#1b7f3b"),
    "amber": colors.HexColor("#a86400"),
    "red": colors.HexColor("#b3261e"),
    "none": colors.HexColor("#6b7682"),
}


def _area_section(data, styles, width):
    """Regencies furthest behind their expected share of the goal first, with RAG."""
    from campaign.response.charts import rag_label

    areas = data.areas
    if areas is None or not areas.rows:
        return []
    story = [Paragraph(escape(_("Where the campaign lags: regencies")), styles["h2"])]
    if areas.date is None:
        return [*story, Paragraph(escape(_("No official figures by area yet.")), styles["body"])]
    story.append(
        Paragraph(
            escape(
                (
                    _(
                        "Official figures of %(date)s. Green: at or above the share of the goal expected "
                        "by that day (following the province's own curve); amber: up to %(amber)s points "
                        "of the goal below it; red: further below."
                    )
                    if getattr(data.campaign, "trajectory", "") == "shaped"
                    else _(
                        "Official figures of %(date)s. Green: at or above the share of the goal expected by "
                        "that day (linear over the online phase); amber: up to %(amber)s points of the goal "
                        "below it; red: further below."
                    )
                )
                % {
                    "date": formats.date_format(areas.date, "j F Y"),
                    "amber": formats.number_format(areas.amber_points, 1),
                }
            ),
            styles["small"],
        )
    )

    if data.area_map is not None and not data.area_map.is_empty:
        story.append(_area_map(data.area_map, width))

    def fmt(value, digits=None):
        if value is None:
            return "—"
        return formats.number_format(value, digits) if digits is not None else _number(value)

    head = ParagraphStyle(
        "area_head", parent=styles["small"], fontName="Helvetica-Bold", textColor=colors.black
    )
    head_right = ParagraphStyle("area_head_right", parent=head, alignment=TA_RIGHT)
    headers = [
        _("Regency/city"),
        _("Status"),
        _("Persons online"),
        _("% of goal"),
        _("Expected"),
        _("Gap"),
        _("Reached / registered"),
        _("Sessions"),
    ]
    rows = [
        [Paragraph(escape(text), head if index < 2 else head_right) for index, text in enumerate(headers)]
    ]
    style = [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLUE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for index, row in enumerate(areas.rows, start=1):
        rows.append(
            [
                Paragraph(escape(row.region.name), styles["small"]),
                rag_label(row.status),
                fmt(row.persons),
                fmt(row.progress, 1),
                fmt(row.expected_percent, 1),
                fmt(row.gap, 1),
                f"{_number(row.reached)} / {_number(row.institutions)}",
                _number(row.sessions_week),
            ]
        )
        style += [
            ("BACKGROUND", (1, index), (1, index), RAG_COLOURS[row.status]),
            ("TEXTCOLOR", (1, index), (1, index), colors.white),
        ]
    table = Table(
        rows,
        colWidths=[width * w for w in (0.21, 0.14, 0.12, 0.09, 0.13, 0.08, 0.13, 0.10)],
        repeatRows=1,
    )
    table.setStyle(TableStyle(style))
    return [*story, table]


def _area_map(area_map, width):
    """The dashboard's map (``campaign.response.maps``), the same shapes drawn with
    reportlab: SVG's y runs down, the PDF's up."""
    from reportlab.graphics.shapes import Circle, Rect

    from campaign.response import maps

    scale = width / area_map.width
    height = area_map.total_height * scale
    drawing = Drawing(width, height)

    def at(x, y):
        return x * scale, height - y * scale

    def colour(value):
        return colors.HexColor(value)

    x, y = at(0, area_map.height)
    drawing.add(Rect(x, y, width, area_map.height * scale, fillColor=colour("#eef3f8"), strokeColor=None))

    def rag_circle(cx, cy, r, status):
        stroke, stroke_width, dash = maps.RAG_STROKE[status]
        fill = colour(maps.RAG_FILL[status])
        fill.alpha = 0.72
        return Circle(
            cx,
            cy,
            r,
            fillColor=fill,
            strokeColor=colour(stroke),
            strokeWidth=stroke_width * scale,
            strokeDashArray=[float(n) * scale for n in dash.split()] if dash else None,
        )

    def dot(cx, cy, size, reached):
        if reached:
            return Circle(
                cx, cy, size, fillColor=colour(maps.REACHED_FILL), strokeColor=colors.white, strokeWidth=0.5
            )
        side = size * 1.7
        return Rect(
            cx - side / 2,
            cy - side / 2,
            side,
            side,
            fillColor=colors.white,
            strokeColor=colour(maps.NOT_REACHED_STROKE),
            strokeWidth=0.8,
        )

    for circle in area_map.circles:
        drawing.add(rag_circle(*at(circle.x, circle.y), circle.r * scale, circle.status))
    for item in area_map.dots:
        drawing.add(dot(*at(item.x, item.y), item.size * scale, item.reached))
    for circle in area_map.circles:
        lx, ly = at(circle.label_x, circle.label_y)
        drawing.add(
            String(
                lx, ly, circle.label, fontName="Helvetica-Bold", fontSize=10 * scale, textAnchor=circle.anchor
            )
        )
    for kind, status, text, lx, ly in maps.legend_layout(area_map):
        sx, sy = at(lx, ly - 4)
        if kind == "circle":
            drawing.add(rag_circle(sx, sy, 7 * scale, status))
        else:
            drawing.add(dot(sx, sy, 3.4 * scale, kind == "reached"))
        drawing.add(String(*at(lx + 13, ly), text, fontName="Helvetica", fontSize=11 * scale))
    drawing.add(
        String(
            *at(area_map.width - maps.MARGIN, area_map.height + 40),
            maps.legend_note(),
            fontName="Helvetica",
            fontSize=11 * scale,
            fillColor=colour("#4a4a4a"),
            textAnchor="end",
        )
    )
    return drawing


def _uplift_section(data, styles, width):
    """ "Did it work?": change in online rate in areas with guided sessions, beside areas
    without, worded as an association, with the numbers behind it."""
    result = data.uplift
    if result is None:
        return []
    story = [Paragraph(escape(_("After the guided sessions: did the online rate move?")), styles["h2"])]
    if not (result.visited and result.others):
        story.append(
            Paragraph(
                escape(
                    _("Not enough official figures for this week to compare areas with and without sessions.")
                ),
                styles["body"],
            )
        )
        return story
    level = _("districts") if result.level == "district" else _("regencies")
    text = _(
        "From %(before)s to %(after)s, the online rate rose by %(visited)s points on average where "
        "teams held guided sessions this week (%(level)s: %(n_visited)d), and by %(others)s points "
        "where they did not (%(n_others)d). This is an association, not proof that the sessions "
        "caused it: teams choose where they go, and other things change at the same time."
    ) % {
        "before": formats.date_format(result.before_date, "j F Y"),
        "after": formats.date_format(result.after_date, "j F Y"),
        "visited": formats.number_format(result.visited_mean, 2),
        "n_visited": len(result.visited),
        "others": formats.number_format(result.others_mean, 2),
        "n_others": len(result.others),
        "level": level,
    }
    story.append(Paragraph(escape(text), styles["body"]))
    rows = [[_("Area"), _("Sessions"), _("Before"), _("After"), _("Change (points)")]]
    for row in [*result.visited, *result.others]:
        rows.append(
            [
                Paragraph(escape(row.region.name), styles["small"]),
                _number(row.sessions),
                _number(row.before),
                _number(row.after),
                formats.number_format(row.change, 2),
            ]
        )
    table = Table(rows, colWidths=[width * w for w in (0.36, 0.14, 0.16, 0.16, 0.18)], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLUE),
                ("LINEBELOW", (0, len(result.visited)), (-1, len(result.visited)), 0.6, GREY),
            ]
        )
    )
    story.append(table)
    return story


def _number(value):
    return format_number(value)


def _team_chart(data, width):
    rows = data.chart_teams
    if not rows:  # a campaign without teams yet: reportlab cannot draw an empty chart
        return Spacer(1, 1)
    drawing = Drawing(width, 22 + 18 * max(len(rows), 1))
    chart = HorizontalBarChart()
    chart.x, chart.y = 70, 10
    chart.width, chart.height = width - 90, 18 * max(len(rows), 1)
    teams = list(reversed(rows))
    chart.data = [[r.target for r in teams], [r.planned for r in teams], [r.held for r in teams]]
    chart.categoryAxis.categoryNames = [r.team.name[:14] for r in teams]
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = _number
    chart.bars[0].fillColor, chart.bars[1].fillColor, chart.bars[2].fillColor = GREY, LIGHT, BLUE
    for index in range(3):
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    return drawing


def _weekly_chart(data, width):
    drawing = Drawing(width, 150)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 30, width - 40, 105
    chart.data = [[p.target for p in data.series], [p.held for p in data.series]]
    chart.categoryAxis.categoryNames = [p.week.strftime("%d/%m") for p in data.series]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = _number
    chart.bars[0].fillColor, chart.bars[1].fillColor = ORANGE, BLUE
    chart.bars[0].strokeColor = chart.bars[1].strokeColor = None
    drawing.add(chart)
    drawing.add(String(30, 5, _("Orange: weekly target · Blue: held"), fontSize=8))
    return drawing


def weekly_report(data) -> bytes:
    """A4 report of one campaign week (``data`` from ``dashboard.dashboard_data``)."""
    output = io.BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=_("Weekly progress report"),
        author="Jemput Bola",
    )
    styles = _styles()
    width = A4[0] - 32 * mm
    last_day = data.week + datetime.timedelta(days=6)
    period = f"{formats.date_format(data.week, 'j F Y')} – {formats.date_format(last_day, 'j F Y')}"
    story = [
        Paragraph(escape(_("Weekly progress report")), styles["title"]),
        Paragraph(
            f"<b>{escape(data.campaign.name)}</b><br/>{escape(_('Week'))}: {escape(period)}", styles["body"]
        ),
        Spacer(1, 4 * mm),
    ]
    totals, week, participation = data.totals, data.week_totals, data.participation
    summary = [
        [_("This week"), "", _("Whole campaign"), ""],
        [_("Target"), _number(week["target"]), _("Institutions reached"), _number(totals["reached"])],
        [_("Planned"), _number(week["planned"]), _("People guided"), _number(totals["guided"])],
        [_("Held"), _number(week["held"]), _("People completed"), _number(totals["completed"])],
        [
            _("People completed"),
            _number(week["completed"]),
            _("Against the plan"),
            str(weeks_gap(data.weeks_ahead)),
        ],
    ]
    if totals.get("staff_total"):
        summary.append(
            [
                "",
                "",
                _("Staff done, as reported"),
                f"{_number(totals['staff_done'])} / {_number(totals['staff_total'])}"
                f" ({round(100 * totals['staff_done'] / totals['staff_total'])}%)",
            ]
        )
    table = Table(summary, colWidths=[width * 0.25, width * 0.13, width * 0.32, width * 0.30])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("TEXTCOLOR", (0, 0), (-1, 0), BLUE),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("ALIGN", (1, 1), (1, -1), "RIGHT"),
                ("ALIGN", (3, 1), (3, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLUE),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f6fa")]),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story += [table, Spacer(1, 3 * mm)]

    if participation["official"] is not None:
        goal_text = _(
            "Official online count: %(count)s people as of %(date)s (%(percent)s%% of the goal of %(goal)s)."
        ) % {
            "count": _number(participation["official"]),
            "date": formats.date_format(participation["official_date"], "j F Y")
            if participation["official_date"]
            else "—",
            "percent": format_number(participation["percent_of_goal"], 1),
            "goal": _number(participation["goal"]),
        }
        share_text = _(
            "Of them, %(completed)s completed the form in guided sessions (%(share)s%% of the official "
            "count); they are part of the official count, not added to it."
        ) % {
            "completed": _number(participation["via_sessions"]),
            "share": format_number(participation["via_sessions_share"] or 0, 2),
        }
    else:
        goal_text = _("No official online count yet (goal: %(goal)s people).") % {
            "goal": _number(participation["goal"])
        }
        share_text = _("%(completed)s people completed the form in guided sessions.") % {
            "completed": _number(participation["via_sessions"])
        }
    story.append(Paragraph(escape(goal_text), styles["body"]))
    story.append(Paragraph(escape(share_text), styles["small"]))

    story += _area_section(data, styles, width)
    story += _uplift_section(data, styles, width)

    story += [
        Paragraph(escape(_("Teams this week")), styles["h2"]),
        *(
            [
                Paragraph(
                    escape(
                        _("The chart shows the %(n)d teams furthest behind their target.")
                        % {"n": len(data.chart_teams)}
                    ),
                    styles["note"],
                )
            ]
            if data.chart_is_partial
            else []
        ),
        _team_chart(data, width),
        Spacer(1, 4 * mm),
    ]
    rows = [[_("Team"), _("Target"), _("Planned"), _("Held"), _("Guided"), _("Completed"), "%"]]
    for row in data.teams:
        rows.append(
            [
                Paragraph(escape(row.team.name), styles["body"]),
                _number(row.target),
                _number(row.planned),
                _number(row.held),
                _number(row.guided),
                _number(row.completed),
                format_percent(row.percent, 0),
            ]
        )
    teams_table = Table(rows, colWidths=[width * 0.28] + [width * 0.13] * 5 + [width * 0.07], repeatRows=1)
    teams_table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLUE),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f6fa")]),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [teams_table, Paragraph(escape(_("Week by week")), styles["h2"]), _weekly_chart(data, width)]

    if data.by_kind:
        story.append(Paragraph(escape(_("Institutions reached by kind")), styles["h2"]))
        kind_rows = [[_("Kind"), _("Reached"), _("Registered")]] + [
            [Paragraph(escape(k["kind"]), styles["body"]), _number(k["reached"]), _number(k["total"])]
            for k in data.by_kind
        ]
        kinds = Table(kind_rows, colWidths=[width * 0.5, width * 0.25, width * 0.25])
        kinds.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLUE),
                ]
            )
        )
        story.append(kinds)
    document.build(story)
    return output.getvalue()
