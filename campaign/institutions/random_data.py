"""Bulk random registry data for benchmarks and load rehearsals (not for demos)."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from campaign.core.models import Region

from .models import Contact, Institution, InstitutionKind, normalise_name
from .names import FIRST_NAMES, LAST_NAMES
from .services import institution_kinds_seed

PREFIXES = {
    "Kantor Pemerintah": ["Dinas", "Badan", "Kantor", "Bagian"],
    "DPRD": ["Sekretariat DPRD", "Fraksi DPRD"],
    "BUMN": ["PT", "Perum"],
    "BUMD": ["Perumda", "PD", "Bank"],
    "Lembaga Pendidikan": ["SD Negeri", "SMP Negeri", "SMA Negeri", "SMK Negeri", "Universitas"],
    "Swasta": ["CV", "PT", "Toko", "Koperasi", "Hotel"],
}
WORDS = [
    "Flobamora",
    "Sasando",
    "Lontar",
    "Timor",
    "Nusa",
    "Cendana",
    "Komodo",
    "Kelimutu",
    "Mutis",
    "Fatuleu",
    "Tenau",
    "Lasiana",
    "Oesapa",
    "Kristal",
    "Bintang",
    "Harapan",
]


@transaction.atomic
def create(
    *, institutions: int, contacts_per_institution: int = 2, seed: int = 53, batch=5_000, stdout=None
) -> tuple[int, int]:
    """Add ``institutions`` institutions across NTT's districts with their contacts."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    institution_kinds_seed()
    kinds = list(InstitutionKind.objects.all())
    districts = list(Region.objects.filter(level="district").values_list("pk", "code"))
    if not districts:
        raise RuntimeError("Load the regions first (manage.py load_regions).")
    start = Institution.objects.count()
    now = timezone.now()
    today = timezone.localdate()
    created_institutions = created_contacts = 0
    for offset in range(0, institutions, batch):
        rows = []
        for number in range(start + offset, start + min(offset + batch, institutions)):
            kind = kinds[number % len(kinds)]
            region_id, code = districts[number % len(districts)]
            name = f"{rng.choice(PREFIXES.get(kind.name, ['Kantor']))} {rng.choice(WORDS)} {number:06d}"
            rows.append(
                Institution(
                    external_id=f"RND-{number:07d}",
                    name=name,
                    name_normalised=normalise_name(name),
                    kind=kind,
                    region_id=region_id,
                    employees=rng.randint(5, 800),
                    address=f"Jl. {rng.choice(WORDS)} No. {rng.randint(1, 200)}",
                    status=rng.choice(Institution.Status.values),
                    created_at=now,
                    updated_at=now,
                )
            )
        Institution.objects.bulk_create(rows, batch_size=1000)
        contacts = []
        for institution in rows:
            for index in range(contacts_per_institution):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                serial = institution.pk * 10 + index
                contacts.append(
                    Contact(
                        institution=institution,
                        name=f"{first} {last}",
                        position="Staf",
                        email=f"kontak{serial}@acak.example.org",
                        phone=f"+62812{serial:08d}"[:15],
                        consent_source="create_random_data",
                        consent_date=today - datetime.timedelta(days=rng.randint(0, 60)),
                        created_at=now,
                        updated_at=now,
                    )
                )
        Contact.objects.bulk_create(contacts, batch_size=1000)
        created_institutions += len(rows)
        created_contacts += len(contacts)
        if stdout:
            stdout.write(f"  institutions: {created_institutions:,}/{institutions:,}")
    return created_institutions, created_contacts


@transaction.atomic
def create_fieldwork(
    *, campaign, sessions: int, teams_per_regency: int = 6, seed: int = 53, batch=10_000, stdout=None
) -> int:
    """Teams in every regency and ``sessions`` guided sessions over the campaign weeks."""
    from .models import GuidedSession, Team

    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    teams = []
    for regency in Region.objects.filter(level="regency"):
        for number in range(1, teams_per_regency + 1):
            team, _created = Team.objects.get_or_create(
                campaign=campaign,
                name=f"Tim {regency.code}-{number}",
                defaults={"area": regency, "default_weekly_target": 10 + number % 2},
            )
            teams.append(team)
    institution_ids = list(Institution.objects.values_list("pk", flat=True))
    days = (campaign.effective_end - campaign.online_start).days
    tz = timezone.get_current_timezone()
    statuses = [GuidedSession.Status.HELD] * 6 + [
        GuidedSession.Status.PLANNED,
        GuidedSession.Status.CANCELLED,
        GuidedSession.Status.RESCHEDULED,
    ]
    now = timezone.now()
    made = 0
    for offset in range(0, sessions, batch):
        rows = []
        for _ in range(min(batch, sessions - offset)):
            status = rng.choice(statuses)
            guided = rng.randint(5, 60) if status == GuidedSession.Status.HELD else 0
            day = campaign.online_start + datetime.timedelta(days=rng.randint(0, days))
            starts_at = datetime.datetime.combine(day, datetime.time(rng.randint(8, 15)), tzinfo=tz)
            rows.append(
                GuidedSession(
                    institution_id=rng.choice(institution_ids),
                    team=rng.choice(teams),
                    starts_at=starts_at,
                    week=GuidedSession.week_of(starts_at),
                    status=status,
                    people_guided=guided,
                    people_completed=rng.randint(0, guided),
                    created_at=now,
                    updated_at=now,
                )
            )
        GuidedSession.objects.bulk_create(rows, batch_size=2000)
        made += len(rows)
        if stdout:
            stdout.write(f"  sessions: {made:,}/{sessions:,}")
    from .services import institution_status_refresh, session_tallies_refresh

    for start in range(0, len(institution_ids), 5_000):
        institution_status_refresh(institution_ids=institution_ids[start : start + 5_000])
    session_tallies_refresh(campaign_ids=[campaign.pk])
    return made


def populate(*, institutions, contacts_per_institution, sessions, seed, stdout, **sizes) -> dict[str, int]:
    """``create_random_data``'s share of this app: institutions, contacts and, when a
    campaign is active, teams and sessions."""
    from campaign.core.selectors import campaign_get_active

    made, contacts = create(
        institutions=institutions, contacts_per_institution=contacts_per_institution, seed=seed, stdout=stdout
    )
    campaign = campaign_get_active()
    made_sessions = 0
    if campaign is None:
        stdout.write("No active campaign (run load_demo_data first): no sessions created.")
    else:
        made_sessions = create_fieldwork(campaign=campaign, sessions=sessions, seed=seed, stdout=stdout)
    return {"institutions": made, "contacts": contacts, "sessions": made_sessions}
