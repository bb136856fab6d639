from django.core.management.base import BaseCommand

from campaign.materials.services import guide_packs_recover


class Command(BaseCommand):
    help = (
        "Put back in the queue the guide packs whose task worker died while building them "
        "(failing them after three lost workers). Run it every minute from cron or a "
        "systemd timer, beside send_due_invitations."
    )

    def handle(self, *args, **options):
        result = guide_packs_recover()
        self.stdout.write(
            f"{result['requeued']} pack(s) queued again, {result['failed']} failed, "
            f"{result['lost_tasks']} task(s) of dead workers closed."
        )
