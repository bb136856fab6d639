# ruff: noqa: S603 - runs our own fixed commands (manage.py, gunicorn, pg_ctl, locust)
"""`make rehearsal`: Jemput Bola as a province would run it, under load and faults.

PostgreSQL on 127.0.0.1:54350 in a temporary directory, migrations, demo data and random
data at benchmark volume, gunicorn with production settings (campaign.settings.rehearsal)
on 127.0.0.1:8350, two db_worker processes, a bounded headless locust run, then the fault
drills, each decided by a check. Prints one table. Everything started is stopped in
``finally``. See docs/operations.md.
"""

import base64
import contextlib
import csv
import datetime
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv/bin/python").exists() else sys.executable
PG_PORT = int(os.environ.get("REHEARSAL_PG_PORT", "54350"))
HTTP_PORT = int(os.environ.get("REHEARSAL_HTTP_PORT", "8350"))
SQLITE_PORT = HTTP_PORT + 1
LOAD_SECONDS = int(os.environ.get("REHEARSAL_LOAD_SECONDS", "90"))
# Twice the NTT peak (docs/operations.md): 2 × 29 ≈ 60 requests/s.
LOAD_RPS = float(os.environ.get("REHEARSAL_RPS", "60"))
SCALE = {"institutions": 50_000, "sessions": 200_000, "invitations": 100_000}
if os.environ.get("REHEARSAL_SMALL"):  # a quick smoke run of the driver itself
    SCALE = {"institutions": 2_000, "sessions": 5_000, "invitations": 5_000}
WEBHOOK_AUTH = "rehearsal:" + secrets.token_hex(12)
PASSWORD = "rehearsal-" + secrets.token_hex(8)  # noqa: S105 - throwaway, loopback only

ROWS = []  # (section, check, result, detail)
STARTED = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - STARTED:6.1f} s] {message}", flush=True)


def row(section, check, ok, detail=""):
    result = "PASS" if ok is True else "FAIL" if ok is False else str(ok)
    ROWS.append((section, check, result, detail))
    log(f"{section} / {check}: {result} {detail}")


class Processes:
    """Every child process, stopped in reverse order whatever happens."""

    def __init__(self):
        self.items = []

    def start(self, name, args, env, log_path):
        out = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        self.items.append((name, process, out))
        return process

    def stop(self, process, sig=signal.SIGTERM):
        for item in list(self.items):
            if item[1] is process:
                self._stop(item, sig)
                self.items.remove(item)

    def _stop(self, item, sig=signal.SIGTERM):
        name, process, out = item
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        out.close()

    def stop_all(self):
        while self.items:
            self._stop(self.items.pop())


# --- PostgreSQL ------------------------------------------------------------------------


class Postgres:
    def __init__(self, workdir):
        initdb = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
        if not initdb:
            raise SystemExit("PostgreSQL is not installed (apt-get install postgresql).")
        self.bin = initdb[-1].parent
        self.dir = workdir / "pg"
        self.dir.mkdir()
        self.root = os.getuid() == 0
        if self.root:
            shutil.chown(self.dir, "postgres")
            shutil.chown(workdir, "postgres")
        self.url = f"postgres://postgres@127.0.0.1:{PG_PORT}/jemputbola"

    def run(self, command, check=True):
        line = " ".join(command)
        command = ["su", "postgres", "-s", "/bin/bash", "-c", line] if self.root else ["bash", "-c", line]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def init(self):
        self.run(
            [
                str(self.bin / "initdb"),
                "-D",
                f"{self.dir}/data",
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        self.start()
        self.run(
            [
                str(self.bin / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(PG_PORT),
                "-U",
                "postgres",
                "jemputbola",
            ]
        )

    def start(self):
        options = f"-p {PG_PORT} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self.run(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                f"{self.dir}/data",
                "-l",
                f"{self.dir}/log",
                "-w",
                "-o",
                f"'{options}'",
                "start",
            ]
        )

    def stop(self, check=True):
        self.run(
            [str(self.bin / "pg_ctl"), "-D", f"{self.dir}/data", "-m", "fast", "-w", "stop"], check=check
        )

    def tool(self, name, *args):
        return self.run(
            [str(self.bin / name), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", *args]
        )


# --- HTTP helpers ----------------------------------------------------------------------


def fetch(method, path, body=None, headers=None, port=HTTP_PORT, timeout=20):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_http(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on {port} exited with {process.returncode}")
        with contextlib.suppress(OSError):
            if fetch("GET", "/healthz", port=port, timeout=5)[0] == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"server on {port} did not answer /healthz")


def postmark(message_id, email, kind="Open", at=None, metadata=None):
    at = at or datetime.datetime.now(datetime.UTC)
    body = {"RecordType": kind, "MessageID": message_id, "Recipient": email}
    body["ReceivedAt" if kind == "Open" else "DeliveredAt"] = at.isoformat().replace("+00:00", "Z")
    if metadata:
        body["Metadata"] = metadata
    headers = {
        "Authorization": "Basic " + base64.b64encode(WEBHOOK_AUTH.encode()).decode(),
        "Content-Type": "application/json",
    }
    return fetch("POST", "/anymail/postmark/tracking/", json.dumps(body), headers)


# --- The rehearsal ---------------------------------------------------------------------


class Rehearsal:
    def __init__(self):
        self.work = Path(tempfile.mkdtemp(prefix="jemputbola-rehearsal-"))
        self.procs = Processes()
        self.pg = None
        self.workers = []
        self.faults = self.work / "faults"
        self.faults.mkdir()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "campaign.settings.rehearsal",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "BASE_URL": f"http://127.0.0.1:{HTTP_PORT}",
            "SECURE_SSL_REDIRECT": "0",
            "ANYMAIL_ESP": "postmark",
            "ANYMAIL_POSTMARK_SERVER_TOKEN": "rehearsal",
            "ANYMAIL_WEBHOOK_SECRET": WEBHOOK_AUTH,
            "MEDIA_ROOT": str(self.work / "media"),
            "STATIC_ROOT": str(self.work / "static"),
            "CACHE_URL": f"file://{self.work / 'cache'}",
            "DATABASE_CONN_MAX_AGE": "60",
            "REHEARSAL_FAULTS_DIR": str(self.faults),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }

    def manage(self, *args, env=None, timeout=900):
        log("manage.py " + " ".join(args))
        result = subprocess.run(
            [PY, "manage.py", *args],
            env=env or self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
            )
        return result.stdout

    # -- set-up --

    def setup(self):
        self.pg = Postgres(self.work)
        self.pg.init()
        self.env["DATABASE_URL"] = self.pg.url
        os.environ.update(self.env)
        sys.path.insert(0, str(ROOT))
        t = time.monotonic()
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.manage("load_demo_data")
        self.manage(
            "create_random_data",
            f"--institutions={SCALE['institutions']}",
            f"--sessions={SCALE['sessions']}",
            f"--invitations={SCALE['invitations']}",
        )
        import django

        django.setup()
        counts = self.counts()
        row(
            "set-up",
            "database at benchmark volume",
            counts["institutions"] >= SCALE["institutions"],
            ", ".join(f"{k} {v:,}" for k, v in counts.items()) + f"; {time.monotonic() - t:.0f} s",
        )
        self.fixture = self.make_fixture()

    def counts(self):
        from campaign.institutions.models import Contact, GuidedSession, Institution
        from campaign.invitations.models import Recipient

        return {
            "institutions": Institution.objects.count(),
            "contacts": Contact.objects.count(),
            "sessions": GuidedSession.objects.count(),
            "invitations": Recipient.objects.count(),
        }

    def make_fixture(self):
        from django.urls import reverse
        from wagtail.models import Page

        from campaign.invitations import tokens
        from campaign.invitations.models import Recipient
        from campaign.materials.models import GuidePage
        from scripts.rehearsal.fixture import users

        accounts = users(PASSWORD)
        pages, names = [], {}
        for page in Page.objects.live().public().specific().filter(depth__gte=2)[:200]:
            url = page.get_url()
            if not url:
                continue
            kind = type(page).__name__
            if kind in ("NewsPage", "NewsIndexPage", "GuidePage", "GuideIndexPage", "HomePage"):
                pages.append(url)
                names[url] = kind
        pdfs = [
            reverse("materials:guide_print", args=[guide.pk, "sheet", "a4"])
            for guide in GuidePage.objects.live().public()
        ]
        recipients = list(
            Recipient.objects.exclude(message_id="")
            .order_by("pk")
            .values_list("pk", "email", "message_id")[:2000]
        )
        fixture = {
            "pages": pages,
            "page_names": names,
            "pdfs": pdfs,
            "rsvp_tokens": [tokens.make("rsvp", pk) for pk, _, _ in recipients[:500]],
            "messages": [[email, message_id] for _, email, message_id in recipients],
            "webhook_auth": WEBHOOK_AUTH,
            "staff": accounts["staff"],
            "field_users": accounts["field_users"],
            "password": PASSWORD,
        }
        path = self.work / "fixture.json"
        path.write_text(json.dumps(fixture))
        log(f"fixture: {len(pages)} pages, {len(pdfs)} PDFs, {len(accounts['field_users'])} field users")
        return fixture

    def start_servers(self):
        self.gunicorn = self.procs.start(
            "gunicorn",
            [
                PY,
                "-m",
                "gunicorn",
                "campaign.wsgi:application",
                "--workers",
                "5",
                # Threads: a cached page or a webhook is answered while the worker's
                # other threads wait on a PDF, a dashboard or a password hash.
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{HTTP_PORT}",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            self.env,
            self.work / "gunicorn.log",
        )
        for number in (1, 2):
            self.start_worker(number)
        wait_http(HTTP_PORT, self.gunicorn)
        # The first guide PDF renders and caches; warm each URL once.
        for url in self.fixture["pages"] + self.fixture["pdfs"]:
            fetch("GET", url)

    def start_worker(self, number):
        worker_id = f"rehearsal-{number}-{uuid.uuid4().hex[:6]}"
        process = self.procs.start(
            f"db_worker {number}",
            [
                PY,
                "manage.py",
                "db_worker",
                "--interval",
                "1",
                "--no-startup-delay",
                "--worker-id",
                worker_id,
            ],
            self.env,
            self.work / f"worker{number}.log",
        )
        process.worker_id = worker_id
        self.workers.append(process)
        return process

    # -- load --

    def load(self):
        stats = self.work / "locust"
        status_file = self.work / "status.json"
        users = max(4, int(LOAD_RPS))
        log(f"locust: {users} visitors at 1 task/s + 2 staff for {LOAD_SECONDS} s")
        env = {
            **self.env,
            "REHEARSAL_FIXTURE": str(self.work / "fixture.json"),
            "REHEARSAL_STATUS_FILE": str(status_file),
        }
        locust = ROOT / ".venv" / "bin" / "locust"
        subprocess.run(
            [
                str(locust),
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                "-u",
                str(users + 2),
                "-r",
                str(users),
                "-t",
                f"{LOAD_SECONDS}s",
                "--host",
                f"http://127.0.0.1:{HTTP_PORT}",
                "--csv",
                str(stats),
                "--only-summary",
                "--stop-timeout",
                "10",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            cwd=ROOT,
            check=False,
            timeout=LOAD_SECONDS + 120,
            capture_output=True,
        )
        recorded = json.loads(status_file.read_text()) if status_file.exists() else {}
        statuses = recorded.get("statuses", {})

        def count_5xx(counts):
            return sum(n for code, n in counts.items() if code.startswith("5"))

        def failing(counts):
            # Status codes other than 2xx/3xx, e.g. "409×3 429×2": why a route failed.
            bad = sorted((code, n) for code, n in counts.items() if code[:1] not in ("2", "3"))
            return " ".join(f"{code}×{n}" for code, n in bad)

        with open(f"{stats}_stats.csv") as handle:  # noqa: PTH123
            for record in csv.DictReader(handle):
                name = record["Name"]
                key = f"{record['Type']} {name}"
                counts = statuses.get(key, {})
                if name == "Aggregated":
                    fivexx = sum(count_5xx(c) for c in statuses.values())
                else:
                    fivexx = count_5xx(counts)
                detail = (
                    f"{float(record['Requests/s']):.1f} req/s, n={record['Request Count']}, "
                    f"p50 {record['50%']} / p95 {record['95%']} / p99 {record['99%']} ms, "
                    f"failures {record['Failure Count']}, 5xx {fivexx}"
                )
                if name != "Aggregated" and failing(counts):
                    detail += f" ({failing(counts)})"
                if name == "Aggregated":
                    ok = fivexx == 0 and float(record["95%"]) < 500
                    row("load", f"ALL ({LOAD_RPS:.0f}/s offered)", ok, detail)
                else:
                    row("load", key, "—", detail)
        for key, status, body in recorded.get("samples", []):
            log(f"first {status or 'error'} answer on {key}: {body}")

    # -- drills --

    def drill_batch(self, label, size, chunk=100, max_errors=3):
        from campaign.institutions.models import Contact
        from campaign.invitations.models import Batch, EmailTemplate, Recipient

        template = EmailTemplate.objects.order_by("pk").first()
        batch = Batch.objects.create(
            name=f"Rehearsal drill {label}",
            template=template,
            status=Batch.Status.DRAFT,
            chunk_size=chunk,
            rate_per_minute=0,
            max_consecutive_errors=max_errors,
        )
        contacts = list(
            Contact.objects.exclude(institution=None)
            .order_by("pk")
            .values_list("pk", "institution_id")[:size]
        )
        Recipient.objects.bulk_create(
            [
                Recipient(
                    batch=batch,
                    contact_id=c,
                    institution_id=i,
                    email=f"drill-{label}-{n:05d}@rehearsal.invalid",
                    name=f"Drill {label} {n}",
                )
                for n, (c, i) in enumerate(contacts)
            ]
        )
        return batch

    def start_batch(self, batch):
        from django.utils import timezone

        from campaign.invitations.models import Batch
        from campaign.invitations.services import batch_chunk_enqueue

        Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.SENDING, started_at=timezone.now())
        batch_chunk_enqueue(batch.pk)

    def outbox_counts(self, label):
        """Messages in the outbox (the provider's log) per drill address."""
        import re

        from campaign.invitations.models import OutboxMessage

        pattern = re.compile(rf"drill-{label}-\d+@rehearsal\.invalid")
        counts = {}
        for to in OutboxMessage.objects.filter(to__contains=f"drill-{label}-").values_list("to", flat=True):
            for address in pattern.findall(to):
                counts[address] = counts.get(address, 0) + 1
        return counts

    def mail_check(self, label, batch):
        from campaign.invitations.models import Recipient

        counts = self.outbox_counts(label)
        recipients = list(batch.recipients.values_list("email", "status"))
        twice = sum(1 for email, _ in recipients if counts.get(email, 0) > 1)
        skipped = sum(1 for email, _ in recipients if counts.get(email, 0) == 0)
        done = sum(1 for _, s in recipients if s in (Recipient.Status.SENT, Recipient.Status.DELIVERED))
        return twice, skipped, done, len(recipients)

    def wait_for(self, condition, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.3)
        return False

    def drill_worker_kill(self):
        from django_tasks_db.models import DBTaskResult

        from campaign.invitations.models import OutboxMessage, Recipient
        from campaign.invitations.services import batches_recover_interrupted, recipients_send_again

        size = 3000
        batch = self.drill_batch("a", size)
        self.start_batch(batch)
        if not self.wait_for(lambda: sum(self.outbox_counts("a").values()) >= 900, 90):
            row("drill a", "worker SIGKILL mid-batch", False, "batch never reached 900 messages")
            return
        # The worker running the batch's chunk right now (django-tasks-db records it).
        victim = None
        deadline = time.monotonic() + 10
        while victim is None and time.monotonic() < deadline:
            running = (
                DBTaskResult.objects.filter(status="RUNNING", task_path__endswith="batch_send_task")
                .order_by("-started_at")
                .values_list("worker_ids", flat=True)
                .first()
            )
            victim = next((w for w in self.workers if running and w.worker_id == running[-1]), None)
        if victim is None:
            row("drill a", "worker SIGKILL mid-batch", False, "no running chunk found to kill")
            return
        self.procs.stop(victim, signal.SIGKILL)
        self.workers.remove(victim)
        sent_at_kill = sum(self.outbox_counts("a").values())
        claims = (
            Recipient.objects.filter(batch=batch, status=Recipient.Status.SENDING).exclude(claim="").count()
        )
        self.start_worker(3)  # the replacement, as systemd would restart it
        time.sleep(2)  # older than the 1 s staleness used below
        # What `send_due_invitations` (cron) does after INVITATIONS_STALE_CLAIM_SECONDS.
        recovered = batches_recover_interrupted(stale_after=1)

        def settled():
            rows = Recipient.objects.filter(batch=batch)
            return not rows.filter(status__in=[Recipient.Status.PENDING, Recipient.Status.SENDING]).exists()

        self.wait_for(settled, 120)
        # The operator's step for the "may have gone out" rows: look in the provider's
        # log (the outbox); the provider's webhook moves a sent one on; send the rest again.
        again = delivered = 0
        for pk, email in Recipient.objects.filter(batch=batch, status=Recipient.Status.UNCERTAIN).values_list(
            "pk", "email"
        ):
            message = OutboxMessage.objects.filter(to__contains=email).first()
            if message is not None:
                postmark(message.message_id, email, kind="Delivery", metadata={"recipient": str(pk)})
                delivered += 1
            else:
                again += 1
        if again:
            recipients_send_again(batch=batch)
            self.wait_for(settled, 60)
        twice, skipped, done, total = self.mail_check("a", batch)
        batch.refresh_from_db()
        row(
            "drill a",
            "worker SIGKILL mid-batch, restart",
            twice == 0 and skipped == 0 and done == total,
            f"{total} recipients: mailed twice {twice}, never mailed {skipped}, sent {done}; "
            f"killed {victim.worker_id} at {sent_at_kill} messages with {claims} rows claimed; "
            f"recovery released {recovered['released']}, flagged uncertain {recovered['uncertain']} "
            f"(in provider log → webhook {delivered}, sent again {again}); batch {batch.status}",
        )
        return batch

    def drill_provider_down(self):
        from campaign.invitations.models import Batch

        batch = self.drill_batch("b", 1500, max_errors=3)
        self.start_batch(batch)
        flag = self.faults / "provider-down"
        self.wait_for(lambda: sum(self.outbox_counts("b").values()) >= 300, 60)
        flag.touch()
        down_at = time.monotonic()
        errored = self.wait_for(
            lambda: Batch.objects.filter(pk=batch.pk, consecutive_errors__gte=1).exists(), 30
        )
        at_error = sum(self.outbox_counts("b").values())
        time.sleep(max(0.0, 10 - (time.monotonic() - down_at)))
        stalled = sum(self.outbox_counts("b").values()) == at_error
        flag.unlink()
        # The chunk that failed waits 30 s (back-off) and then goes on by itself.
        finished = self.wait_for(
            lambda: Batch.objects.filter(pk=batch.pk, status=Batch.Status.DONE).exists(), 90
        )
        twice, skipped, done, total = self.mail_check("b", batch)
        batch.refresh_from_db()
        row(
            "drill b",
            "provider down 10 s → back-off, resume, complete",
            errored and stalled and finished and twice == 0 and skipped == 0 and done == total,
            f"error seen {errored}, no sends while down {stalled}, finished {finished} ({batch.status}), "
            f"mailed twice {twice}, never mailed {skipped}, {done}/{total} sent; "
            f"last error: {batch.last_error[:60]}",
        )

    def drill_webhook_error(self):
        from campaign.invitations.models import Recipient, TrackingEvent

        recipient = (
            Recipient.objects.filter(batch__name="Rehearsal drill b")
            .exclude(message_id="")
            .order_by("pk")
            .first()
        )
        (self.faults / "webhook-fail-once").write_text(recipient.message_id)
        at = datetime.datetime(2020, 3, 2, 8, 0, tzinfo=datetime.UTC)
        first = postmark(recipient.message_id, recipient.email, at=at)
        second = postmark(recipient.message_id, recipient.email, at=at)
        events = TrackingEvent.objects.filter(recipient=recipient, event_type="opened").count()
        recipient.refresh_from_db()
        opens = recipient.open_count + recipient.machine_open_count
        leak = b"Traceback" in first[1] or b'File "/' in first[1]
        row(
            "drill d",
            "webhook handler error → retry applied once",
            first[0] >= 500 and second[0] == 200 and events == 1 and opens == 1 and not leak,
            f"first delivery {first[0]}, retry {second[0]}, events stored {events}, "
            f"opens counted {opens}, traceback leaked {leak}",
        )

    def drill_db_restart(self):
        from campaign.invitations.models import Recipient, TrackingEvent

        targets = list(
            Recipient.objects.filter(batch__name="Rehearsal drill a").values_list(
                "pk", "email", "message_id"
            )[:300]
        )
        from campaign.invitations import tokens

        rsvp = [tokens.make("rsvp", pk) for pk, _, _ in targets[:100]]
        before = {
            pk: TrackingEvent.objects.filter(recipient_id=pk, event_type="opened").count()
            for pk, _, _ in targets
        }
        results, stop = [], threading.Event()
        answered = []  # (recipient, at) for events the server said 200 to

        def worker(seed):
            n = 0
            while not stop.is_set():
                n += 1
                started = time.monotonic()
                try:
                    if n % 2:
                        pk, email, message_id = targets[(seed * 997 + n) % len(targets)]
                        at = datetime.datetime(2020, 3, 3, tzinfo=datetime.UTC) + datetime.timedelta(
                            microseconds=seed * 10**9 + n
                        )
                        status, body = postmark(message_id, email, at=at)
                        if status == 200:
                            answered.append(pk)
                    else:
                        status, body = fetch("GET", f"/undangan/{rsvp[n % len(rsvp)]}/", timeout=10)
                except OSError as error:
                    status, body = 0, str(error).encode()
                results.append((started, time.monotonic(), status, body))

        threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(6)
        down = time.monotonic()
        self.pg.stop(check=False)
        time.sleep(4)
        self.pg.start()
        up = time.monotonic()
        time.sleep(12)
        stop.set()
        for thread in threads:
            thread.join()
        from django.db import connection

        connection.close()
        outside = [r for r in results if r[2] >= 500 and not (down - 1 <= r[0] <= up + 3)]
        during = [r for r in results if r[2] >= 500 or r[2] == 0]
        leaks = [r for r in results if b"Traceback" in r[3] or b'File "/' in r[3] or b"psycopg" in r[3]]
        tail = [r for r in results if r[0] > up + 5]
        recovered = bool(tail) and all(200 <= r[2] < 400 for r in tail)
        # No half-written rows: every stored open event counted once on its recipient.
        mismatched = 0
        for pk, _, _ in targets:
            stored = TrackingEvent.objects.filter(recipient_id=pk, event_type="opened").count()
            recipient = Recipient.objects.get(pk=pk)
            if stored != recipient.open_count + recipient.machine_open_count:
                mismatched += 1
        lost = sum(
            1
            for pk in set(answered)
            if TrackingEvent.objects.filter(recipient_id=pk, event_type="opened").count()
            < before[pk] + answered.count(pk)
        )
        row(
            "drill c",
            "PostgreSQL restarted under load",
            not outside and not leaks and recovered and mismatched == 0 and lost == 0,
            f"{len(results)} requests, {len(during)} failed (5xx/refused) "
            f"during the {up - down:.1f} s outage, "
            f"5xx outside it {len(outside)}, traceback leaks {len(leaks)}, all OK after {recovered}, "
            f"event/counter mismatches {mismatched}, acknowledged events lost {lost}",
        )

    def drill_backup(self):
        dump = self.work / "backup.dump"
        before = self.counts()
        from django.db import connection

        connection.close()
        t = time.monotonic()
        for process in list(self.workers):
            self.procs.stop(process)
        self.workers.clear()
        self.procs.stop(self.gunicorn)
        self.pg.tool("pg_dump", "-Fc", "-f", str(dump), "jemputbola")
        self.pg.tool("dropdb", "jemputbola")
        self.pg.tool("createdb", "jemputbola")
        self.pg.tool("pg_restore", "--no-owner", "-j", "2", "-d", "jemputbola", str(dump))
        after = self.counts()
        connection.close()
        row(
            "drill backup",
            "pg_dump, drop, pg_restore, compare counts",
            before == after,
            f"{dump.stat().st_size / 1e6:.0f} MB dump, {time.monotonic() - t:.0f} s; "
            + ", ".join(f"{k} {v:,}" for k, v in after.items()),
        )

    def drill_sqlite(self):
        """The embedded default: SQLite (WAL), gunicorn with 2 workers, a task worker and
        concurrent writers (field sync, RSVP answers, webhooks)."""
        folder = self.work / "sqlite"
        folder.mkdir()
        env = {k: v for k, v in self.env.items() if k not in ("DATABASE_URL", "DATABASE_CONN_MAX_AGE")}
        env.update(
            {
                "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
                "BASE_URL": f"http://127.0.0.1:{SQLITE_PORT}",
                "MEDIA_ROOT": str(folder / "media"),
                "CACHE_URL": f"file://{folder / 'cache'}",
            }
        )
        self.manage("migrate", "--noinput", env=env)
        script = (
            "import json; from campaign.invitations import tokens; "
            "from campaign.invitations.models import Recipient as R; "
            "from scripts.rehearsal.fixture import users; "
            f"a = users('{PASSWORD}')['field_users'][0]; "
            "print(json.dumps({'team': a['team'], 'inst': a['institutions'], "
            "'when': a['session_time'], "
            "'tokens': [tokens.make('rsvp', pk) for pk in R.objects.values_list('pk', flat=True)[:30]], "
            "'msgs': list(R.objects.exclude(message_id='').values_list('email', 'message_id')[:50])}))"
        )
        self.manage("load_demo_data", env=env)
        data = json.loads(self.manage("shell", "-c", script, env=env).strip().splitlines()[-1])
        server = self.procs.start(
            "gunicorn sqlite",
            [
                PY,
                "-m",
                "gunicorn",
                "campaign.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{SQLITE_PORT}",
                "--log-level",
                "warning",
            ],
            env,
            folder / "gunicorn.log",
        )
        worker = self.procs.start(
            "db_worker sqlite",
            [PY, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
            env,
            folder / "worker.log",
        )
        try:
            wait_http(SQLITE_PORT, server)
            results = self._sqlite_writers(data, env)
        finally:
            self.procs.stop(worker)
            self.procs.stop(server)
        logs = (folder / "gunicorn.log").read_text(errors="replace") + (folder / "worker.log").read_text(
            errors="replace"
        )
        bad = [r for r in results if r[0] >= 500 or r[0] == 0]
        locked = sum(1 for r in results if b"locked" in r[1]) + logs.count("database is locked")
        accepted = {
            kind: sum(1 for r in results if r[2] == kind and 200 <= r[0] < 400)
            for kind in ("field", "webhook", "rsvp")
        }
        tried = {kind: sum(1 for r in results if r[2] == kind) for kind in accepted}
        row(
            "drill e",
            "SQLite (embedded default), 8 concurrent writers",
            not bad and locked == 0 and all(accepted[k] == tried[k] > 0 for k in accepted),
            f"{len(results)} requests; writes accepted "
            + ", ".join(f"{k} {accepted[k]}/{tried[k]}" for k in accepted)
            + f"; 5xx/refused {len(bad)}, "
            f"'database is locked' seen {locked}",
        )

    def _sqlite_writers(self, data, env):
        import http.cookiejar
        import re
        import urllib.error
        import urllib.request

        results, stop = [], threading.Event()
        auth = "Basic " + base64.b64encode(WEBHOOK_AUTH.encode()).decode()

        def session():
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            return jar, opener

        def unsecure(jar):
            for cookie in jar:
                cookie.secure = False

        def call(opener, method, path, body=None, headers=None, write=False):
            request = urllib.request.Request(
                f"http://127.0.0.1:{SQLITE_PORT}{path}", data=body, headers=headers or {}, method=method
            )
            try:
                with opener.open(request, timeout=30) as response:
                    results.append((response.status, response.read(), write))
            except urllib.error.HTTPError as error:
                results.append((error.code, error.read(), write))
            except OSError as error:
                results.append((0, str(error).encode(), write))

        def field(seed):
            jar, opener = session()
            page = opener.open(f"http://127.0.0.1:{SQLITE_PORT}/lapangan/masuk/").read().decode()
            unsecure(jar)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            body = f"username=rehearsal-tim1-1&password={PASSWORD}&csrfmiddlewaretoken={token}".encode()
            opener.open(urllib.request.Request(f"http://127.0.0.1:{SQLITE_PORT}/lapangan/masuk/", data=body))
            unsecure(jar)
            csrf = next((c.value for c in jar if c.name == "csrftoken"), "")
            n = 0
            while not stop.is_set():
                n += 1
                payload = {
                    "client_id": str(uuid.uuid4()),
                    "team": data["team"],
                    "institution": data["inst"][n % len(data["inst"])],
                    "starts_at": data["when"],
                    "status": "held",
                    "people_guided": 5,
                    "people_completed": 3,
                }
                call(
                    opener,
                    "POST",
                    "/lapangan/api/sessions",
                    json.dumps(payload).encode(),
                    {"Content-Type": "application/json", "X-CSRFToken": csrf},
                    write="field",
                )
                time.sleep(1.1)  # the field app's write budget: 60 a minute per user

        def hooks(seed):
            _, opener = session()
            n = 0
            while not stop.is_set():
                n += 1
                email, message_id = data["msgs"][(seed * 7 + n) % len(data["msgs"])]
                at = (
                    (
                        datetime.datetime(2020, 3, 4, tzinfo=datetime.UTC)
                        + datetime.timedelta(microseconds=seed * 10**9 + n)
                    )
                    .isoformat()
                    .replace("+00:00", "Z")
                )
                body = json.dumps(
                    {"RecordType": "Open", "MessageID": message_id, "Recipient": email, "ReceivedAt": at}
                ).encode()
                call(
                    opener,
                    "POST",
                    "/anymail/postmark/tracking/",
                    body,
                    {"Authorization": auth, "Content-Type": "application/json"},
                    write="webhook",
                )

        def rsvp(seed):
            jar, opener = session()
            n = 0
            while not stop.is_set():
                n += 1
                path = f"/undangan/{data['tokens'][(seed * 5 + n) % len(data['tokens'])]}/"
                with contextlib.suppress(OSError):
                    page = opener.open(f"http://127.0.0.1:{SQLITE_PORT}{path}", timeout=30).read().decode()
                    unsecure(jar)
                    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
                    if token:
                        body = f"answer=decline&note=drill&csrfmiddlewaretoken={token.group(1)}".encode()
                        call(
                            opener,
                            "POST",
                            path,
                            body,
                            {"Content-Type": "application/x-www-form-urlencoded"},
                            write="rsvp",
                        )

        threads = [
            threading.Thread(target=f, args=(s,))
            for f, s in [
                (field, 0),
                (field, 1),
                (hooks, 0),
                (hooks, 1),
                (hooks, 2),
                (rsvp, 0),
                (rsvp, 1),
                (rsvp, 2),
            ]
        ]
        for thread in threads:
            thread.start()
        time.sleep(20)
        stop.set()
        for thread in threads:
            thread.join()
        return results

    # -- run --

    def run(self):
        try:
            self.setup()
            self.start_servers()
            self.load()
            for drill in (
                self.drill_worker_kill,
                self.drill_provider_down,
                self.drill_webhook_error,
                self.drill_db_restart,
            ):
                try:
                    drill()
                except Exception as error:  # noqa: BLE001 - one broken drill must not hide the rest
                    row(drill.__name__, "ran to the end", False, f"{type(error).__name__}: {error}"[:200])
            for drill in (self.drill_backup, self.drill_sqlite):
                try:
                    drill()
                except Exception as error:  # noqa: BLE001
                    row(drill.__name__, "ran to the end", False, f"{type(error).__name__}: {error}"[:200])
        finally:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            self.procs.stop_all()
            if self.pg is not None:
                self.pg.stop(check=False)
            if os.environ.get("REHEARSAL_KEEP"):
                log(f"kept {self.work}")
            else:
                shutil.rmtree(self.work, ignore_errors=True)
        self.table()
        return 0 if all(r[2] != "FAIL" for r in ROWS) else 1

    def table(self):
        widths = [
            max(len(str(r[i])) for r in [("section", "check", "result", "detail"), *ROWS]) for i in range(3)
        ]
        print()
        print(f"Rehearsal results ({time.monotonic() - STARTED:.0f} s wall time)")
        header = ("section", "check", "result", "detail")
        print(" | ".join(str(h).ljust(w) for h, w in zip(header[:3], widths, strict=True)) + " | detail")
        print("-+-".join("-" * w for w in widths) + "-+-------")
        for r in ROWS:
            print(" | ".join(str(v).ljust(w) for v, w in zip(r[:3], widths, strict=True)) + " | " + r[3])


if __name__ == "__main__":
    sys.exit(Rehearsal().run())
