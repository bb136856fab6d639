"""Two workers on one batch: every recipient is mailed exactly once.

PostgreSQL only: SQLite serialises writers, and the in-memory test database is not
shared between threads. CI runs the suite against PostgreSQL too (.ci/run).
"""

import threading
import uuid
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from campaign.invitations import services
from campaign.invitations.models import Batch, Recipient
from tests.factories import BatchFactory

from .conftest import make_contacts

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: two connections writing at once (set DATABASE_URL=postgres://…)",
    ),
]


def test_two_workers_on_one_batch_never_send_twice(monkeypatch):
    make_contacts(120)
    batch = BatchFactory(chunk_size=40)
    # The workers below are the only senders (no task queued by the start).
    monkeypatch.setattr(services.batches, "batch_chunk_enqueue", lambda *args, **kwargs: None)
    services.batch_start(batch=batch)
    assert batch.recipients.count() == 120

    # Both workers read the same pending rows before either claims them.
    barrier = threading.Barrier(2, timeout=20)
    first_call = threading.local()
    real_uuid4 = uuid.uuid4

    def uuid4_after_both_read():
        if not getattr(first_call, "done", False):
            first_call.done = True
            barrier.wait()
        return real_uuid4()

    monkeypatch.setattr(services.sending.uuid, "uuid4", uuid4_after_both_read)
    results, errors = {}, []

    def worker(name):
        claimed = sent = 0
        try:
            for _ in range(100):
                result = services.batch_send_chunk(batch_id=batch.pk)
                claimed += result.claimed
                sent += result.sent
                if not result.more and not result.claimed:
                    break
            results[name] = (claimed, sent)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    mailed = Counter(message.to[0].split("<")[-1].rstrip(">") for message in mail.outbox)
    assert len(mailed) == 120 and set(mailed.values()) == {1}
    assert sum(claimed for claimed, _ in results.values()) == 120
    assert sum(sent for _, sent in results.values()) == 120
    assert all(claimed for claimed, _ in results.values()), results  # both did work
    assert set(Recipient.objects.filter(batch=batch).values_list("status", flat=True)) == {"sent"}
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.DONE
