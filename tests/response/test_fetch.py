"""The scheduled fetch, against a local HTTP server."""

import http.server
import json
import threading
import time

import pytest

from campaign.response.fetching import fetch_run, sources_due
from campaign.response.models import FetchSource, OfficialCount
from campaign.response.tasks import fetch_source_task

pytestmark = pytest.mark.django_db


class Handler(http.server.BaseHTTPRequestHandler):
    routes = {}

    def do_GET(self):
        status, body, delay = self.routes.get(self.path, (404, b"", 0))
        time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", Handler.routes
    httpd.shutdown()
    httpd.server_close()
    Handler.routes.clear()


CSV = b"kode;tgl;jumlah\n5371;2020-05-28;61000\n5371030;2020-05-28;12004\n"


def source(url, **fields):
    fields = {"region_column": "kode", "date_column": "tgl", "persons_column": "jumlah", **fields}
    return FetchSource.objects.create(name="BPS RI", url=url, **fields)


def stored():
    return sorted(OfficialCount.objects.values_list("region__code", "persons"))


def test_a_csv_fetch_stores_the_figures_and_shows_its_outcome(regions, server):
    base, routes = server
    routes["/angka.csv"] = (200, CSV, 0)
    feed = source(f"{base}/angka.csv")

    fetch_source_task.enqueue(feed.pk)  # the immediate backend in tests, the worker in production

    feed.refresh_from_db()
    assert feed.last_outcome == "ok"
    assert "2 new figures" in feed.last_message or "2 angka baru" in feed.last_message
    assert stored() == [("5371", 61_000), ("5371030", 12_004)]
    assert sources_due() == []  # fetched: not due again before its interval


def test_json_with_a_mapping(regions, server):
    base, routes = server
    routes["/angka.json"] = (
        200,
        json.dumps([{"wil": "53.71", "hari": "2020-05-28", "n": 61000}]).encode(),
        0,
    )
    feed = source(
        f"{base}/angka.json", format="json", region_column="wil", date_column="hari", persons_column="n"
    )
    assert fetch_run(source=feed).last_outcome == "ok"
    assert stored() == [("5371", 61_000)]


@pytest.mark.parametrize(
    ("route", "fields", "words"),
    [
        ((500, b"oops", 0), {}, "500"),
        ((200, CSV, 2.5), {"timeout_seconds": 1}, "1"),
        ((200, b"kode;tanggal;jumlah\n5371;2020-05-28;1\n", 0), {}, "tgl"),
        ((200, b"kode;tgl;jumlah\n5371;2020-05-28;banyak\n", 0), {}, "banyak"),
    ],
    ids=["http-500", "timeout", "missing-column", "bad-value"],
)
def test_a_failed_fetch_records_a_clear_error_and_keeps_the_figures(regions, server, route, fields, words):
    base, routes = server
    routes["/angka.csv"] = (200, CSV, 0)
    feed = source(f"{base}/angka.csv", **fields)
    fetch_run(source=feed)
    before = stored()
    routes["/angka.csv"] = route

    fetch_run(source=feed)

    feed.refresh_from_db()
    assert feed.last_outcome == "failed" and words in feed.last_message
    assert stored() == before
