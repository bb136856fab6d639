from django.core.management.base import BaseCommand

from campaign.invitations.services import batches_start_due


class Command(BaseCommand):
    help = (
        "Start scheduled invitation batches whose time has come. The database task backend "
        "does this by itself; run this from cron with a backend that cannot defer tasks."
    )

    def handle(self, *args, **options):
        started = batches_start_due()
        self.stdout.write(f"{len(started)} batch(es) started.")
