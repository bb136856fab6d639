"""Tracking webhooks at volume: recorded provider payloads replayed through anymail's
real views and our receiver.

The payloads are the recorded ones of ``tests/invitations/webhooks`` (copied verbatim from
django-anymail's test suite, see its README): Postmark, Mailgun and Brevo deliveries,
opens and hard bounces, each copy given its own recipient, message ID, time and (Mailgun)
a freshly signed token. 10,000 events (7,000 deliveries, 2,500 opens, 500 hard bounces,
the providers in turn) for 10,000 recipients already sent, POSTed with basic auth through
Django's test client (the whole middleware stack, anymail's view, no network), then the
same 10,000 again (all duplicates).

Measured: events/s of wall time and of this process's CPU time (SQLite runs in the
process; on a shared machine the wall time measures the load too), and the SQL
statements per event, counted with ``connection.execute_wrapper``: data statements
(INSERT, UPDATE, SELECT) apart from transaction control (BEGIN, SAVEPOINT, RELEASE;
COMMIT goes through the driver, not a cursor, and is one per event).

``BENCH_WEBHOOKS_BEFORE=<git revision>`` measures that revision too, in the same run:
``git archive`` of it into a temporary directory with this file copied in, each side in
its own process on its own fresh SQLite database, the two alternating
``BENCH_WEBHOOKS_ROUNDS`` times (default 2). ``BENCH_WEBHOOKS_EVENTS`` sets the volume.
"""

import base64
import copy
import datetime
import hashlib
import hmac
import json
import os
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, Result, archive_tree, child_main, measure_in_tree

EVENTS = int(os.environ.get("BENCH_WEBHOOKS_EVENTS", 10_000))
BEFORE = os.environ.get("BENCH_WEBHOOKS_BEFORE", "").strip()
ROUNDS = int(os.environ.get("BENCH_WEBHOOKS_ROUNDS", 2))
PAYLOADS = ROOT / "tests" / "invitations" / "webhooks"
SECRET = "bench:bench"  # noqa: S105 - the benchmark's own basic auth
MAILGUN_KEY = "BENCH_WEBHOOK_SIGNING_KEY"
PROVIDERS = ("postmark", "mailgun", "brevo")
RECORDED = {
    ("postmark", "delivered"): "postmark/delivered",
    ("postmark", "opened"): "postmark/opened",
    ("postmark", "bounced"): "postmark/bounced",
    ("mailgun", "delivered"): "mailgun/delivered",
    ("mailgun", "opened"): "mailgun/opened",
    ("mailgun", "bounced"): "mailgun/bounced_permanent",
    ("brevo", "delivered"): "brevo/delivered",
    ("brevo", "opened"): "brevo/opened",
    ("brevo", "bounced"): "brevo/hard_bounce",
}


def _recorded():
    return {key: json.loads((PAYLOADS / f"{name}.json").read_text()) for key, name in RECORDED.items()}


def _kind(n):
    if n % 20 == 0:
        return "bounced"
    return "opened" if n % 4 == 1 else "delivered"


def _event(recorded, n, email, message_id):
    """The recorded payload of event ``n``'s provider and kind, made this event's."""
    provider = PROVIDERS[n % len(PROVIDERS)]
    kind = _kind(n)
    body = copy.deepcopy(recorded[(provider, kind)])
    at = datetime.datetime(2020, 2, 20, 1, 0, tzinfo=datetime.UTC) + datetime.timedelta(seconds=n)
    if provider == "postmark":
        body["MessageID"] = message_id
        body["Email" if kind == "bounced" else "Recipient"] = email
        field = {"delivered": "DeliveredAt", "opened": "ReceivedAt", "bounced": "BouncedAt"}[kind]
        body[field] = at.isoformat().replace("+00:00", "Z")
        if kind == "bounced":
            body["ID"] = 900_000_000 + n
    elif provider == "mailgun":
        data = body["event-data"]
        data["recipient"] = email
        data["timestamp"] = at.timestamp()
        data["message"]["headers"]["message-id"] = message_id
        if "envelope" in data:
            data["envelope"]["targets"] = email
        token = hashlib.sha256(f"bench-{n}".encode()).hexdigest()[:50]
        timestamp = str(int(at.timestamp()))
        body["signature"] = {
            "timestamp": timestamp,
            "token": token,
            "signature": hmac.new(
                MAILGUN_KEY.encode(), (timestamp + token).encode(), hashlib.sha256
            ).hexdigest(),
        }
    else:
        body["email"] = email
        body["message-id"] = message_id
        body["ts_epoch"] = int(at.timestamp() * 1000)
    return provider, json.dumps(body)


def _recipients(count):
    """``count`` recipients of one batch, sent, each with its own address and message ID."""
    from django.utils import timezone

    from campaign.invitations import services
    from campaign.invitations.models import Audience, Batch, Recipient

    template = services.email_template_save(
        name="Bench webhooks", subject_id="Undangan {{ institution }}", body_id="<p>{{ rsvp_link }}</p>"
    )
    audience = services.audience_save(name="Bench webhooks", target=Audience.Target.INSTITUTIONS)
    batch = Batch.objects.create(name="Bench webhooks", template=template, audience=audience)
    now = timezone.now()
    Recipient.objects.bulk_create(
        [
            Recipient(
                batch=batch,
                email=f"penerima{n}@bench.example.org",
                name=f"Penerima {n}",
                message_id=f"<bench-{n}@mail.bench.example.org>",
                status=Recipient.Status.SENT,
                sent_at=now,
                status_at=now,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    return list(batch.recipients.order_by("pk").values_list("email", "message_id"))


class _Statements:
    """Every SQL statement run through a cursor, by kind."""

    def __init__(self):
        self.data = 0
        self.control = 0

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip()[:9].upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")):
            self.control += 1
        else:
            self.data += 1
        return execute(sql, params, many, context)


def measure(events=EVENTS):
    """Replay ``events`` events, then the same again; a dict of what was measured."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from campaign.invitations.models import Recipient, Suppression, TrackingEvent

    rows = _recipients(events)
    recorded = _recorded()
    posts = [_event(recorded, n, email, message_id) for n, (email, message_id) in enumerate(rows)]
    client = Client()
    auth = "Basic " + base64.b64encode(SECRET.encode()).decode()
    measured = {"events": events}
    anymail = {"WEBHOOK_SECRET": [SECRET], "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    with override_settings(ANYMAIL=anymail):
        for label in ("first", "again"):
            statements = _Statements()
            started, cpu_started = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(statements):
                for provider, body in posts:
                    response = client.post(
                        f"/anymail/{provider}/tracking/",
                        data=body,
                        content_type="application/json",
                        HTTP_AUTHORIZATION=auth,
                    )
                    assert response.status_code == 200, (provider, response.status_code)
            measured[label] = {
                "seconds": time.perf_counter() - started,
                "cpu": time.process_time() - cpu_started,
                "data": statements.data / events,
                "control": statements.control / events,
            }
    bounces = sum(1 for n in range(events) if _kind(n) == "bounced")
    assert TrackingEvent.objects.count() == events, TrackingEvent.objects.count()
    assert Suppression.objects.count() == bounces, (Suppression.objects.count(), bounces)
    delivered = Recipient.objects.filter(status=Recipient.Status.DELIVERED).count()
    opened = Recipient.objects.filter(open_count=1).count()
    assert delivered == sum(1 for n in range(events) if _kind(n) == "delivered"), delivered
    assert opened == sum(1 for n in range(events) if _kind(n) == "opened"), opened
    assert Recipient.objects.filter(status=Recipient.Status.BOUNCED).count() == bounces
    return measured


def _child():
    child_main(measure)


def _results(label, measured):
    first, again = measured["first"], measured["again"]
    events = measured["events"]
    return [
        Result(
            f"webhooks{label}: {events:,} recorded events",
            events / first["seconds"],
            "events/s",
            goal="≥ 1,000",
            note=f"{first['seconds']:.1f} s; {events / first['cpu']:,.0f} events/s of CPU; "
            f"{first['data']:.2f} statements/event (+{first['control']:.2f} BEGIN/SAVEPOINT)",
        ),
        Result(
            f"webhooks{label}: statements per event",
            first["data"],
            "statements",
            goal="≤ 2 (delivered, opened)",
            note="INSERT/UPDATE/SELECT; a hard bounce adds its suppression",
        ),
        Result(
            f"webhooks{label}: same {events:,} again (duplicates)",
            events / again["seconds"],
            "events/s",
            note=f"{again['seconds']:.1f} s, {again['data']:.2f} statements/event",
        ),
    ]


def run():
    if not BEFORE:
        return _results("", measure())
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-before-") as workdir:
        before_tree = archive_tree(BEFORE, Path(workdir), "bench_webhooks.py")
        for round_number in range(1, ROUNDS + 1):
            for label, tree in ((f" before ({BEFORE})", before_tree), (" after", ROOT)):
                print(f"  webhooks round {round_number}:{label}", flush=True)
                measured = measure_in_tree(tree, "bench_webhooks", label.split()[0])
                results += _results(f"{label} #{round_number}", measured)
    return results
