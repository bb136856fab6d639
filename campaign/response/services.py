"""Writes of the official figures: imports (all or nothing, idempotent per region and
day, corrections logged) and area goals.

An import streams its file and holds only one chunk of rows at a time, so its memory
does not grow with the file (a year of 7,200 districts is 2.6 million rows): the first
pass checks every row and writes nothing to the database (the checked rows go to a
temporary file, packed); the second compares each chunk of 10,000 rows with what is
stored (one query per chunk) and writes only what is new or different, in one
transaction. docs/performance.md has the numbers."""

import datetime
import io
import logging
import tempfile
import uuid
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.core import bulk_sql
from campaign.core.worker_loss import task_results_mark_lost

from .importing import (
    MAX_ERRORS,
    MAX_ROWS,
    CountChecker,
    CountFile,
    ImportFileError,
    RegionLookups,
    RowError,
    duplicate_message,
)
from .models import AreaGoal, CountChange, CountImport, OfficialCount
from .signals import figures_changed

logger = logging.getLogger(__name__)

CHUNK = 10_000
SQLITE_CACHE_MB = 256
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
    errors: list = field(default_factory=list)  # the first MAX_ERRORS
    error_count: int = 0

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
            "error_count": max(self.error_count, len(self.errors)),
        }


def counts_import(
    *, filename: str, source: str, file=None, content: bytes | None = None, user=None, dry_run=False
) -> CountImportResult:
    """Check every row of a file of official figures; write it all, or nothing.

    ``file`` is a seekable binary file, read row by row (a second time only to name the
    first row of a repeated region and day); ``content`` the same as bytes, for small
    files. A region and day already stored with the same figures is
    left alone (importing the same file twice changes nothing); with other figures it
    is replaced and the change logged (a correction)."""
    result = CountImportResult()
    if file is None:
        file = io.BytesIO(content or b"")
    try:
        counts = CountFile(file, filename)
        result.unknown_columns = counts.unknown_columns
        checker = CountChecker(counts.headers, RegionLookups.load(), today=timezone.localdate())
        if checker.header_errors:
            result.errors = checker.header_errors
            result.error_count = len(result.errors)
            return result
        with tempfile.TemporaryFile(prefix="counts-") as spool:
            _check_file(counts, checker, result, spool)
            if result.errors:
                return result
            spool.seek(0)
            return _store(_spooled(spool), source=source, user=user, dry_run=dry_run, result=result)
    except ImportFileError as error:
        return CountImportResult(errors=[RowError(0, "", str(error))], error_count=1)


def _check_file(counts, checker, result, spool):
    """The first pass: every row checked, nothing kept in memory but the problems (the
    first MAX_ERRORS of them with their text) and the range of dates. The checked rows
    go to ``spool`` as packed integers (40 bytes a row, on disk), so the writing pass
    does not parse the file again."""
    first = last = None
    packed = array("q")
    for number, cells in counts.rows():
        result.rows += 1
        if result.rows > MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)s rows. Split it into smaller files.")
                % {"limit": f"{MAX_ROWS:,}"}
            )
        row, errors = checker.check(number, cells)
        if errors:
            result.error_count += len(errors)
            if len(result.errors) < MAX_ERRORS:
                result.errors.extend(errors[: MAX_ERRORS - len(result.errors)])
            continue
        date = row[1]
        if first is None or date < first:
            first = date
        if last is None or date > last:
            last = date
        if not result.error_count:
            region_id, date, persons, households, accessed = row
            packed.extend(
                (
                    region_id,
                    date.toordinal(),
                    persons,
                    -1 if households is None else households,
                    -1 if accessed is None else accessed,
                )
            )
            if len(packed) >= _WIDTH * CHUNK:
                packed.tofile(spool)
                del packed[:]
    if not result.error_count:
        packed.tofile(spool)
    if checker.duplicates:
        first_rows = checker.first_rows(counts.rows())
        keys = {n: key for key, numbers in checker.duplicates.items() for n in numbers}
        for error in result.errors:
            if not error.message and error.row in keys:
                error.message = duplicate_message(first_rows[keys[error.row]])
    if first is not None:
        result.first_date, result.last_date = first.isoformat(), last.isoformat()


_WIDTH = 5  # region id, date ordinal, persons, households, accessed (-1: none)


def _spooled(spool):
    """The checked rows back from the spool, a chunk at a time."""
    dates = {}

    def day(ordinal):
        found = dates.get(ordinal)
        if found is None:
            found = dates[ordinal] = datetime.date.fromordinal(ordinal)
        return found

    def optional(value):
        return None if value < 0 else value

    while True:
        packed = array("q")
        try:
            packed.fromfile(spool, _WIDTH * CHUNK)
        except EOFError:  # the last, shorter chunk was read all the same
            pass
        if not packed:
            return
        yield from zip(
            packed[0::_WIDTH],
            map(day, packed[1::_WIDTH]),
            packed[2::_WIDTH],
            map(optional, packed[3::_WIDTH]),
            map(optional, packed[4::_WIDTH]),
            strict=True,
        )


def counts_store(*, rows, source: str, user=None, dry_run=False, result=None) -> CountImportResult:
    """Write checked rows (``importing.CleanCount``, any iterable) chunk by chunk, in one
    transaction: the scheduled fetch and the demo data share the import's write path."""
    result = result or CountImportResult()
    counting = result.rows == 0
    dates = []

    def tuples():
        for row in rows:
            if counting:
                result.rows += 1
            if not dates:
                dates[:] = [row.date, row.date]
            elif row.date < dates[0]:
                dates[0] = row.date
            elif row.date > dates[1]:
                dates[1] = row.date
            yield (row.region_id, row.date, row.persons, row.households, row.accessed)

    _store(tuples(), source=source, user=user, dry_run=dry_run, result=result)
    if dates:
        result.first_date, result.last_date = dates[0].isoformat(), dates[1].isoformat()
    return result


class _ChunkWriter:
    """Compares a chunk of rows with the stored figures and writes the difference.

    The stored rows come from one range query per chunk (the chunk's dates × its region
    ids, both indexed); files list a day's regions or a region's days together, so the
    range holds little more than the chunk. Inserts and updates go through the driver's
    ``executemany`` on one prepared statement: Django's ``bulk_create`` spends ten times
    as long assembling SQL (docs/performance.md). A new region and day is a plain INSERT,
    so a row that another writer stored meanwhile fails the import (all or nothing)
    instead of being overwritten without a log."""

    def __init__(self, *, source, user, dry_run, result):
        self.source, self.user, self.dry_run, self.result = source, user, dry_run, result
        self.now = timezone.now()
        ops, quote = connection.ops, connection.ops.quote_name
        self.date_param = ops.adapt_datefield_value
        self.stamp = ops.adapt_datetimefield_value(self.now)
        columns = {f.name: quote(f.column) for f in OfficialCount._meta.concrete_fields}
        table = quote(OfficialCount._meta.db_table)
        # Names from the model's metadata, quoted; every value is a parameter.
        selected = ", ".join(columns[n] for n in ("id", "region", "date", *FIELDS))
        self.select_sql = (
            f"SELECT {selected} FROM {table} "  # noqa: S608
            f"WHERE {columns['date']} BETWEEN %s AND %s AND {columns['region']} BETWEEN %s AND %s"
        )
        # Prepared once; the rows carry database values (dates adapted above).
        self.insert = bulk_sql.Insert(OfficialCount, ["region", "date", *FIELDS, "source", "imported_at"])
        self.update = bulk_sql.Update(OfficialCount, [*FIELDS, "source", "imported_at"], key="id")

    def write(self, chunk):
        result, date_param = self.result, self.date_param
        wanted = {(row[0], row[1]): row for row in chunk}
        days = [row[1] for row in chunk]
        regions = [row[0] for row in chunk]
        stored = {}
        with connection.cursor() as cursor:
            cursor.execute(
                self.select_sql,
                [date_param(min(days)), date_param(max(days)), min(regions), max(regions)],
            )
            while records := cursor.fetchmany(5_000):
                for record in records:
                    key = (record[1], record[2])
                    if key in wanted:
                        stored[key] = record
        inserts, updates, changes = [], [], []
        for key, row in wanted.items():
            old = stored.get(key)
            if old is None:
                inserts.append((row[0], date_param(row[1]), row[2], row[3], row[4], self.source, self.stamp))
            elif old[3:6] == row[2:5]:
                result.unchanged += 1
            else:
                updates.append((row[2], row[3], row[4], self.source, self.stamp, old[0]))
                changes.append(
                    CountChange(
                        count_id=old[0],
                        source=self.source,
                        changed_at=self.now,
                        user=self.user,
                        old=dict(zip(FIELDS, old[3:6], strict=True)),
                        new=dict(zip(FIELDS, row[2:5], strict=True)),
                    )
                )
        result.created += len(inserts)
        result.changed += len(updates)
        if self.dry_run:
            return
        self.insert.run(inserts, adapted=True)
        self.update.run(updates, adapted=True)
        if changes:
            CountChange.objects.bulk_create(changes)


@contextmanager
def _sqlite_page_cache(megabytes):
    """A larger SQLite page cache for the import's connection while it writes.

    A day's 7,200 districts land on 7,200 different pages of the (region, date) index;
    with SQLite's default 2 MB cache those pages are spilled to the WAL and read back
    every chunk (2.6 million rows: 84 s with 2 MB, 31 s with 256 MB on this machine,
    docs/performance.md). The cache is a bound, not a reservation, and is put back
    after; PostgreSQL keeps its own buffers."""
    if connection.vendor != "sqlite" or not megabytes:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(megabytes) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _store(rows, *, source, user, dry_run, result):
    user = user if getattr(user, "pk", None) else None
    with transaction.atomic(), _sqlite_page_cache(0 if dry_run else SQLITE_CACHE_MB):
        writer = _ChunkWriter(source=source, user=user, dry_run=dry_run, result=result)
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK:
                writer.write(chunk)
                chunk = []
        if chunk:
            writer.write(chunk)
        if not dry_run and (result.created or result.changed):
            transaction.on_commit(lambda: figures_changed.send(sender=OfficialCount))
    return result


def count_import_create(
    *, filename: str, source: str, user, file=None, content: bytes | None = None
) -> CountImport:
    """Keep an upload as a file and check it (a dry run): the preview staff confirm.

    ``file`` is the upload (Django spools large ones to a temporary file on disk); the
    copy in the storage is read row by row, by the check and by the confirmation. A file
    over ``RESPONSE_IMPORT_BACKGROUND_BYTES`` (1 MB, about 30,000 rows) is checked by the
    task worker: a year of district figures takes a minute, longer than a request may."""
    run = CountImport(
        user=user if getattr(user, "pk", None) else None,
        filename=filename[:255],
        source=source,
        status=CountImport.Status.CHECKING,
    )
    upload = File(file) if file is not None else ContentFile(content or b"")
    run.file.save(f"{uuid.uuid4().hex}.{_extension(filename)}", upload, save=False)
    run.save()
    return _count_import_dispatch(run)


def _extension(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return extension if extension in ("csv", "xlsx", "txt") else "dat"


def count_import_confirm(*, run: CountImport, user) -> CountImport:
    """Write a checked upload (in the task worker when it is large). The rows are
    checked again, so figures stored between the preview and the confirmation are
    compared with what is really there."""
    if run.status != CountImport.Status.VALID:
        raise ValueError("only a valid import can be confirmed")
    confirmed = CountImport.objects.filter(pk=run.pk, status=CountImport.Status.VALID).update(
        status=CountImport.Status.WRITING, user=user if getattr(user, "pk", None) else run.user
    )
    run.refresh_from_db()
    return _count_import_dispatch(run) if confirmed else run


def _count_import_dispatch(run: CountImport) -> CountImport:
    from .tasks import count_import_task

    limit = getattr(settings, "RESPONSE_IMPORT_BACKGROUND_BYTES", 2**20)
    if run.file.size > limit:
        CountImport.objects.filter(pk=run.pk).update(queued_at=timezone.now(), attempts=F("attempts") + 1)
        transaction.on_commit(lambda: count_import_task.enqueue(run.pk))
        run.refresh_from_db()
        return run
    return count_import_process(run_id=run.pk)


IMPORT_STALE_AFTER = datetime.timedelta(minutes=30)  # a year of district figures takes 2
IMPORT_MAX_ATTEMPTS = 3


def count_imports_recover(*, now=None, stale_after=IMPORT_STALE_AFTER) -> dict:
    """Uploads whose task worker died while checking or writing them (killed, out of
    memory, host lost) stay "being checked" or "importing" for ever: queue them again,
    or after ``IMPORT_MAX_ATTEMPTS`` lost workers mark them failed with the reason. The
    write is one transaction, so a lost worker wrote nothing and a second run is safe.
    Run every minute (``recover_count_imports`` in ``run_due``)."""
    from .tasks import count_import_task

    now = now or timezone.now()
    busy = (CountImport.Status.CHECKING, CountImport.Status.WRITING)
    stale = CountImport.objects.filter(status__in=busy, queued_at__lt=now - stale_after)
    failed = stale.filter(attempts__gte=IMPORT_MAX_ATTEMPTS).update(
        status=CountImport.Status.FAILED,
        report={
            "errors": [
                {
                    "row": 0,
                    "column": "",
                    "message": _(
                        "The task worker stopped %(count)d times on this file; nothing was imported."
                    )
                    % {"count": IMPORT_MAX_ATTEMPTS},
                }
            ]
        },
    )
    requeued = []
    for run_id in stale.filter(attempts__lt=IMPORT_MAX_ATTEMPTS).values_list("pk", flat=True):
        # Conditional, so two recoverers queue it once.
        if CountImport.objects.filter(pk=run_id, status__in=busy, queued_at__lt=now - stale_after).update(
            queued_at=now, attempts=F("attempts") + 1
        ):
            requeued.append(run_id)
            transaction.on_commit(lambda run_id=run_id: count_import_task.enqueue(run_id))
    lost = task_results_mark_lost(task=count_import_task, started_before=now - stale_after)
    if failed or requeued:
        logger.warning("count imports recovered: %d requeued, %d failed", len(requeued), failed)
    return {"requeued": len(requeued), "failed": failed, "lost_tasks": lost}


def count_import_process(*, run_id: int) -> CountImport | None:
    """Check an upload (status "being checked") or write it (status "importing"): at
    once for a small file, in the task worker for a large one. Only the run that moves
    the status on does the work, so a task delivered twice checks or writes once. An
    exception leaves the run "failed" and the figures as they were (the write is one
    transaction)."""
    run = CountImport.objects.filter(pk=run_id).first()
    if run is None or run.status not in (CountImport.Status.CHECKING, CountImport.Status.WRITING):
        return run
    write = run.status == CountImport.Status.WRITING
    try:
        with transaction.atomic():
            run = CountImport.objects.select_for_update().get(pk=run_id)
            if run.status != (CountImport.Status.WRITING if write else CountImport.Status.CHECKING):
                return run
            with run.file.open("rb") as stored:
                result = counts_import(
                    file=stored, filename=run.filename, source=run.source, user=run.user, dry_run=not write
                )
            run.report = result.as_dict()
            if not result.ok:
                run.status = CountImport.Status.INVALID
            elif write:
                run.status, run.finished_at = CountImport.Status.DONE, timezone.now()
            else:
                run.status = CountImport.Status.VALID
            run.save(update_fields=["report", "status", "finished_at"])
    except Exception as error:
        logger.exception("count import %s failed", run_id)
        CountImport.objects.filter(pk=run_id).update(
            status=CountImport.Status.FAILED,
            report={
                "errors": [{"row": 0, "column": "", "message": f"{type(error).__name__}: {error}"[:500]}]
            },
        )
        raise
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
