"""An anonymous page-cache hit beside a bare Django view and a WhiteNoise static file.

The reference is bare Django: ``bench.urls.bare`` (a fixed two-byte body) served by
Django's WSGI handler with no middleware at all (``campaign.settings.bench_bare``). The
same view behind this project's whole middleware stack is shown for scale. The static
file is ``/static/css/site.css`` from WhiteNoise; the hit is the demo's latest live news
post, answered from the shared file cache (``CACHE_URL``'s default) after one miss.

All are measured in one run, interleaved, so that whatever else the machine is doing
weighs on all of them alike:

- **in-process**: a loop of WSGI calls through Django's ``WSGIHandler`` (the object
  gunicorn calls; no sockets, no test client), one thread: CPU time per request
  (``time.process_time``) and the requests per second that makes on one core;
- **gunicorn**: 2 sync workers per server on loopback, the bare server and the project's
  side by side, with the load generator of ``bench_news``: requests/s and the server's
  CPU per request from /proc.

Goal: a hit served by gunicorn makes at least 0.8× the bare Django view's requests/s
(the issue's measure). In-process, bare Django costs a few hundredths of a millisecond,
less than reading one file, so that ratio is shown for what it is, without a goal.
"""

import io
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

from django.test.utils import override_settings

from bench.common import Result
from bench.urls import BARE_PATH

STATIC = "/static/css/site.css"
ROUNDS = int(os.environ.get("BENCH_PAGECACHE_ROUNDS", "7"))
CALLS = int(os.environ.get("BENCH_PAGECACHE_CALLS", "300"))
# Rounds of 3 s per URL against gunicorn, interleaved; the median is reported (a loaded
# machine moves single rounds by ±30 %).
SERVED_ROUNDS = int(os.environ.get("BENCH_PAGECACHE_SERVED_ROUNDS", "4"))
GOAL = 0.8


def _environ(path):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 10) bench",
        "HTTP_ACCEPT": "text/html,*/*;q=0.8",
        "HTTP_ACCEPT_LANGUAGE": "id-ID,id;q=0.9,en;q=0.8",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _call(application, path):
    """One request through the WSGI application, body read and closed as a server does."""
    status = []
    result = application(_environ(path), lambda code, headers, exc_info=None: status.append(code))
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return status[0], body


def _in_process(targets):
    """CPU ms per request for each (label, application, path): the median over
    ``ROUNDS`` interleaved rounds."""
    samples = {label: [] for label, _application, _path in targets}
    for _round in range(ROUNDS):
        for label, application, path in targets:
            started = time.process_time()
            for _ in range(CALLS):
                _call(application, path)
            samples[label].append((time.process_time() - started) * 1000 / CALLS)
    return {label: statistics.median(values) for label, values in samples.items()}


def run():
    from django.core.handlers.wsgi import WSGIHandler

    from bench.bench_news import gunicorn, measure_wrk
    from campaign.core import demo as core_demo
    from campaign.news import demo as news_demo
    from campaign.news.models import NewsPage

    workdir = Path(tempfile.mkdtemp(prefix="jemputbola-pagecache-bench-"))
    media = workdir / "media"
    file_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(workdir / "cache"),
        }
    }
    logging.disable(logging.INFO)
    try:
        with override_settings(MEDIA_ROOT=media, CACHES=file_cache, PAGE_CACHE_SECONDS=600):
            core_demo.load(stdout=StringIO(), with_users=False)
            news_demo.load(stdout=StringIO(), with_users=False)
            post = NewsPage.objects.live().order_by("-date").first()
            post_path = post.url
            application = WSGIHandler()
            with override_settings(MIDDLEWARE=[]):
                bare_django = WSGIHandler()  # loads no middleware; it keeps none
            for handler, path in ((bare_django, BARE_PATH), (application, BARE_PATH), (application, STATIC)):
                status, _body = _call(handler, path)
                assert status.startswith("200"), (path, status)
            _call(application, post_path)  # the miss that stores the page
            hit_status = []
            application(
                _environ(post_path),
                lambda code, headers, exc_info=None: hit_status.append(dict(headers).get("X-Page-Cache")),
            )
            assert hit_status == ["hit"], hit_status
            cpu = _in_process(
                [
                    ("bare", bare_django, BARE_PATH),
                    ("stack", application, BARE_PATH),
                    ("static", application, STATIC),
                    ("hit", application, post_path),
                ]
            )
    finally:
        logging.disable(logging.NOTSET)

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "campaign.settings.bench",
        "MEDIA_ROOT": str(media),
        "CACHE_URL": f"file://{workdir / 'gunicorn-cache'}",
        "PAGE_CACHE_SECONDS": "600",
        "LOG_LEVEL": "WARNING",
    }
    served = {"bare": [], "stack": [], "static": [], "hit": []}
    try:
        with gunicorn({**env, "DJANGO_SETTINGS_MODULE": "campaign.settings.bench_bare"}) as bare_server:
            with gunicorn(env) as server:
                targets = [
                    ("bare", bare_server, BARE_PATH),
                    ("stack", server, BARE_PATH),
                    ("static", server, STATIC),
                    ("hit", server, post_path),
                ]
                for _round in range(SERVED_ROUNDS):
                    for label, target, path in targets:
                        served[label].append(measure_wrk(target, path, seconds=3))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    def rate(label):
        return statistics.median(stats["rate"] for stats in served[label])

    def server_cpu(label):
        return statistics.median(stats["cpu_ms"] for stats in served[label])

    hit_ratio = cpu["bare"] / cpu["hit"]
    served_ratio = rate("hit") / rate("bare")
    errors = sum(stats["errors"] for runs in served.values() for stats in runs)
    goal = f"≥ {GOAL}× bare Django"
    return [
        Result(
            "bare Django view (no middleware), in-process WSGI",
            1000 / cpu["bare"],
            "req/s",
            note=f"{cpu['bare']:.3f} ms CPU/req; the reference",
        ),
        Result(
            "same view behind the whole middleware stack, in-process",
            1000 / cpu["stack"],
            "req/s",
            note=f"{cpu['stack']:.3f} ms CPU/req; for scale",
        ),
        Result(
            "static file (WhiteNoise), in-process WSGI",
            1000 / cpu["static"],
            "req/s",
            note=f"{cpu['static']:.3f} ms CPU/req",
        ),
        Result(
            "page-cache hit (news post), in-process WSGI",
            1000 / cpu["hit"],
            "req/s",
            note=f"{cpu['hit']:.3f} ms CPU/req; {hit_ratio:.2f}× bare Django's rate, "
            f"{cpu['stack'] / cpu['hit']:.1f}× the view behind the stack",
        ),
        Result(
            "bare Django view (no middleware), gunicorn",
            rate("bare"),
            "req/s",
            note=f"{server_cpu('bare'):.2f} ms server CPU/req; 2 sync workers, 8 connections "
            f"({served['bare'][0].get('tool', 'Python threads')})",
        ),
        Result(
            "same view behind the whole stack, gunicorn",
            rate("stack"),
            "req/s",
            note=f"{server_cpu('stack'):.2f} ms server CPU/req",
        ),
        Result(
            "static file (WhiteNoise), gunicorn",
            rate("static"),
            "req/s",
            note=f"{server_cpu('static'):.2f} ms server CPU/req",
        ),
        Result(
            "page-cache hit (news post), gunicorn",
            rate("hit"),
            "req/s",
            goal=goal,
            note=f"{server_cpu('hit'):.2f} ms server CPU/req "
            f"({server_cpu('bare') / server_cpu('hit'):.2f}× bare Django's by CPU); "
            f"{served_ratio:.2f}× bare Django's rate ({_met(served_ratio)}); {errors} errors",
        ),
    ]


def _met(ratio):
    return "met" if ratio >= GOAL else "NOT met"
