import time

from django.core.management.base import BaseCommand

from campaign.core.services import regions_load


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
        from campaign.institutions import random_data

        started = time.perf_counter()
        regions_load()
        made, contacts = random_data.create(
            institutions=institutions,
            contacts_per_institution=contacts_per_institution,
            seed=seed,
            stdout=self.stdout,
        )
        from campaign.core.selectors import campaign_get_active

        campaign = campaign_get_active()
        made_sessions = 0
        if campaign is None:
            self.stdout.write("No active campaign (run load_demo_data first): no sessions created.")
        else:
            made_sessions = random_data.create_fieldwork(
                campaign=campaign, sessions=sessions, seed=seed, stdout=self.stdout
            )
        from campaign.invitations import random_data as invitation_data

        made_invitations = invitation_data.create(invitations=invitations, seed=seed, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {made:,} institutions, {contacts:,} contacts, {made_sessions:,} sessions and "
                f"{made_invitations:,} invitations in "
                f"{time.perf_counter() - started:.1f} s."
            )
        )
