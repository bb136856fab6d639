import time
from importlib import import_module

from django.core.management.base import BaseCommand

from campaign.core.services import regions_load

# Each app with benchmark-volume data has a ``random_data`` module whose
# ``populate(**sizes, seed, stdout)`` returns what it made; in this order, because
# invitations go to the institutions' contacts. Core only knows the convention (as
# ``load_demo_data`` does with ``demo``), not the apps.
RANDOM_DATA_APPS = ["institutions", "invitations"]


class Command(BaseCommand):
    help = (
        "Add random campaign data at benchmark volume (default: 50,000 institutions with "
        "100,000 contacts). For benchmarks and load rehearsals, never for production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--institutions", type=int, default=50_000)
        parser.add_argument("--contacts-per-institution", type=int, default=2)
        parser.add_argument("--sessions", type=int, default=200_000)
        parser.add_argument(
            "--invitations", type=int, default=0, help="finished invitation rows to add (benchmarks: 100,000)"
        )
        parser.add_argument("--seed", type=int, default=53)

    def handle(self, *args, institutions, contacts_per_institution, sessions, invitations, seed, **options):
        started = time.perf_counter()
        regions_load()
        made = {}
        for app in RANDOM_DATA_APPS:
            module = import_module(f"campaign.{app}.random_data")
            made |= module.populate(
                institutions=institutions,
                contacts_per_institution=contacts_per_institution,
                sessions=sessions,
                invitations=invitations,
                seed=seed,
                stdout=self.stdout,
            )
        counts = {name: made.get(name, 0) for name in ("institutions", "contacts", "sessions", "invitations")}
        self.stdout.write(
            self.style.SUCCESS(
                "Created {institutions:,} institutions, {contacts:,} contacts, {sessions:,} sessions and "
                "{invitations:,} invitations in ".format(**counts)
                + f"{time.perf_counter() - started:.1f} s."
            )
        )
