"""An anonymous page-cache hit beside a bare Django view and a WhiteNoise static file.

The three are measured in one run, interleaved, so that whatever else the machine is
doing weighs on all three alike:

- **in-process**: a loop of WSGI calls through Django's ``WSGIHandler`` (the object
  gunicorn calls; no sockets, no test client), one thread: CPU time per request
  (``time.process_time``) and the requests per second that makes on one core;
- **gunicorn**: 2 sync workers on loopback with the load generator of ``bench_news``:
  requests/s and the server's CPU per request from /proc.

The bare view is ``bench.urls.bare`` (a fixed two-byte body) behind the project's whole
middleware stack, as any Django view of this project is; the static file is
``/static/css/site.css`` from WhiteNoise; the hit is the demo's latest live news post, answered from
the shared file cache (``CACHE_URL``'s default) after one miss. Goal: a hit makes at least
0.8× the bare view's requests/s.
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


def _in_process(application, paths):
    """CPU ms per request for each path: the median over ``ROUNDS`` interleaved rounds."""
    samples = {path: [] for path in paths}
    for _round in range(ROUNDS):
        for path in paths:
            started = time.process_time()
            for _ in range(CALLS):
                _call(application, path)
            samples[path].append((time.process_time() - started) * 1000 / CALLS)
    return {path: statistics.median(values) for path, values in samples.items()}


def run():
    from django.core.handlers.wsgi import WSGIHandler

    from bench.bench_news import gunicorn, measure
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
            for path in (BARE_PATH, STATIC, post_path, post_path):
                status, _body = _call(application, path)
                assert status.startswith("200"), (path, status)
            # The second call of the post must have been a hit.
            hit_status = []
            application(
                _environ(post_path),
                lambda code, headers, exc_info=None: hit_status.append(dict(headers).get("X-Page-Cache")),
            )
            assert hit_status == ["hit"], hit_status
            cpu = _in_process(application, [BARE_PATH, STATIC, post_path])
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
    served = {BARE_PATH: [], STATIC: [], post_path: []}
    try:
        with gunicorn(env) as server:
            for _round in range(2):
                for path in served:
                    served[path].append(measure(server, path, seconds=3))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    def rate(path):
        return statistics.median(stats["rate"] for stats in served[path])

    def server_cpu(path):
        return statistics.median(stats["cpu_ms"] for stats in served[path])

    hit_ratio = cpu[BARE_PATH] / cpu[post_path]
    served_ratio = rate(post_path) / rate(BARE_PATH)
    errors = sum(stats["errors"] for runs in served.values() for stats in runs)
    return [
        Result(
            "bare Django view, in-process WSGI",
            1000 / cpu[BARE_PATH],
            "req/s",
            note=f"{cpu[BARE_PATH]:.3f} ms CPU/req, whole middleware stack",
        ),
        Result(
            "static file (WhiteNoise), in-process WSGI",
            1000 / cpu[STATIC],
            "req/s",
            note=f"{cpu[STATIC]:.3f} ms CPU/req",
        ),
        Result(
            "page-cache hit (news post), in-process WSGI",
            1000 / cpu[post_path],
            "req/s",
            goal=f"≥ {GOAL}× bare view",
            note=f"{cpu[post_path]:.3f} ms CPU/req; {hit_ratio:.2f}× the bare view "
            f"({'met' if hit_ratio >= GOAL else 'NOT met'})",
        ),
        Result(
            "bare Django view, gunicorn 2 workers",
            rate(BARE_PATH),
            "req/s",
            note=f"{server_cpu(BARE_PATH):.2f} ms server CPU/req",
        ),
        Result(
            "static file (WhiteNoise), gunicorn 2 workers",
            rate(STATIC),
            "req/s",
            note=f"{server_cpu(STATIC):.2f} ms server CPU/req",
        ),
        Result(
            "page-cache hit (news post), gunicorn 2 workers",
            rate(post_path),
            "req/s",
            goal=f"≥ {GOAL}× bare view",
            note=f"{server_cpu(post_path):.2f} ms server CPU/req; {served_ratio:.2f}× the bare view "
            f"({'met' if served_ratio >= GOAL else 'NOT met'}); {errors} errors",
        ),
    ]
