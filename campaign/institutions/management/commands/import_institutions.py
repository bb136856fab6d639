from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaign.institutions.models import Contact
from campaign.institutions.services import institutions_import


class Command(BaseCommand):
    help = (
        "Import institutions and their contacts from a CSV or XLSX file. Every row is "
        "checked first; if any row is bad, each problem is printed (row, column, message) "
        "and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument(
            "--source",
            default="",
            help="Where the list came from, recorded on each new contact (default: the file name).",
        )
        parser.add_argument(
            "--lawful-basis",
            default=Contact.LawfulBasis.PUBLIC_TASK,
            choices=Contact.LawfulBasis.values,
            help="Lawful basis for processing the contacts' data (UU PDP).",
        )

    def handle(self, *args, file, dry_run, source, lawful_basis, **options):
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
        result = institutions_import(
            content=content,
            filename=file.name,
            source=source or file.name,
            lawful_basis=lawful_basis,
            dry_run=dry_run,
        )
        for error in result.errors:
            location = _("row %(row)d") % {"row": error.row} if error.row else _("file")
            column = f", {error.column}" if error.column else ""
            self.stderr.write(f"{file.name}: {location}{column}: {error.message}")
        if result.errors:
            raise CommandError(
                _("%(count)d problem(s) found; nothing was imported.") % {"count": len(result.errors)}
            )
        for column in result.unknown_columns:
            self.stdout.write(_("Ignored unknown column “%(column)s”.") % {"column": column})
        summary = (
            _(
                "%(rows)d rows: %(created)d new institutions, %(updated)d updated, %(unchanged)d "
                "unchanged; %(contacts_created)d new contacts, %(contacts_updated)d updated."
            )
            % result.as_dict()
        )
        if dry_run:
            self.stdout.write(_("Dry run, nothing written. %(summary)s") % {"summary": summary})
        else:
            self.stdout.write(self.style.SUCCESS(summary))
