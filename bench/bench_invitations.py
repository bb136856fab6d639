"""Invitations at benchmark volume: 100,000 messages sent by the database task worker
through anymail's test backend. The tracking webhooks are measured by bench_webhooks.

Sending: one batch of 100,000 recipients (100,000 institutions, one contact each),
chunks of 500, no rate limit; ``db_worker --batch`` runs every chunk task in this
process. Measured: wall time of the worker (messages/s) and every SQL statement it
ran, task bookkeeping included (queries/message and per chunk). Filling the batch
(audience count, exclusions, 100,000 rows written) is timed on its own.

Both ways of handing messages to the provider are measured in the same run, on the same
data, one batch each, alternating (``BENCH_INVITATIONS_ROUNDS``, default 1): one call
per message, and anymail batch sending (``INVITATIONS_BATCH_SEND``: one call for up to
250 recipients). ``BENCH_INVITATIONS_PATHS=batched`` measures one of them.
"""

import datetime
import itertools
import os
import time

from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.signals import pre_send
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from bench.common import Result
from campaign.core.models import Campaign, Region
from campaign.core.services import regions_load, site_home_ensure
from campaign.institutions.models import Contact, Institution, InstitutionKind
from campaign.institutions.services import institution_kinds_seed, team_save
from campaign.invitations import services
from campaign.invitations.models import Audience, Batch, Recipient
from campaign.materials.models import GuideIndexPage, GuidePage

# BENCH_INVITATIONS_MESSAGES=20000 for a quicker run.
MESSAGES = int(os.environ.get("BENCH_INVITATIONS_MESSAGES", 100_000))
ROUNDS = int(os.environ.get("BENCH_INVITATIONS_ROUNDS", 1))
PATHS = [
    path.strip()
    for path in os.environ.get("BENCH_INVITATIONS_PATHS", "per_message,batched").split(",")
    if path.strip()
]
CHUNK = 500
_ids = itertools.count()


class BenchTestBackend(AnymailTestBackend):
    """anymail's test backend with unique message IDs: its own ID is the message's
    index in ``mail.outbox``, found by a linear search, which is quadratic over
    100,000 messages. The outbox is emptied before each call (see ``_empty``)."""

    calls = 0

    def post_to_esp(self, payload, message):
        BenchTestBackend.calls += 1
        return super().post_to_esp(payload, message)

    def get_esp_message_id(self, message):
        return f"bench-{next(_ids)}"


def _empty(sender, message, esp_name, **kwargs):
    mail.outbox = []


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _guide():
    """A live guide: the template's {{ guide_link }} needs one (a batch whose message
    cannot be written does not start), and every message then signs its guide link."""
    home = site_home_ensure(title="Sensus Penduduk Online 2020", intro="", cta_label="Isi sensus")
    index = GuideIndexPage(title="Panduan", slug="panduan")
    home.add_child(instance=index)
    index.save_revision().publish()
    guide = GuidePage(title="Cara mengisi SP2020", slug="cara-mengisi", intro="Langkah demi langkah.")
    index.add_child(instance=guide)
    guide.save_revision().publish()


def _setup():
    regions_load()
    _guide()
    kinds = institution_kinds_seed()
    districts = list(Region.objects.filter(level="district").values_list("pk", flat=True))
    now = timezone.now()
    institutions = [
        Institution(
            name=f"Institusi Undangan {n:06d}",
            name_normalised=f"institusi undangan {n:06d}",
            kind=kinds[n % len(kinds)],
            region_id=districts[n % len(districts)],
            created_at=now,
            updated_at=now,
        )
        for n in range(MESSAGES)
    ]
    Institution.objects.bulk_create(institutions, batch_size=2000)
    contacts = [
        Contact(
            institution=institution,
            name=f"Kontak {n}",
            position="Sekretaris",
            email=f"undangan{n}@bench.example.org",
            consent_source="bench",
            consent_date=datetime.date(2020, 2, 1),
            created_at=now,
            updated_at=now,
        )
        for n, institution in enumerate(Institution.objects.order_by("pk"))
    ]
    Contact.objects.bulk_create(contacts, batch_size=2000)
    campaign = Campaign.objects.create(
        name="Sensus Penduduk 2020",
        short_name="SP2020",
        online_start=datetime.date(2020, 2, 15),
        online_end=datetime.date(2020, 3, 31),
        population_base=5_400_000,
        goal_percent=23,
    )
    kupang = Region.objects.get(code="5371")
    team = team_save(campaign=campaign, name="Tim 1", area=kupang)
    assert InstitutionKind.objects.exists()
    return team


def _send(team, template, audience, path):
    """One batch of every contact, sent by ``db_worker`` along ``path``."""
    batch = services.batch_create(
        template=template,
        audience=audience,
        team=team,
        proposed_at=timezone.now() + datetime.timedelta(days=7),
        chunk_size=CHUNK,
        rate_per_minute=0,
    )
    BenchTestBackend.calls = 0
    pre_send.connect(_empty, dispatch_uid="bench-empty-outbox")
    with override_settings(
        MAILERS={"default": {"BACKEND": "bench.bench_invitations.BenchTestBackend"}},
        INVITATIONS_BATCH_SEND=path == "batched",
    ):
        started = time.perf_counter()
        services.batch_start(batch=batch)  # queues the first chunk task in the database
        fill_seconds = time.perf_counter() - started

        counter = QueryCounter()
        started, cpu_started = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(counter):
            call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
        send_seconds = time.perf_counter() - started
        # SQLite runs in this process: its CPU time is the work, whatever the load of
        # the machine adds to the wall time.
        send_cpu = time.process_time() - cpu_started
    pre_send.disconnect(dispatch_uid="bench-empty-outbox")

    batch.refresh_from_db()
    sent = batch.recipients.filter(status=Recipient.Status.SENT).count()
    assert batch.status == Batch.Status.DONE and sent == MESSAGES, (batch.status, sent)
    return {
        "fill": fill_seconds,
        "wall": send_seconds,
        "cpu": send_cpu,
        "queries": counter.count,
        "calls": BenchTestBackend.calls,
    }


def run():
    team = _setup()
    template = services.email_template_save(
        name="Bench",
        subject_id="Undangan pendampingan Sensus Penduduk Online untuk {{ institution }}",
        body_id=(
            "<p>Yth. {{ contact_name }} ({{ contact_position }}),</p><p>Tim {{ team }} datang pada "
            "{{ session_date }}.</p><p>Jawab: {{ rsvp_link }}</p><p>Panduan: {{ guide_link }}</p>"
        ),
    )
    audience = services.audience_save(name="Semua", target=Audience.Target.INSTITUTIONS)
    vendor = connection.vendor
    chunks = -(-MESSAGES // CHUNK)
    results = []
    for round_number in range(1, ROUNDS + 1):
        for path in PATHS:
            print(f"  invitations round {round_number}: {path}", flush=True)
            measured = _send(team, template, audience, path)
            label = f"invitations ({path.replace('_', ' ')}, round {round_number})"
            results += [
                Result(
                    f"{label}: fill batch, {MESSAGES:,} recipients",
                    MESSAGES / measured["fill"],
                    "rows/s",
                    note=f"{measured['fill']:.1f} s (audience, exclusions, bulk insert)",
                ),
                Result(
                    f"{label}: send {MESSAGES:,} via db_worker",
                    MESSAGES / measured["wall"],
                    "msg/s",
                    goal="≥ 2,000",
                    note=(
                        f"{measured['wall']:.1f} s, chunks of {CHUNK}, "
                        f"{measured['calls']:,} provider calls, {vendor}"
                    ),
                ),
                Result(
                    f"{label}: send {MESSAGES:,}, per CPU second",
                    MESSAGES / measured["cpu"],
                    "msg/s",
                    note=f"{measured['cpu']:.1f} s of the worker's CPU time",
                ),
                Result(
                    f"{label}: statements per chunk",
                    measured["queries"] / chunks,
                    "queries",
                    goal="O(1)",
                    note=(
                        f"{measured['queries'] / MESSAGES:.3f} per message; "
                        "worker, all SQL, task bookkeeping included"
                    ),
                ),
            ]
    return results
