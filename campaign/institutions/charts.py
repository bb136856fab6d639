"""Server-drawn SVG charts: no chart JavaScript, readable on a phone, CSP-safe
(presentation attributes only, no inline styles or scripts)."""

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from campaign.core.numbers import format_number, format_percent

BLUE, ORANGE, GREY, INK, LIGHT = "#0b4f8a", "#f7941d", "#c9d3de", "#1a1a1a", "#9cc3e6"


def _svg(width, height, body, label):
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">{}</svg>',
        width,
        height,
        label,
        mark_safe("".join(body)),  # noqa: S308 - built from escaped parts
    )


def team_bars(rows):
    """Per team: target (grey), planned (light blue) and held (blue), as horizontal bars."""
    width, label_w, bar_h, gap = 640, 150, 10, 14
    scale_max = max([r.target for r in rows] + [r.planned for r in rows] + [r.held for r in rows] + [1])
    plot_w = width - label_w - 60
    body = []
    y = 24
    body.append(_legend(label_w, 12, [(GREY, _("Target")), (LIGHT, _("Planned")), (BLUE, _("Held"))]))
    for row in rows:
        body.append(
            format_html(
                '<text x="0" y="{}" font-size="13" fill="{}">{}</text>', y + 2 * bar_h, INK, row.team.name
            )
        )
        for offset, (value, colour) in enumerate(
            ((row.target, GREY), (row.planned, LIGHT), (row.held, BLUE))
        ):
            w = round(plot_w * value / scale_max, 1)
            body.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" rx="2"/>',
                    label_w,
                    y + offset * bar_h,
                    w,
                    bar_h - 2,
                    colour,
                )
            )
        body.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" fill="{}">{} / {}</text>',
                label_w + plot_w + 6,
                y + 2 * bar_h,
                INK,
                format_number(row.held),
                format_number(row.target),
            )
        )
        y += 3 * bar_h + gap
    return _svg(width, y, body, _("Institutions per team: target, planned and held"))


def weekly_columns(series, current):
    """Held sessions per campaign week against the teams' combined weekly target."""
    width, height, left, bottom = 640, 220, 36, 40
    n = max(len(series), 1)
    top_value = max([p.target for p in series] + [p.held for p in series] + [1])
    plot_h = height - bottom - 20
    step = (width - left - 10) / n
    body = [_legend(left, 12, [(BLUE, _("Held")), (ORANGE, _("Target"))])]
    for index, point in enumerate(series):
        x = left + index * step
        h = round(plot_h * point.held / top_value, 1)
        colour = BLUE if point.week <= current else GREY
        body.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" rx="2"/>',
                round(x + step * 0.15, 1),
                round(height - bottom - h, 1),
                round(step * 0.7, 1),
                h,
                colour,
            )
        )
        ty = round(height - bottom - plot_h * point.target / top_value, 1)
        body.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"/>',
                round(x + step * 0.05, 1),
                ty,
                round(x + step * 0.95, 1),
                ty,
                ORANGE,
            )
        )
        body.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="{}">{}</text>',
                round(x + step / 2, 1),
                height - bottom + 14,
                INK,
                point.week.strftime("%d/%m"),
            )
        )
        if point.held:
            body.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="{}">{}</text>',
                    round(x + step / 2, 1),
                    round(height - bottom - h - 4, 1),
                    INK,
                    format_number(point.held),
                )
            )
    body.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
            left,
            height - bottom,
            width - 10,
            height - bottom,
            INK,
        )
    )
    return _svg(width, height, body, _("Held sessions per week against the target"))


def goal_bar(official, goal):
    """How far the official online count is towards the goal."""
    width, height = 640, 46
    share = min(official / goal, 1) if goal else 0
    body = [
        format_html('<rect x="0" y="8" width="{}" height="22" fill="{}" rx="4"/>', width, GREY),
        format_html(
            '<rect x="0" y="8" width="{}" height="22" fill="{}" rx="4"/>', round(width * share, 1), ORANGE
        ),
        format_html(
            '<text x="6" y="24" font-size="13" fill="{}">{}</text>',
            INK,
            format_percent(100 * official / goal if goal else 0),
        ),
    ]
    return _svg(width, height, body, _("Official online count against the goal"))


def _legend(x, y, items):
    parts = []
    for label_colour, label in items:
        parts.append(
            format_html('<rect x="{}" y="{}" width="12" height="12" fill="{}"/>', x, y - 10, label_colour)
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" fill="{}">{}</text>', x + 16, y, INK, escape(label)
            )
        )
        x += 24 + 8 * len(label)
    return "".join(parts)
