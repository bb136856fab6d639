"""The import of institutions and contacts (CSV or XLSX): ``importing`` reads and checks
the rows, this module plans and writes them, all or nothing, and runs large files as a
task with progress (``ImportRun``)."""

import pickle
import tempfile
import uuid
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import ModelLogEntry

from campaign.core import bulk_sql
from campaign.core.models import Region
from campaign.core.offices import area_region_ids

from .importing import CleanRow, ImportFileError, Lookups, RowChecker, RowError, RowStream, merge_errors
from .models import (
    Contact,
    ErasedIdentity,
    ImportRun,
    Institution,
    InstitutionKind,
    PersonalDataLog,
    normalise_name,
)
from .policies import policy_for
from .privacy import identity_digest, personal_data_log

# Files with more data rows than this are checked and written by a task worker.
BACKGROUND_IMPORT_ROWS = 2_000
_CHUNK = 2_000


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    contacts_created: int = 0
    contacts_updated: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self):
        return not self.errors

    def as_dict(self):
        return {
            "rows": self.rows,
            "errors": [error.as_dict() for error in self.errors],
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "contacts_created": self.contacts_created,
            "contacts_updated": self.contacts_updated,
            "unknown_columns": self.unknown_columns,
            "written": self.written,
        }


def _lookups(user=None) -> Lookups:
    """The reference data; a regency office's staff know only their area's regions (a
    row elsewhere is an unknown region to them)."""
    regions_by_code, regions_by_name = {}, {}
    regions = Region.objects.filter(
        level__in=[Region.Level.REGENCY, Region.Level.DISTRICT, Region.Level.PROVINCE, Region.Level.VILLAGE]
    )
    area = area_region_ids(user)
    if area is not None:
        regions = regions.filter(pk__in=area)
    for pk, code, name, level in regions.values_list("pk", "code", "name", "level"):
        regions_by_code[code] = (pk, level)
        if level in (Region.Level.REGENCY, Region.Level.DISTRICT):
            regions_by_name.setdefault(normalise_name(name), []).append(pk)
    return Lookups(
        kinds={normalise_name(name): pk for pk, name in InstitutionKind.objects.values_list("pk", "name")},
        regions_by_code=regions_by_code,
        regions_by_name=regions_by_name,
        erased_digests=set(ErasedIdentity.objects.values_list("digest", flat=True)),
        digest=identity_digest,
    )


def _chunks(values, size=_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


_INSTITUTION_FIELDS = [
    "external_id",
    "name",
    "name_normalised",
    "kind_id",
    "region_id",
    "address",
    "employees",
    "latitude",
    "longitude",
    "notes",
]


@dataclass
class _Plan:
    create: list
    update: list
    unchanged: int
    rows_to_institution: dict  # row number → Institution (unsaved for creates)


def _in_area(user) -> set | None:
    """The ids of the institutions a regency office's staff may change; None for all."""
    if area_region_ids(user) is None:
        return None
    return set(policy_for(Institution).in_area(user).values_list("pk", flat=True))


def _plan_institutions(clean: list[CleanRow], errors: list[RowError], user=None, *, in_area=False) -> _Plan:
    """Match rows to stored institutions (external ID first, then name + region); a
    regency office's staff cannot change an institution outside their area
    (``in_area``: what ``_in_area`` returns, computed once per import)."""
    if in_area is False:
        in_area = _in_area(user)
    area_limited = in_area is not None
    by_external, by_name = {}, {}
    external_ids = {row.external_id for row in clean if row.external_id}
    names = {row.name_normalised for row in clean}
    for chunk in _chunks(external_ids):
        for institution in Institution.objects.filter(external_id__in=chunk):
            by_external[institution.external_id] = institution
    for chunk in _chunks(names):
        for institution in Institution.objects.filter(name_normalised__in=chunk):
            by_name[(institution.name_normalised, institution.region_id)] = institution

    create, update, unchanged, mapping = [], [], 0, {}
    for row in clean:
        existing = by_external.get(row.external_id) if row.external_id else None
        if existing is not None and area_limited and existing.pk not in in_area:
            errors.append(
                RowError(
                    row.row,
                    "external_id",
                    _("This external ID belongs to an institution outside your office's area."),
                )
            )
            continue
        if existing is None:
            existing = by_name.get((row.name_normalised, row.region_id))
            if existing is not None and existing.external_id and row.external_id:
                errors.append(
                    RowError(
                        row.row,
                        "external_id",
                        _(
                            "An institution of this name in this region already has the external ID "
                            "“%(other)s”."
                        )
                        % {"other": existing.external_id},
                    )
                )
                continue
        else:
            holder = by_name.get((row.name_normalised, row.region_id))
            if holder is not None and holder.pk != existing.pk:
                errors.append(
                    RowError(row.row, "name", _("Another institution in this region already has this name."))
                )
                continue
        values = {name: getattr(row, name) for name in _INSTITUTION_FIELDS}
        if existing is None:
            institution = Institution(**values)
            create.append(institution)
            by_name[(row.name_normalised, row.region_id)] = institution
        else:
            # An empty cell never wipes what staff entered by hand.
            changed = False
            for name, value in values.items():
                if value in ("", None) and name not in ("name", "name_normalised"):
                    continue
                if getattr(existing, name) != value:
                    setattr(existing, name, value)
                    changed = True
            if changed and existing not in update:
                update.append(existing)
            elif not changed:
                unchanged += 1
            institution = existing
        mapping[row.row] = institution
    return _Plan(create=create, update=update, unchanged=unchanged, rows_to_institution=mapping)


def _plan_contacts(clean, plan, errors, *, source, lawful_basis):
    rows = [row for row in clean if row.contact and row.row in plan.rows_to_institution]
    emails = {row.contact["email"] for row in rows if row.contact["email"]}
    phones = {row.contact["phone"] for row in rows if row.contact["phone"]}
    by_email, by_phone = {}, {}
    for chunk in _chunks(emails):
        for contact in Contact.objects.filter(email__in=chunk):
            by_email[contact.email.lower()] = contact
    for chunk in _chunks(phones):
        for contact in Contact.objects.filter(phone__in=chunk):
            by_phone[contact.phone] = contact
    today = timezone.localdate()
    create, update = [], []
    for row in rows:
        data = row.contact
        institution = plan.rows_to_institution[row.row]
        existing = by_email.get(data["email"]) if data["email"] else None
        existing = existing or (by_phone.get(data["phone"]) if data["phone"] else None)
        if existing is not None and (
            existing.media_partner_id
            or (institution.pk and existing.institution_id != institution.pk)
            or institution.pk is None
        ):
            column = "contact_email" if data["email"] else "contact_phone"
            errors.append(
                RowError(
                    row.row,
                    column,
                    _(
                        "This person is already a contact of “%(organisation)s”. Merge or move them in "
                        "the admin first."
                    )
                    % {"organisation": existing.organisation},
                )
            )
            continue
        if existing is None:
            create.append(
                (
                    institution,
                    Contact(
                        name=data["name"],
                        position=data["position"],
                        email=data["email"],
                        phone=data["phone"],
                        consent_source=source,
                        lawful_basis=lawful_basis,
                        consent_date=today,
                    ),
                )
            )
            continue
        changed = False
        for name in ("name", "position", "email", "phone"):
            if data[name] and getattr(existing, name) != data[name]:
                setattr(existing, name, data[name])
                changed = True
        if changed:
            update.append(existing)
    return create, update


def institutions_import(
    *,
    content: bytes,
    filename: str,
    source: str,
    lawful_basis: str = Contact.LawfulBasis.PUBLIC_TASK,
    user=None,
    dry_run: bool = False,
    progress=None,
) -> ImportResult:
    """Check every row of a CSV/XLSX institution list; write it all, or nothing.

    Returns the errors (row, column, message) when any row is bad, and writes nothing
    then. Importing the same file twice changes nothing the second time: rows match
    stored institutions by external ID, else by normalised name within the region.

    Two passes over the file, read as a stream: the first checks every row and keeps
    the clean ones in a temporary file by chunks of ``_CHUNK``; the second, in one
    transaction, matches each chunk against the database and writes it with prepared
    statements (``campaign.core.bulk_sql``). A row the database refuses (its external
    ID outside the office's area, its contact someone else's) is reported like a bad
    cell, the chunks after it are still matched so that every such row is named, and
    the transaction is rolled back. Memory: one chunk; the keys of the duplicate checks
    wait in a temporary SQLite file until the first pass ends (``DuplicateSpill``,
    docs/performance.md, issue 20).
    """
    result = ImportResult()
    try:
        stream = RowStream(content)
    except ImportFileError as error:
        result.errors.append(RowError(0, "", str(error)))
        return result
    result.unknown_columns = stream.unknown_columns
    checker = RowChecker(stream.headers, _lookups(user))
    with tempfile.TemporaryFile() as spool, checker:
        try:
            if checker.errors:
                result.rows = stream.count()
                result.errors = checker.errors
                return result
            chunks = _check_file(stream, checker, result, spool, progress)
        except ImportFileError as error:
            return ImportResult(errors=[RowError(0, "", str(error))])
        duplicates = checker.duplicate_errors()
        if duplicates:
            result.errors = merge_errors(result.errors, duplicates)
        checker.close()
        if result.errors:
            return result
        spool.seek(0)
        with transaction.atomic():
            writer = _ImportWriter(
                user=user, filename=filename, source=source, lawful_basis=lawful_basis, result=result
            )
            for _ in range(chunks):
                # Our own temporary file, written by _check_file above.
                writer.chunk(pickle.load(spool), write=not dry_run)  # noqa: S301
            result.errors.sort(key=lambda error: error.row)
            if result.errors or dry_run:
                transaction.set_rollback(True)
                return result
            writer.finish()
            result.written = True
    return result


def _check_file(stream, checker, result, spool, progress) -> int:
    """The first pass: every row checked on its own, the clean ones pickled by chunks
    into ``spool`` while no row is bad (the duplicates among them are found after this
    pass). Returns the number of chunks."""
    chunk, chunks = [], 0
    for row_number, raw in stream.rows():
        result.rows += 1
        row, row_errors = checker.check(row_number, raw)
        if row_errors:
            result.errors.extend(row_errors)
        elif not result.errors:
            chunk.append(row)
            if len(chunk) == _CHUNK:
                pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
                chunks, chunk = chunks + 1, []
        if progress and row_number % 1000 == 0:
            progress(row_number - 1)
    if chunk and not result.errors:
        pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
        chunks += 1
    return chunks


class _ImportWriter:
    """The second pass, chunk by chunk inside the import's transaction: match, count,
    and (while no row failed) write with prepared statements."""

    def __init__(self, *, user, filename, source, lawful_basis, result):
        self.user, self.filename = user, filename
        self.source, self.lawful_basis, self.result = source, lawful_basis, result
        self.now = timezone.now()
        self.in_area = _in_area(user)
        self.contacts_written = 0
        self.moved = []  # stored institutions put in another region: their tallies recounted
        self.institution_insert = bulk_sql.Insert(Institution)
        self.institution_update = bulk_sql.Update(Institution, [*_INSTITUTION_FIELDS, "updated_at"])
        self.contact_insert = bulk_sql.Insert(Contact)
        self.contact_update = bulk_sql.Update(Contact, ["name", "position", "email", "phone", "updated_at"])
        self.log_insert = bulk_sql.Insert(
            ModelLogEntry,
            [
                "content_type",
                "label",
                "action",
                "object_id",
                "timestamp",
                "uuid",
                "user",
                "data",
                "content_changed",
                "deleted",
                "revision",
            ],
        )
        self.log_row = [
            ContentType.objects.get_for_model(Institution).pk,
            uuid.uuid4(),
            user.pk if getattr(user, "is_authenticated", False) else None,
            {"import": filename},
        ]

    def chunk(self, clean: list[CleanRow], *, write: bool):
        result = self.result
        plan = _plan_institutions(clean, result.errors, self.user, in_area=self.in_area)
        contacts_create, contacts_update = _plan_contacts(
            clean, plan, result.errors, source=self.source, lawful_basis=self.lawful_basis
        )
        result.created += len(plan.create)
        result.updated += len(plan.update)
        result.unchanged += plan.unchanged
        result.contacts_created += len(contacts_create)
        result.contacts_updated += len(contacts_update)
        if result.errors or not write:
            return
        now = self.now
        for institution in plan.create:
            institution.created_at = institution.updated_at = now
        ids = self.institution_insert.run_returning_ids(
            [self.institution_insert.values_of(institution) for institution in plan.create]
        )
        for institution, pk in zip(plan.create, ids, strict=True):
            institution.pk = pk
        if plan.update:
            stored = dict(
                Institution.objects.filter(pk__in=[i.pk for i in plan.update]).values_list("pk", "region_id")
            )
            self.moved += [i.pk for i in plan.update if stored.get(i.pk) != i.region_id]
        self.institution_update.run(
            [[*(getattr(i, name) for name in _INSTITUTION_FIELDS), now, i.pk] for i in plan.update]
        )
        for institution, contact in contacts_create:
            contact.institution_id = institution.pk
            contact.created_at = contact.updated_at = now
        self.contact_insert.run([self.contact_insert.values_of(contact) for _i, contact in contacts_create])
        self.contact_update.run([[c.name, c.position, c.email, c.phone, now, c.pk] for c in contacts_update])
        self.contacts_written += len(contacts_create) + len(contacts_update)
        content_type, batch, user_id, data = self.log_row
        self.log_insert.run(
            [
                [content_type, str(institution)[:255], action, str(institution.pk), now, batch, user_id, data]
                + [True, False, None]
                for action, institutions in (("wagtail.create", plan.create), ("wagtail.edit", plan.update))
                for institution in institutions
            ]
        )

    def finish(self):
        if self.moved:
            # Their sessions count in another regency now (the dashboard's tallies).
            from .services import session_tallies_refresh

            session_tallies_refresh(institution_ids=self.moved)
        if self.contacts_written:
            personal_data_log(
                user=self.user,
                action=PersonalDataLog.Action.IMPORT,
                model="contact",
                row_count=self.contacts_written,
                detail=self.filename,
            )


# --- Import runs (admin uploads, large files in the background) -------------------------


def import_run_create(*, content: bytes, filename: str, source: str, lawful_basis: str, user):
    """Store an upload and check it: at once when small, else in a task worker."""
    run = ImportRun.objects.create(
        user=user,
        filename=filename[:255],
        content=content,
        source=source,
        lawful_basis=lawful_basis,
    )
    _import_run_dispatch(run)
    return run


def import_run_confirm(*, run: ImportRun, user):
    """Write a checked import. The rows are checked again inside the write, so a
    change made between preview and confirmation cannot slip through."""
    if run.status != ImportRun.Status.VALID:
        raise ValueError("only a valid import can be confirmed")
    updated = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.VALID).update(
        commit=True, status=ImportRun.Status.PENDING, processed_rows=0
    )
    if updated:
        run.refresh_from_db()
        _import_run_dispatch(run)
    return run


def _import_run_dispatch(run):
    from .tasks import import_run_task

    big = run.content.count(b"\n") > BACKGROUND_IMPORT_ROWS or len(run.content) > 1024 * 1024
    if big:
        transaction.on_commit(lambda: import_run_task.enqueue(run.pk))
    else:
        import_run_process(run_id=run.pk)


def import_run_process(*, run_id: int) -> ImportRun:
    """Check (and, once confirmed, write) an import run, recording progress."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status not in (ImportRun.Status.PENDING,):
        return run
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.WRITING if run.commit else ImportRun.Status.VALIDATING
    )

    def progress(done):
        ImportRun.objects.filter(pk=run.pk).update(processed_rows=done)

    try:
        result = institutions_import(
            content=bytes(run.content),
            filename=run.filename,
            source=run.source,
            lawful_basis=run.lawful_basis,
            user=run.user,
            dry_run=not run.commit,
            progress=progress,
        )
    except Exception:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, finished_at=timezone.now())
        raise
    if result.errors:
        status = ImportRun.Status.INVALID
    elif result.written:
        status = ImportRun.Status.DONE
    else:
        status = ImportRun.Status.VALID
    fields = {
        "status": status,
        "report": result.as_dict(),
        "total_rows": result.rows,
        "processed_rows": result.rows,
        "finished_at": timezone.now(),
    }
    if status == ImportRun.Status.DONE:
        fields["content"] = b""  # the personal data now lives in the registry only
    ImportRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
    return run
