"""Two workers numbering letters at once: 1…N with no gap and no repeat.

PostgreSQL only (like test_concurrency.py): SQLite serialises writers and the in-memory
test database is not shared between threads. CI runs the suite on PostgreSQL too.
"""

import datetime
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from campaign.invitations import services
from campaign.invitations.models import Batch, Letter
from campaign.invitations.services import letters as letters_service
from tests.factories import ContactFactory, InstitutionFactory, LetterBatchFactory, LetterTemplateFactory

from .conftest import WITA

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: two connections writing at once (set DATABASE_URL=postgres://…)",
    ),
]


def test_two_workers_number_letters_without_gap_or_repeat(monkeypatch):
    monkeypatch.setattr(letters_service, "_clock", lambda: datetime.datetime(2026, 12, 5, 10, tzinfo=WITA))
    for index in range(60):
        ContactFactory(institution=InstitutionFactory(), name=f"Kepala {index}", position="Kepala", email="")
    template = LetterTemplateFactory()
    monkeypatch.setattr(services.batches, "batch_chunk_enqueue", lambda *args, **kwargs: None)
    # Two batches of the same office and year, 60 letters each: one counter for both.
    batches = [LetterBatchFactory(letter_template=template, chunk_size=7) for _ in range(2)]
    for batch in batches:
        services.batch_start(batch=batch)
    real_address = letters_service._address

    def slow_address(recipient):
        time.sleep(0.002)  # hold the counter lock a little: the other worker must wait
        return real_address(recipient)

    monkeypatch.setattr(letters_service, "_address", slow_address)
    barrier = threading.Barrier(2, timeout=20)
    errors, sent = [], Counter()

    def worker(name, order):
        try:
            barrier.wait()
            for _ in range(60):
                busy = False
                for batch in order:
                    result = services.batch_send_chunk(batch_id=batch.pk)
                    sent[name] += result.sent
                    busy = busy or result.more or bool(result.claimed)
                if not busy:
                    break
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=("a", batches)),
        threading.Thread(target=worker, args=("b", list(reversed(batches)))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert sent["a"] and sent["b"], sent  # both numbered letters
    rows = list(Letter.objects.values_list("recipient_id", "seq", "number"))
    assert len(rows) == 120
    assert sorted(seq for _r, seq, _n in rows) == list(range(1, 121))
    assert len({recipient for recipient, _s, _n in rows}) == 120
    assert len({number for _r, _s, number in rows}) == 120
    assert set(Batch.objects.filter(pk__in=[b.pk for b in batches]).values_list("status", flat=True)) == {
        "done"
    }
