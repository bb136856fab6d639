"""Server-drawn SVG for the response figures: sparklines and the RAG badge colours
(presentation attributes only: CSP-safe, and the same markup works in the PDF's PNGs)."""

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .selectors import AMBER, GREEN, NONE, RED

RAG_COLOURS = {GREEN: "#1b7f3b", AMBER: "#c77800", RED: "#b3261e", NONE: "#8a96a3"}


def rag_label(status):
    return {GREEN: _("on track"), AMBER: _("slightly behind"), RED: _("behind"), NONE: _("no goal")}[status]


def sparkline(values, *, width=120, height=28, colour="#0b4f8a"):
    """A line of the cumulative persons online per day; gaps (days without figures) skipped."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    low, high = min(v for _, v in known), max(v for _, v in known)
    span = (high - low) or 1
    step = (width - 4) / max(len(values) - 1, 1)
    points = " ".join(
        f"{2 + i * step:.1f},{height - 3 - (v - low) / span * (height - 6):.1f}" for i, v in known
    )
    last_x, last_y = points.split(" ")[-1].split(",")
    return format_html(
        '<svg class="jb-spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}" '
        'xmlns="http://www.w3.org/2000/svg"><polyline points="{points}" fill="none" stroke="{c}" '
        'stroke-width="1.5"/><circle cx="{x}" cy="{y}" r="2.2" fill="{c}"/></svg>',
        w=width,
        h=height,
        label=_("From %(first)s to %(last)s persons online")
        % {"first": f"{known[0][1]:,}", "last": f"{known[-1][1]:,}"},
        points=mark_safe(points),  # noqa: S308 - numbers only
        c=colour,
        x=last_x,
        y=last_y,
    )


def goal_bar(progress, expected, status, *, height=12):
    """The share of the goal reached as a bar, with a tick where the figures' day expects
    it. Widths are percentages of the box, so the bar fills whatever cell or frame holds
    it; colours are presentation attributes (no style attribute, CSP-safe)."""
    from campaign.core.numbers import format_percent

    if progress is None:
        return ""
    filled = min(max(progress, 0), 100)
    tick = min(max(expected or 0, 0), 100)
    return format_html(
        '<svg class="jb-bar" width="100%" height="{h}" role="img" aria-label="{label}" '
        'xmlns="http://www.w3.org/2000/svg"><rect width="100%" height="{h}" rx="2" fill="#e3e9f0"/>'
        '<rect width="{filled}%" height="{h}" rx="2" fill="{c}"/>'
        '<rect x="{tick}%" y="0" width="2" height="{h}" fill="#1a1a1a" transform="translate(-1 0)"/></svg>',
        h=height,
        label=_("%(progress)s of the goal reached; %(expected)s expected by this day")
        % {"progress": format_percent(progress), "expected": format_percent(expected)},
        filled=f"{filled:.1f}",
        tick=f"{tick:.1f}",
        c=RAG_COLOURS[status],
    )
