from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaign.response.services import counts_import


class Command(BaseCommand):
    help = (
        "Import official online figures by region and day from a CSV or XLSX file (columns "
        "region_code or kemendagri_code, date, persons, and optionally households and accessed). "
        "Every row is checked first; if any row is bad, each problem is printed (row, column, "
        "message) and nothing is written. Figures already stored for a region and day are "
        "replaced when they differ, and the change is logged."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument(
            "--source", default="", help="Where the figures came from (default: the file name)."
        )

    def handle(self, *args, file, dry_run, source, **options):
        try:
            opened = file.open("rb")
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
        with opened:  # read row by row, twice: checked, then written
            result = counts_import(
                file=opened, filename=file.name, source=source or file.name, dry_run=dry_run
            )
        for error in result.errors:
            location = _("row %(row)d") % {"row": error.row} if error.row else _("file")
            column = f", {error.column}" if error.column else ""
            self.stderr.write(f"{file.name}: {location}{column}: {error.message}")
        if result.error_count > len(result.errors):
            self.stderr.write(
                _("… and %(count)d more problems.") % {"count": result.error_count - len(result.errors)}
            )
        if result.errors:
            raise CommandError(
                _("%(count)d problem(s) found; nothing was imported.")
                % {"count": max(result.error_count, len(result.errors))}
            )
        for column in result.unknown_columns:
            self.stdout.write(_("Ignored unknown column “%(column)s”.") % {"column": column})
        self.stdout.write(
            _("%(rows)d rows: %(created)d new figures, %(changed)d corrected, %(unchanged)d unchanged.")
            % {
                "rows": result.rows,
                "created": result.created,
                "changed": result.changed,
                "unchanged": result.unchanged,
            }
        )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
