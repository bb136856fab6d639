"""News pages under gunicorn (2 sync workers, campaign.settings.bench) on loopback.

A small load generator (threads, raw sockets, one connection per request as gunicorn's
sync workers close it) requests one URL for a fixed time and reports requests/s,
p50/p95 latency and the server's CPU time per request, read from /proc for the
gunicorn master and workers before and after. Runs twice: with the page cache off
(PAGE_CACHE_SECONDS=0, every request renders) and on (every request after the first
is a hit), with a static file as the floor; uncached again with persistent database
connections. Bounded: about a minute in all.
"""

import logging
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

from bench.common import Result, timed

SECONDS = float(os.environ.get("BENCH_NEWS_SECONDS", "4"))
CONCURRENCY = 8
# The demo's extension announcement. The demo lays its dates on today's calendar
# (README), so on some days that post is still scheduled: the newest published post
# is measured then (``_post_url``).
POST_SLUG = "sensus-online-diperpanjang-hingga-29-mei-2020"
INDEX = "/berita/"
STATIC = "/static/css/site.css"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def run():
    workdir = Path(tempfile.mkdtemp(prefix="jemputbola-news-bench-"))
    media = workdir / "media"
    local_cache = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(MEDIA_ROOT=media, CACHES=local_cache, PAGE_CACHE_SECONDS=0, DEBUG=True):
        logging.disable(logging.INFO)  # the demo's page-by-page log lines
        try:
            call_command("load_demo_data", stdout=StringIO())
        finally:
            logging.disable(logging.NOTSET)
        client = Client()
        post = _post_url()
        for url in (post, INDEX):  # renders once so that every rendition file exists
            assert client.get(url).status_code == 200, url
        post_ms, _, post_queries = timed(lambda: client.get(post), repeat=100)
        index_ms, _, index_queries = timed(lambda: client.get(INDEX), repeat=100)
        post_bytes = len(client.get(post).content)
    results = [
        Result(
            "news post render in-process (median)",
            post_ms,
            "ms",
            note=f"{post_queries:.0f} queries, {post_bytes:,} bytes HTML",
        ),
        Result("news index render in-process (median)", index_ms, "ms", note=f"{index_queries:.0f} queries"),
    ]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "campaign.settings.bench",
        "MEDIA_ROOT": str(media),
        "CACHE_URL": f"file://{workdir / 'cache'}",
        "LOG_LEVEL": "WARNING",
    }
    with gunicorn({**env, "PAGE_CACHE_SECONDS": "0"}) as server:
        for label, url in (("news post", post), ("news index", INDEX)):
            results += _results(f"{label}, uncached", server, url, cpu_goal="< 8 ms")
    # The same with persistent database connections (DATABASE_CONN_MAX_AGE), as a
    # production deployment runs: no connection set-up per request.
    with gunicorn({**env, "PAGE_CACHE_SECONDS": "0", "DATABASE_CONN_MAX_AGE": "600"}) as server:
        for label, url in (("news post", post), ("news index", INDEX)):
            results += _results(f"{label}, uncached, persistent db", server, url, cpu_goal="< 8 ms")
        # For scale: the foundation's home page (8 queries, no images) on the same server.
        results += _results("home page, uncached, persistent db", server, "/")
    with gunicorn({**env, "PAGE_CACHE_SECONDS": "600"}) as server:
        for label, url in (("news post", post), ("news index", INDEX)):
            results += _results(f"{label}, cached", server, url, rate_goal="> 1,500/s")
        results += _results("static file (site.css)", server, STATIC)
    return results


def _post_url():
    from campaign.news.models import NewsPage

    live = NewsPage.objects.live()
    post = live.filter(slug=POST_SLUG).first() or live.order_by("-date").first()
    return post.url


def _results(label, server, url, *, cpu_goal="", rate_goal=""):
    stats = measure(server, url)
    note = f"p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms, {stats['requests']} requests"
    if stats["errors"]:
        note += f", {stats['errors']} errors"
    return [
        Result(f"{label}: throughput", stats["rate"], "req/s", goal=rate_goal, note=note),
        Result(f"{label}: server CPU", stats["cpu_ms"], "ms/req", goal=cpu_goal),
    ]


# --- gunicorn -------------------------------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env, *, workers=2):
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "campaign.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        _wait_until_up(port, process)
        yield {"port": port, "pid": process.pid}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(port, process, timeout=90):  # start-up takes 10-30 s on a loaded machine
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            status, _ = _get(port, "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _process_tree(pid):
    """The gunicorn master and its workers."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.append(int(entry.name))
    return pids


def _cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / CLOCK_TICKS


# --- load generator -------------------------------------------------------------------


def _get(port, path):
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    return int(response[9:12]), len(response)


def measure_wrk(server, path, *, seconds=SECONDS, concurrency=CONCURRENCY):
    """As ``measure``, driven by ``wrk`` (one thread, ``concurrency`` connections) when it
    is installed, else by ``measure``. A load generator in C reads a 40 KB page as
    cheaply as a two-byte one; the Python threads of ``measure`` are the bottleneck on
    two cores and charge a large body to the server's rate."""
    if shutil.which("wrk") is None:
        return measure(server, path, seconds=seconds, concurrency=concurrency)
    port = server["port"]
    for _ in range(20):
        _get(port, path)
    pids = _process_tree(server["pid"])
    cpu_before = _cpu_seconds(pids)
    output = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--latency", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = _cpu_seconds(pids) - cpu_before
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)

    def percentile(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = int(non_ok.group(1)) if non_ok else 0
    if socket_errors:  # connect and timeout; a read error is the server closing a connection
        errors += int(socket_errors.group(1)) + int(socket_errors.group(4))
    return {
        "requests": requests,
        "errors": errors,
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": percentile(50),
        "p95": percentile(90),  # wrk prints 50/75/90/99
        "cpu_ms": cpu * 1000 / max(requests, 1),
        "tool": "wrk",
    }


def measure(server, path, *, seconds=SECONDS, concurrency=CONCURRENCY):
    port = server["port"]
    for _ in range(20):  # warm-up: imports, template loading, the first cache fill
        _get(port, path)
    pids = _process_tree(server["pid"])
    latencies, errors = [], []
    stop = time.perf_counter() + seconds

    def worker():
        mine, failed = [], 0
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                status, _ = _get(port, path)
            except OSError:
                failed += 1
                continue
            mine.append(time.perf_counter() - started)
            failed += status != 200
        latencies.extend(mine)
        errors.append(failed)

    cpu_before = _cpu_seconds(pids)
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds(pids) - cpu_before
    latencies.sort()
    requests = len(latencies)
    return {
        "requests": requests,
        "errors": sum(errors),
        "rate": requests / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[max(0, int(requests * 0.95) - 1)] * 1000,
        "cpu_ms": cpu * 1000 / max(requests, 1),
    }
