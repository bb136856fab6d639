"""Writes of the official figures: imports (all or nothing, idempotent per region and
day, corrections logged) and area goals."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .importing import ImportFileError, RegionLookups, RowError, check_counts, read_counts
from .models import AreaGoal, CountChange, CountImport, OfficialCount
from .signals import figures_changed

CHUNK = 2_000
FIELDS = ("persons", "households", "accessed")


@dataclass
class CountImportResult:
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    first_date: str = ""
    last_date: str = ""
    unknown_columns: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def as_dict(self):
        return {
            "rows": self.rows,
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "first_date": self.first_date,
            "last_date": self.last_date,
            "unknown_columns": self.unknown_columns,
            "errors": [error.as_dict() for error in self.errors],
        }


def counts_import(
    *, content: bytes, filename: str, source: str, user=None, dry_run=False
) -> CountImportResult:
    """Check every row of a file of official figures; write it all, or nothing.

    A region and day already stored with the same figures is left alone (importing the
    same file twice changes nothing); with other figures it is replaced and the change
    logged (a correction)."""
    result = CountImportResult()
    try:
        table = read_counts(content, filename)
    except ImportFileError as error:
        result.errors.append(RowError(0, "", str(error)))
        return result
    result.rows = len(table.rows)
    result.unknown_columns = table.unknown_columns
    clean, errors = check_counts(table, RegionLookups.load(), today=timezone.localdate())
    if errors:
        result.errors = errors
        return result
    return counts_store(rows=clean, source=source, user=user, dry_run=dry_run, result=result)


def counts_store(*, rows, source: str, user=None, dry_run=False, result=None) -> CountImportResult:
    """Write checked rows (``importing.CleanCount``) in chunks, in one transaction."""
    result = result or CountImportResult(rows=len(rows))
    if rows:
        dates = sorted({row.date for row in rows})
        result.first_date, result.last_date = dates[0].isoformat(), dates[-1].isoformat()
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            existing = {
                (count.region_id, count.date): count
                for count in OfficialCount.objects.filter(
                    region_id__in={row.region_id for row in chunk}, date__in={row.date for row in chunk}
                )
            }
            create, update, changes = [], [], []
            for row in chunk:
                count = existing.get((row.region_id, row.date))
                new = {name: getattr(row, name) for name in FIELDS}
                if count is None:
                    create.append(
                        OfficialCount(
                            region_id=row.region_id, date=row.date, source=source, imported_at=now, **new
                        )
                    )
                    continue
                old = {name: getattr(count, name) for name in FIELDS}
                if old == new:
                    result.unchanged += 1
                    continue
                for name, value in new.items():
                    setattr(count, name, value)
                count.source, count.imported_at = source, now
                update.append(count)
                changes.append(
                    CountChange(count=count, source=source, changed_at=now, user=user, old=old, new=new)
                )
            result.created += len(create)
            result.changed += len(update)
            if not dry_run:
                OfficialCount.objects.bulk_create(create)
                OfficialCount.objects.bulk_update(update, [*FIELDS, "source", "imported_at"])
                CountChange.objects.bulk_create(changes)
        if not dry_run and (result.created or result.changed):
            transaction.on_commit(lambda: figures_changed.send(sender=OfficialCount))
    return result


def count_import_create(*, content: bytes, filename: str, source: str, user) -> CountImport:
    """Store an upload and check it (a dry run): the preview staff confirm."""
    result = counts_import(content=content, filename=filename, source=source, user=user, dry_run=True)
    return CountImport.objects.create(
        user=user,
        filename=filename[:255],
        content=content,
        source=source,
        status=CountImport.Status.VALID if result.ok else CountImport.Status.INVALID,
        report=result.as_dict(),
    )


def count_import_confirm(*, run: CountImport, user) -> CountImport:
    """Write a checked upload. The rows are checked again, so figures stored between the
    preview and the confirmation are compared with what is really there."""
    if run.status != CountImport.Status.VALID:
        raise ValueError("only a valid import can be confirmed")
    with transaction.atomic():
        run = CountImport.objects.select_for_update().get(pk=run.pk)
        if run.status != CountImport.Status.VALID:
            return run
        result = counts_import(
            content=bytes(run.content), filename=run.filename, source=run.source, user=user
        )
        run.report = result.as_dict()
        run.status = CountImport.Status.DONE if result.ok else CountImport.Status.INVALID
        run.finished_at = timezone.now() if result.ok else None
        run.save(update_fields=["report", "status", "finished_at"])
    return run


def area_goal_set(*, campaign, region, population=None, goal_persons=None) -> AreaGoal:
    """Set (or clear, with both empty) an area's own population or goal."""
    with transaction.atomic():
        if population is None and goal_persons is None:
            AreaGoal.objects.filter(campaign=campaign, region=region).delete()
            return None
        goal, _ = AreaGoal.objects.update_or_create(
            campaign=campaign,
            region=region,
            defaults={"population": population, "goal_persons": goal_persons},
        )
    return goal
