"""Home page and health check served in-process by Django's test client, demo data."""

from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

from bench.common import Result, timed


def run():
    with override_settings(DEBUG=True):  # DEBUG also records queries for counting
        call_command("load_demo_data", stdout=StringIO())
        client = Client()
        assert client.get("/").status_code == 200
        median, p95, queries = timed(lambda: client.get("/"), repeat=200)
        health_median, _, health_queries = timed(lambda: client.get("/healthz"), repeat=200)
    return [
        Result("home page render (median)", median, "ms", note=f"{queries:.0f} queries"),
        Result("home page render (p95)", p95, "ms"),
        Result("healthz (median)", health_median, "ms", note=f"{health_queries:.0f} queries"),
    ]
