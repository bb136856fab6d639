"""WhatsApp Cloud API status webhooks at volume: the recorded payloads of
``tests/invitations/webhooks/whatsapp`` replayed through the whole middleware stack (the
fast path of ``ProviderWebhookMiddleware``), the signature check and the receiver.

10,000 status events, one per signed POST as Meta sends them, for 4,000 WhatsApp
recipients already sent: each gets "sent" and "delivered" (one in 50 "failed" instead),
every other one "read" (4,000 + 4,000 + 2,000), in that order; then the same 10,000 again
(all duplicates). Measured like ``bench_webhooks``: events/s of wall time and of CPU, and
SQL statements per event. ``BENCH_WHATSAPP_EVENTS`` scales it (a multiple of 5).
"""

import copy
import hashlib
import hmac
import json
import os
import time

from bench.bench_webhooks import PAYLOADS, _Statements
from bench.common import Result

EVENTS = int(os.environ.get("BENCH_WHATSAPP_EVENTS", 10_000))
SECRET = "bench-app-secret"  # noqa: S105 - the benchmark's own


def _recorded():
    return {
        name: json.loads((PAYLOADS / "whatsapp" / f"{name}.json").read_text())
        for name in ("sent", "delivered", "read", "failed")
    }


def _recipients(count):
    from django.utils import timezone

    from campaign.invitations import services
    from campaign.invitations.models import Audience, Batch, Recipient

    audience = services.audience_save(name="Bench WhatsApp", target=Audience.Target.INSTITUTIONS)
    batch = Batch.objects.create(
        name="Bench WhatsApp", channel=Batch.Channel.WHATSAPP, whatsapp_template="undangan", audience=audience
    )
    now = timezone.now()
    Recipient.objects.bulk_create(
        [
            Recipient(
                batch=batch,
                channel=Batch.Channel.WHATSAPP,
                phone=f"+62812{n:08d}",
                name=f"Penerima {n}",
                message_id=f"wamid.BENCH{n:010d}",
                status=Recipient.Status.SENT,
                sent_at=now,
                status_at=now,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    return list(batch.recipients.order_by("pk").values_list("pk", "phone", "message_id"))


def _posts(rows):
    recorded = _recorded()
    posts = []
    waves = [("sent", lambda n: "sent"), ("delivered", lambda n: "failed" if n % 50 == 0 else "delivered")]
    waves.append(("read", lambda n: "read" if n % 2 == 1 else None))
    for offset, (_wave, kind_of) in enumerate(waves):
        for n, (pk, phone, message_id) in enumerate(rows):
            kind = kind_of(n)
            if kind is None:
                continue
            body = copy.deepcopy(recorded[kind])
            status = body["entry"][0]["changes"][0]["value"]["statuses"][0]
            status.update(
                id=message_id,
                recipient_id=phone.lstrip("+"),
                biz_opaque_callback_data=f"recipient:{pk}",
                timestamp=str(1582255200 + offset * 3600 + n),
            )
            raw = json.dumps(body).encode()
            signature = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
            posts.append((raw, signature))
    return posts


def measure(events=EVENTS):
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from campaign.invitations.models import Recipient, TrackingEvent

    count = events * 2 // 5
    rows = _recipients(count)
    posts = _posts(rows)
    assert len(posts) == events, len(posts)
    client = Client()
    measured = {"events": events}
    with override_settings(WHATSAPP_APP_SECRET=[SECRET]):
        for label in ("first", "again"):
            statements = _Statements()
            started, cpu_started = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(statements):
                for raw, signature in posts:
                    response = client.post(
                        "/webhooks/whatsapp/",
                        data=raw,
                        content_type="application/json",
                        HTTP_X_HUB_SIGNATURE_256=signature,
                    )
                    assert response.status_code == 200, response.status_code
            measured[label] = {
                "seconds": time.perf_counter() - started,
                "cpu": time.process_time() - cpu_started,
                "data": statements.data / events,
                "control": statements.control / events,
            }
    assert TrackingEvent.objects.filter(provider="whatsapp").count() == events
    failed = sum(1 for n in range(count) if n % 50 == 0)
    assert Recipient.objects.filter(status=Recipient.Status.FAILED).count() == failed
    assert Recipient.objects.filter(status=Recipient.Status.DELIVERED).count() == count - failed
    assert Recipient.objects.filter(open_count=1).count() == count // 2
    return measured


def run():
    measured = measure()
    first, again = measured["first"], measured["again"]
    events = measured["events"]
    return [
        Result(
            f"whatsapp webhooks: {events:,} signed status events",
            events / first["seconds"],
            "events/s",
            goal="> 1,000",
            note=f"{first['seconds']:.1f} s; {events / first['cpu']:,.0f} events/s of CPU; "
            f"{first['data']:.2f} statements/event (+{first['control']:.2f} BEGIN/SAVEPOINT)",
        ),
        Result(
            f"whatsapp webhooks: same {events:,} again (duplicates)",
            events / again["seconds"],
            "events/s",
            note=f"{again['seconds']:.1f} s, {again['data']:.2f} statements/event",
        ),
    ]
