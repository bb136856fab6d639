from django.core.management.base import BaseCommand

from campaign.response.fetching import sources_due
from campaign.response.tasks import fetch_source_task


class Command(BaseCommand):
    help = (
        "Queue a fetch of every active source of official figures whose interval has passed "
        "(run every minute by the demo's clock, or from a timer in production); the task "
        "worker fetches and stores them."
    )

    def handle(self, *args, **options):
        for source in sources_due():
            fetch_source_task.enqueue(source.pk)
            self.stdout.write(f"{source.name}: queued")
