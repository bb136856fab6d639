"""Bulk random invitation data for benchmarks and load rehearsals (not for demos).

``create`` adds finished batches of 10,000 recipients each, spread over the random
institutions' contacts, in the mix of states a campaign ends with (mostly delivered, some
opened, clicked, bounced, answered). Rows go in with ``bulk_create`` in one transaction.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from campaign.institutions.models import Contact

from .models import Batch, EmailTemplate, Recipient

BATCH_SIZE = 10_000
TEMPLATE_NAME = "Undangan acak (data uji)"
# (status, weight): the end state of a campaign's invitations.
STATUSES = [
    (Recipient.Status.DELIVERED, 70),
    (Recipient.Status.SENT, 12),
    (Recipient.Status.BOUNCED, 4),
    (Recipient.Status.FAILED, 1),
    (Recipient.Status.SKIPPED, 2),
    (Recipient.Status.PENDING, 1),
]


def _template():
    template = EmailTemplate.objects.filter(name=TEMPLATE_NAME).first()
    if template is None:
        template = EmailTemplate.objects.create(
            name=TEMPLATE_NAME,
            subject_id="Undangan pendampingan Sensus Penduduk Online untuk {{ institusi }}",
            body_id="<p>Yth. {{ nama }},</p><p>Kami mengundang {{ institusi }} untuk pendampingan.</p>",
        )
    return template


@transaction.atomic
def create(*, invitations: int, seed: int = 53, chunk: int = 5_000, stdout=None) -> int:
    """Add ``invitations`` recipient rows in finished batches; returns how many."""
    if invitations <= 0:
        return 0
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    contacts = list(
        Contact.objects.exclude(email="").order_by("pk").values_list("pk", "institution_id", "email", "name")
    )
    if not contacts:
        raise RuntimeError("No contacts with an email address: create institutions first.")
    template = _template()
    statuses = [status for status, weight in STATUSES for _ in range(weight)]
    now = timezone.now()
    start = now - datetime.timedelta(days=30)
    made = 0
    number = Batch.objects.count()
    while made < invitations:
        size = min(BATCH_SIZE, invitations - made)
        number += 1
        sent_at = start + datetime.timedelta(hours=number)
        batch = Batch.objects.create(
            name=f"Undangan acak {number:04d}",
            template=template,
            status=Batch.Status.DONE,
            started_at=sent_at,
            finished_at=sent_at + datetime.timedelta(minutes=10),
        )
        # Unique per batch: consecutive contacts from a random offset.
        offset = rng.randrange(len(contacts))
        rows = []
        for index in range(size):
            contact_id, institution_id, email, name = contacts[(offset + index) % len(contacts)]
            status = rng.choice(statuses)
            delivered = status == Recipient.Status.DELIVERED
            opened = delivered and rng.random() < 0.45
            clicked = opened and rng.random() < 0.3
            answer = rng.choice(["accept", "accept", "decline", "propose"]) if clicked else ""
            done = status not in (Recipient.Status.PENDING, Recipient.Status.SKIPPED)
            rows.append(
                Recipient(
                    batch=batch,
                    contact_id=contact_id,
                    institution_id=institution_id,
                    email=email if size <= len(contacts) else f"{index}.{email}",
                    name=name[:200],
                    status=status,
                    status_at=sent_at,
                    message_id=f"<random-{batch.pk}-{index}@rehearsal.invalid>" if done else "",
                    attempts=1 if done else 0,
                    sent_at=sent_at if done else None,
                    delivered_at=sent_at + datetime.timedelta(minutes=2) if delivered else None,
                    bounce_kind="hard" if status == Recipient.Status.BOUNCED else "",
                    opened_at=sent_at + datetime.timedelta(hours=2) if opened else None,
                    human_opened_at=sent_at + datetime.timedelta(hours=2) if opened else None,
                    open_count=rng.randint(1, 4) if opened else 0,
                    clicked_at=sent_at + datetime.timedelta(hours=3) if clicked else None,
                    click_count=1 if clicked else 0,
                    answer=answer,
                    answered_at=sent_at + datetime.timedelta(hours=4) if answer else None,
                )
            )
            if len(rows) >= chunk:
                Recipient.objects.bulk_create(rows, batch_size=chunk)
                rows = []
        if rows:
            Recipient.objects.bulk_create(rows, batch_size=chunk)
        made += size
        if stdout is not None:
            stdout.write(f"  invitations: {made:,} / {invitations:,}")
    return made


def populate(*, invitations, seed, stdout, **sizes) -> dict[str, int]:
    """``create_random_data``'s share of this app: finished invitation rows."""
    return {"invitations": create(invitations=invitations, seed=seed, stdout=stdout)}
