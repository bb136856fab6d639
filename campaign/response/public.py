"""The public progress page and its embeddable widget (opt in: ``PublicProgressSettings``).

Both are ordinary anonymous pages for the page cache (``pagecache.cacheable``): rendered
once per generation, then answered from the cache before any other middleware runs, and
purged when new figures arrive (``signals.figures_changed``), when a figure or an area
goal is saved by hand, or when the setting changes.

The widget is the one URL of the site that other sites may frame: it sends no
X-Frame-Options and its own Content-Security-Policy (``frame-ancestors *``); everything
else keeps ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``. It loads nothing
(no script, font, image or stylesheet): its one ``<style>`` block is allowed by its hash,
so the policy needs neither a nonce (which the page cache refuses to store) nor
``'unsafe-inline'``.
"""

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.safestring import mark_safe
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from campaign.core.pagecache import cacheable

from . import charts, selectors
from .models import PublicProgressSettings

# The frame the embed code suggests: a phone's width, the 22 regencies of NTT without
# scrolling (tests/browser/test_public_progress.py measures it).
WIDGET_SIZE = (360, 820)
WIDGET_CSS = Path(settings.BASE_DIR) / "templates" / "response" / "public_widget.css"


@lru_cache(maxsize=1)
def widget_css():
    """(the widget's stylesheet, its CSP source expression)."""
    css = WIDGET_CSS.read_text().strip()
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return css, f"'sha256-{digest}'"


def widget_policy():
    return {
        "default-src": [CSP.NONE],
        "style-src": [widget_css()[1]],
        "img-src": [CSP.NONE],
        "base-uri": [CSP.NONE],
        "form-action": [CSP.NONE],
        "frame-ancestors": ["*"],
    }


def short_name(region):
    """ "Kab. Timor Tengah Selatan" for the widget's narrow column; cities keep "Kota"."""
    if region is None:
        return ""
    name = region.name
    return f"Kab. {name.removeprefix('Kabupaten ')}" if name.startswith("Kabupaten ") else name


def _progress_or_404(request):
    from campaign.core.selectors import campaign_get_active

    if not PublicProgressSettings.for_request(request).enabled:
        raise Http404("public progress is not published")
    campaign = campaign_get_active()
    if campaign is None:
        raise Http404("no active campaign")
    return campaign, selectors.public_progress(campaign=campaign)


def _context(request, campaign, progress):
    def label(row):
        return {
            "row": row,
            "short_name": short_name(row.region),
            "label": charts.rag_label(row.status),
            "bar": charts.goal_bar(row.progress, row.expected_percent, row.status),
        }

    return {
        "campaign": campaign,
        "progress": progress,
        "province": label(progress.province),
        "rows": [label(row) for row in progress.rows],
        "page_url": request.build_absolute_uri(reverse("response_public_progress")),
        "widget_url": request.build_absolute_uri(reverse("response_public_widget")),
        "widget_size": WIDGET_SIZE,
    }


@require_safe
@cacheable
def progress_page(request):
    campaign, progress = _progress_or_404(request)
    return TemplateResponse(request, "response/public_progress.html", _context(request, campaign, progress))


@require_safe
@cacheable
@xframe_options_exempt
@csp_override(widget_policy())
def progress_widget(request):
    campaign, progress = _progress_or_404(request)
    context = _context(request, campaign, progress)
    context["css"] = mark_safe(widget_css()[0])  # noqa: S308 - our own file, hashed in the policy
    return TemplateResponse(request, "response/public_widget.html", context)
