from importlib import import_module

from django.core.management.base import BaseCommand

# Each app with demo data has a ``demo`` module with ``load(*, stdout, with_users)``;
# core comes first because the others build on its regions, campaign and users.
DEMO_APPS = ["core", "institutions", "response", "materials", "news", "invitations"]


class Command(BaseCommand):
    help = (
        "Load the NTT Population Census 2020 demo campaign. Idempotent: running it again "
        "updates the demo data instead of duplicating it. Demo users with known passwords "
        "are created only when DEBUG is on."
    )

    def handle(self, *args, **options):
        from django.conf import settings

        for app in DEMO_APPS:
            try:
                module = import_module(f"campaign.{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"campaign.{app}.demo":
                    raise
                continue
            module.load(stdout=self.stdout, with_users=settings.DEBUG)
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: demo users were not created.")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
