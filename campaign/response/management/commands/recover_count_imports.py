from django.core.management.base import BaseCommand

from campaign.response.services import count_imports_recover


class Command(BaseCommand):
    help = (
        "Queue again the uploads of official figures whose task worker died while checking "
        "or writing them (failing them after three lost workers). Run every minute by run_due."
    )

    def handle(self, *args, **options):
        result = count_imports_recover()
        self.stdout.write(
            f"{result['requeued']} import(s) queued again, {result['failed']} failed, "
            f"{result['lost_tasks']} task(s) of dead workers closed."
        )
