from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run every minute's due work once: the commands listed in settings.RUN_DUE_COMMANDS "
        "(scheduled publishing, due invitation batches and worker-loss recovery, guide-pack "
        "recovery). One cron line or systemd timer on one host; the demo runs it every minute."
    )

    def handle(self, *args, **options):
        failed = []
        for name in settings.RUN_DUE_COMMANDS:
            # Each one on its own: a failure in one must not keep the others from running.
            try:
                call_command(name, stdout=self.stdout, stderr=self.stderr, verbosity=options["verbosity"])
            except Exception as error:  # noqa: BLE001 - reported below, and the exit status says so
                failed.append(name)
                self.stderr.write(f"{name}: {type(error).__name__}: {error}")
        if failed:
            raise CommandError(f"failed: {', '.join(failed)}")
