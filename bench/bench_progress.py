"""The public progress widget (issue 16) served from the page cache, beside static files.

The data: NTT's 22 regencies and the demo's daily official figures over the whole
SP2020 online phase (1,540 regency-days, ending at 981,552 persons on 28 May 2020),
the progress page published. In-process first (Django's test client: render time and
queries of the page and the widget, page cache off), then under gunicorn (2 sync
workers, campaign.settings.bench) with the load generator of bench_news: the widget
with the page cache off (every request renders) and on (every request after the first
is a hit), beside two static files WhiteNoise serves from the same server: the site's
stylesheet (about the widget's size) and the logo.
"""

import datetime
import logging
import os
import tempfile
from io import StringIO
from pathlib import Path

from django.test import Client
from django.test.utils import override_settings

from bench.bench_news import gunicorn, measure
from bench.common import Result, timed

PAGE = "/progres/"
WIDGET = "/progres/widget/"
STATIC = "/static/css/site.css"
SMALL_STATIC = "/static/img/logo.svg"


def _figures():
    from campaign.core.models import Campaign, CampaignExtension, Region
    from campaign.core.services import regions_load, site_home_ensure, wagtail_roots_ensure
    from campaign.response import demo

    wagtail_roots_ensure()
    site_home_ensure(title="Sensus Penduduk Online 2020", intro="", cta_label="Isi Sensus Penduduk Online")
    regions_load()
    campaign = Campaign.objects.create(
        name="Sensus Penduduk 2020",
        short_name="SP2020",
        online_start=datetime.date(2020, 2, 15),
        online_end=datetime.date(2020, 3, 31),
        population_base=5_325_566,
        goal_percent=23,
        is_active=True,
    )
    campaign.area.set([Region.objects.get(code="53")])
    CampaignExtension.objects.create(campaign=campaign, new_end=datetime.date(2020, 5, 29))
    demo.load(stdout=StringIO(), with_users=False)  # the figures, and publishes the page


def run():
    workdir = Path(tempfile.mkdtemp(prefix="jemputbola-progress-bench-"))
    local_cache = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=local_cache, PAGE_CACHE_SECONDS=0, DEBUG=True):
        logging.disable(logging.INFO)
        try:
            _figures()
        finally:
            logging.disable(logging.NOTSET)
        client = Client()
        for url in (PAGE, WIDGET):
            assert client.get(url).status_code == 200, url
        page_ms, _, page_queries = timed(lambda: client.get(PAGE), repeat=100)
        widget_ms, _, widget_queries = timed(lambda: client.get(WIDGET), repeat=100)
        widget_bytes = len(client.get(WIDGET).content)
        page_bytes = len(client.get(PAGE).content)
        static_bytes = len(b"".join(client.get(STATIC).streaming_content))
    results = [
        Result(
            "progress page render in-process (median)",
            page_ms,
            "ms",
            note=f"{page_queries:.0f} queries, {page_bytes:,} bytes HTML",
        ),
        Result(
            "progress widget render in-process (median)",
            widget_ms,
            "ms",
            goal="< 15 KB",
            note=f"{widget_queries:.0f} queries, {widget_bytes:,} bytes HTML",
        ),
    ]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "campaign.settings.bench",
        "CACHE_URL": f"file://{workdir / 'cache'}",
        "LOG_LEVEL": "WARNING",
        "DATABASE_CONN_MAX_AGE": "600",
    }
    with gunicorn({**env, "PAGE_CACHE_SECONDS": "0"}) as server:
        results += _results("progress widget, uncached", server, WIDGET)
    with gunicorn({**env, "PAGE_CACHE_SECONDS": "600"}) as server:
        results += _results("progress widget, page cache hit", server, WIDGET, goal="≈ static file")
        results += _results(f"static file (site.css, {static_bytes:,} bytes)", server, STATIC)
        results += _results("static file (logo.svg)", server, SMALL_STATIC)
        results += _results("progress page, page cache hit", server, PAGE)
    return results


def _results(label, server, url, *, goal=""):
    stats = measure(server, url)
    note = f"p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms, {stats['requests']} requests"
    if stats["errors"]:
        note += f", {stats['errors']} errors"
    return [
        Result(f"{label}: throughput", stats["rate"], "req/s", goal=goal, note=note),
        Result(f"{label}: server CPU", stats["cpu_ms"], "ms/req", goal=goal),
    ]
