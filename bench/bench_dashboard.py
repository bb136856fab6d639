"""The progress dashboard and the reports over 50,000 institutions and 200,000 sessions
and a year of daily official figures for 7,200 districts (2.6 million rows; issue 16),
on whichever database DATABASE_URL names: SQLite by default, PostgreSQL in CI/rehearsal.

The figures: NTT's real districts (the campaign's area) and synthetic ones elsewhere
(provinces 11…, made after the field work so that no team or institution lands there)
up to 7,200 districts, each with a cumulative figure for every day of the 365 ending
on 31 May 2020. They are written with the driver's ``executemany``, a day at a time:
the importer's checks are measured by ``bench_response_import``, not here.
"""

import datetime
import os
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings

from bench.common import Result, timed
from campaign.core.models import Office, OfficeMember, Region
from campaign.core.services import DISSEMINATION_STAFF, campaign_save, regions_load, roles_sync
from campaign.institutions import random_data
from campaign.response.models import OfficialCount

# Smaller volumes for iteration (the figures in docs/performance.md are the defaults).
INSTITUTIONS = int(os.environ.get("BENCH_INSTITUTIONS", 50_000))
SESSIONS = int(os.environ.get("BENCH_SESSIONS", 200_000))
DISTRICTS = int(os.environ.get("BENCH_DISTRICTS", 7_200))
DAYS = int(os.environ.get("BENCH_DAYS", 365))
LAST_DAY = datetime.date(2020, 5, 31)


def national_districts():
    """NTT's districts and synthetic ones in other provinces, 7,200 in all (ids)."""
    ntt = list(Region.objects.filter(level="district").order_by("code").values_list("pk", flat=True))
    missing = max(DISTRICTS - len(ntt), 0)
    regencies_needed = -(-missing // 10)
    provinces = [
        Region(code=f"{11 + p}", name=f"Provinsi Uji {p + 1}", level="province")
        for p in range(-(-regencies_needed // 20))
    ]
    Region.objects.bulk_create(provinces)
    provinces = list(Region.objects.filter(code__in=[p.code for p in provinces]).order_by("code"))
    regencies = [
        Region(
            code=f"{provinces[r // 20].code}{r % 20 + 1:02d}",
            name=f"Kab Uji {r}",
            level="regency",
            parent=provinces[r // 20],
        )
        for r in range(regencies_needed)
    ]
    Region.objects.bulk_create(regencies)
    regencies = list(Region.objects.filter(code__in=[r.code for r in regencies]).order_by("code"))
    Region.objects.bulk_create(
        Region(
            code=f"{regencies[d // 10].code}{d % 10 + 1:03d}",
            name=f"Kec Uji {d}",
            level="district",
            parent=regencies[d // 10],
        )
        for d in range(missing)
    )
    others = Region.objects.filter(level="district", parent__in=regencies).order_by("code")
    return (ntt + list(others.values_list("pk", flat=True)))[:DISTRICTS]


def load_figures(district_ids):
    """365 days × the districts' cumulative figures, one executemany per day."""
    ops = connection.ops
    table = connection.ops.quote_name(OfficialCount._meta.db_table)
    imported_at = ops.adapt_datetimefield_value(datetime.datetime(2020, 6, 1, tzinfo=datetime.UTC))
    sql = (
        f"INSERT INTO {table} (region_id, date, persons, households, accessed, source, imported_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    first = LAST_DAY - datetime.timedelta(days=DAYS - 1)
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Both indexes of 2.6 M rows in memory while they are built (≈ 200 MB):
            # with the default 2 MB cache every insert into the (region, date) index
            # reads a page from disk, and the load took 11 minutes on a busy machine.
            cursor.execute("PRAGMA cache_size = -400000")
        for day in range(DAYS):
            date = ops.adapt_datefield_value(first + datetime.timedelta(days=day))
            batch = [
                (pk, date, 15 * (day + 1) + index % 97, 4 * (day + 1), index % 13, "bench", imported_at)
                for index, pk in enumerate(district_ids)
            ]
            cursor.executemany(sql, batch)
            rows += len(batch)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default again
    return rows


def offices_and_their_staff():
    """The province office and one office per NTT regency/city (23 in all), each with a
    dissemination staff member; returns the province's and Kota Kupang's."""
    groups = roles_sync()
    province = Office.objects.create(code="5300", name="BPS Provinsi NTT")
    province.area.set([Region.objects.get(code="53")])
    province.save()  # an office's area (a ParentalManyToManyField) is written on save
    staff = {}
    for regency in Region.objects.filter(level="regency", code__startswith="53").order_by("code"):
        office = Office.objects.create(code=regency.code, name=f"BPS {regency.name}", parent=province)
        office.area.set([regency])
        office.save()
        staff[regency.code] = user = get_user_model().objects.create_user(f"staf{regency.code}")
        user.groups.set([groups[DISSEMINATION_STAFF]])
        OfficeMember.objects.create(office=office, user=user)
    province_staff = get_user_model().objects.create_user("staf5300")
    province_staff.groups.set([groups[DISSEMINATION_STAFF]])
    OfficeMember.objects.create(office=province, user=province_staff)
    assert Office.objects.count() == 23
    assert Office.area.through.objects.count() == 23
    return province_staff, staff["5371"]


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
    started = time.perf_counter()
    figures = load_figures(national_districts())
    figures_seconds = time.perf_counter() - started
    assert figures == DISTRICTS * DAYS
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as after a real import

    province_staff, regency_staff = offices_and_their_staff()
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    client = Client()
    client.force_login(user)
    results = []
    # Issue 19: the province office's staff (a table by office of the 22 regency offices)
    # and a regency office's (Kota Kupang's area only), both with the office lookup.
    with override_settings(DEBUG=True):
        for label, staff, goal in (
            ("dashboard, province office (23 offices)", province_staff, "< 150 ms, < 20 queries"),
            ("dashboard, regency office (Kota Kupang)", regency_staff, "< 100 ms"),
        ):
            office_client = Client()
            office_client.force_login(staff)
            url = "/admin/campaign/dashboard/?week=2020-03-02"
            assert office_client.get(url).status_code == 200
            median, p95, queries = timed(lambda c=office_client, url=url: c.get(url), repeat=10, warmup=1)
            results.append(
                Result(
                    f"{label} ({connection.vendor})",
                    median,
                    "ms",
                    goal=goal,
                    note=f"p95 {p95:.0f} ms, {queries:.0f} queries",
                )
            )
    pages = [
        ("dashboard", "/admin/campaign/dashboard/?week=2020-03-02", "< 150 ms, ≤ 20 queries"),
        ("weekly report PDF", "/admin/campaign/dashboard/report.pdf?week=2020-03-02", ""),
        ("weekly plan proposal", "/admin/response/proposal/?week=2020-03-09", ""),
        ("official figures list", "/admin/snippets/response/officialcount/", ""),
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
    # Issue 20's goal: the dashboard's reads at most 0.3 × today's query mix, measured
    # in the same run on the same data (the mix frozen in bench/reference_dashboard.py).
    from bench import reference_dashboard
    from campaign.institutions.dashboard import dashboard_data

    week = datetime.date(2020, 3, 2)
    with override_settings(DEBUG=True):
        timings = {}
        for label, function in (
            ("reference (query mix before issue 20)", reference_dashboard.dashboard_data),
            ("now", dashboard_data),
        ):
            timings[label] = timed(lambda f=function: f(campaign=campaign, week=week), repeat=15)
    (old, old_p95, old_q), (new, new_p95, new_q) = timings.values()
    results.append(
        Result(
            f"dashboard_data() now / reference ({connection.vendor})",
            new / old,
            "×",
            goal="≤ 0.3",
            note=f"now {new:.1f} ms (p95 {new_p95:.0f}, {new_q:.0f} queries); "
            f"reference {old:.1f} ms (p95 {old_p95:.0f}, {old_q:.0f} queries)",
        )
    )
    results.append(
        Result(f"data setup: {INSTITUTIONS:,} institutions, {SESSIONS:,} sessions", setup_seconds, "s")
    )
    results.append(
        Result(
            f"data setup: {figures:,} daily figures ({DISTRICTS:,} districts × {DAYS})", figures_seconds, "s"
        )
    )
    return results
