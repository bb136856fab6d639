from django.core.management.base import BaseCommand

from campaign.invitations.services import (
    batches_recover_interrupted,
    batches_start_due,
    session_reminders_queue,
)


class Command(BaseCommand):
    help = (
        "Start scheduled invitation batches whose time has come, queue tomorrow's session "
        "reminders (from 08.00 WITA), and recover the chunks of "
        "a task worker that died while sending (see batches_recover_interrupted). Run it "
        "every minute from cron or a systemd timer."
    )

    def handle(self, *args, **options):
        started = batches_start_due()
        reminders = session_reminders_queue()
        recovered = batches_recover_interrupted()
        self.stdout.write(
            f"{len(started)} batch(es) started; {reminders} session reminder(s) queued; "
            f"{recovered['released']} recipient(s) of interrupted "
            f"chunks back to pending, {recovered['uncertain']} flagged for a check; "
            f"{len(recovered['requeued'])} batch(es) queued; {recovered['lost_tasks']} task(s) of "
            "dead workers closed."
        )
