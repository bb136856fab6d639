"""The progress dashboard and the reports over 50,000 institutions and 200,000 sessions
(on whichever database DATABASE_URL names: SQLite by default, PostgreSQL in CI/rehearsal)."""

import datetime
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from bench.common import Result, timed
from campaign.core.models import Region
from campaign.core.services import campaign_save, regions_load
from campaign.institutions import random_data

INSTITUTIONS = 50_000
SESSIONS = 200_000


def run():
    regions_load()
    campaign = campaign_save(
        name="Sensus Penduduk 2020",
        short_name="SP2020",
        online_start=datetime.date(2020, 2, 15),
        online_end=datetime.date(2020, 3, 31),
        population_base=5_400_000,
        goal_percent=23,
        is_active=True,
        extensions=[(datetime.date(2020, 5, 29), "COVID-19")],
        area=[Region.objects.get(code="53")],
    )
    started = time.perf_counter()
    random_data.create(institutions=INSTITUTIONS, contacts_per_institution=2)
    random_data.create_fieldwork(campaign=campaign, sessions=SESSIONS)
    setup_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as after a real import

    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    client = Client()
    client.force_login(user)
    results = []
    pages = [
        ("dashboard", "/admin/campaign/dashboard/?week=2020-03-02", "< 300 ms, < 20 queries"),
        ("weekly report PDF", "/admin/campaign/dashboard/report.pdf?week=2020-03-02", ""),
        ("report: sessions", "/admin/reports/sessions/", ""),
        ("report: not reached", "/admin/reports/not-reached/", ""),
        ("report: team performance", "/admin/reports/team-performance/", ""),
    ]
    with override_settings(DEBUG=True):
        for label, url, goal in pages:
            assert client.get(url).status_code == 200, url
            median, p95, queries = timed(lambda url=url: client.get(url), repeat=10, warmup=1)
            results.append(
                Result(
                    f"{label} ({connection.vendor})",
                    median,
                    "ms",
                    goal=goal,
                    note=f"p95 {p95:.0f} ms, {queries:.0f} queries",
                )
            )
    results.append(
        Result(f"data setup: {INSTITUTIONS:,} institutions, {SESSIONS:,} sessions", setup_seconds, "s")
    )
    return results
