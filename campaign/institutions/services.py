"""Writes of the registry: imports, contacts, merges, erasure, and the audit trail."""

import uuid
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from campaign.core.models import Region

from .importing import CleanRow, ImportFileError, Lookups, RowError, check_rows, read_table
from .models import (
    Contact,
    ErasedIdentity,
    ImportRun,
    Institution,
    InstitutionKind,
    MediaPartner,
    PersonalDataLog,
    normalise_name,
)
from .policies import user_may_act_for_team, user_sees_all_teams  # noqa: F401  (re-exported)
from .signals import contact_erased

# Files with more data rows than this are checked and written by a task worker.
BACKGROUND_IMPORT_ROWS = 2_000
_CHUNK = 2_000

DEFAULT_KINDS = [
    ("Kantor Pemerintah", "Instansi pemerintah pusat dan daerah"),
    ("DPRD", "Dewan Perwakilan Rakyat Daerah"),
    ("BUMN", "Badan Usaha Milik Negara"),
    ("BUMD", "Badan Usaha Milik Daerah"),
    ("Lembaga Pendidikan", "Sekolah, perguruan tinggi dan lembaga pendidikan lain"),
    ("Swasta", "Perusahaan swasta"),
]


@transaction.atomic
def institution_kinds_seed() -> list[InstitutionKind]:
    """The six kinds of the founding case; existing kinds and their edits are kept."""
    kinds = []
    for order, (name, description) in enumerate(DEFAULT_KINDS):
        kind, _ = InstitutionKind.objects.get_or_create(
            name=name, defaults={"description": description, "sort_order": order}
        )
        kinds.append(kind)
    return kinds


def personal_data_log(*, user, action, model, row_count=0, detail="") -> PersonalDataLog:
    return PersonalDataLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        model=model,
        row_count=row_count,
        detail=detail[:500],
    )


@transaction.atomic
def media_partner_save(*, name: str, **fields) -> MediaPartner:
    """Create or update a media partner by its outlet name."""
    partner = MediaPartner.objects.filter(name=name).first() or MediaPartner(name=name)
    for field_name, value in fields.items():
        setattr(partner, field_name, value)
    partner.full_clean()
    partner.save()
    return partner


@transaction.atomic
def institution_save(*, institution: Institution | None = None, user=None, **fields) -> Institution:
    """Create or update one institution (the admin form; imports write in bulk)."""
    institution = institution or Institution()
    for field_name, value in fields.items():
        setattr(institution, field_name, value)
    institution.full_clean()
    is_new = institution.pk is None
    institution.save()
    log(institution, "wagtail.create" if is_new else "wagtail.edit", user=user)
    return institution


@transaction.atomic
def contact_save(*, contact: Contact | None = None, user=None, **fields) -> Contact:
    """Create or update a contact; normalises the phone to E.164 and the email to lower
    case, and records the consent date on creation."""
    from campaign.core.phones import parse_phone

    contact = contact or Contact()
    for field_name, value in fields.items():
        setattr(contact, field_name, value)
    contact.email = (contact.email or "").strip().lower()
    if contact.phone:
        normalised = parse_phone(contact.phone)
        if normalised is None:
            raise ValidationError({"phone": _("Not a valid phone number.")})
        contact.phone = normalised
    if contact.consent_date is None:
        contact.consent_date = timezone.localdate()
    contact.full_clean()
    is_new = contact.pk is None
    contact.save()
    log(contact, "wagtail.create" if is_new else "wagtail.edit", user=user)
    return contact


# --- Erasure --------------------------------------------------------------------------


def identity_digest(value: str) -> str:
    """Keyed hash of a normalised email or E.164 phone number."""
    return salted_hmac("jemputbola.erased-identity", value.strip().lower(), algorithm="sha256").hexdigest()


@transaction.atomic
def contact_erase(*, contact: Contact, user=None) -> Contact:
    """Erase a person on request: remove name, position, email and phone, keep an
    anonymised row (so counts and history stay true) and a keyed hash of the email and
    phone so a later import cannot bring them back by mistake."""
    if contact.is_erased:
        return contact
    email = contact.email
    for value in (contact.email, contact.phone):
        if value:
            ErasedIdentity.objects.get_or_create(digest=identity_digest(value))
    contact.name = _("Erased contact #%(id)d") % {"id": contact.pk}
    contact.position = ""
    contact.email = ""
    contact.phone = ""
    contact.erased_at = timezone.now()
    contact.opted_out_at = contact.opted_out_at or contact.erased_at
    contact.save()
    # The audit trail keeps the action, not the person: earlier log labels held the name.
    content_type = ContentType.objects.get_for_model(Contact)
    ModelLogEntry.objects.filter(content_type=content_type, object_id=str(contact.pk)).update(
        label=contact.name, data={}
    )
    log(contact, "jemputbola.erase", user=user)
    contact_erased.send(sender=Contact, contact=contact, email=email)
    personal_data_log(
        user=user,
        action=PersonalDataLog.Action.ERASE,
        model="contact",
        row_count=1,
        detail=f"contact #{contact.pk}",
    )
    return contact


# --- Duplicates and merging -----------------------------------------------------------


@transaction.atomic
def contacts_merge(*, keep: Contact, others: list[Contact], user=None) -> Contact:
    """Fold duplicate contacts into ``keep``: blank fields are filled from the others,
    an opt-out anywhere stays an opt-out, and the others are deleted."""
    others = [other for other in others if other.pk != keep.pk]
    if not others:
        return keep
    for other in others:
        for name in ("position", "email", "phone"):
            if not getattr(keep, name) and getattr(other, name):
                setattr(keep, name, getattr(other, name))
        if other.opted_out_at and not keep.opted_out_at:
            keep.opted_out_at = other.opted_out_at
        if other.consent_date < keep.consent_date:
            keep.consent_date = other.consent_date
            keep.consent_source = other.consent_source
            keep.lawful_basis = other.lawful_basis
    ids = [other.pk for other in others]
    Contact.objects.filter(pk__in=ids).delete()
    keep.full_clean()
    keep.save()
    log(keep, "jemputbola.merge", user=user, data={"merged": ids})
    personal_data_log(
        user=user,
        action=PersonalDataLog.Action.MERGE,
        model="contact",
        row_count=len(ids) + 1,
        detail=f"kept #{keep.pk}, merged {ids}",
    )
    return keep


# --- Import ---------------------------------------------------------------------------


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


def _lookups() -> Lookups:
    regions_by_code, regions_by_name = {}, {}
    for pk, code, name, level in Region.objects.filter(
        level__in=[Region.Level.REGENCY, Region.Level.DISTRICT, Region.Level.PROVINCE, Region.Level.VILLAGE]
    ).values_list("pk", "code", "name", "level"):
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


def _plan_institutions(clean: list[CleanRow], errors: list[RowError]) -> _Plan:
    """Match rows to stored institutions (external ID first, then name + region)."""
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
    """
    result = ImportResult()
    try:
        table = read_table(content, filename)
    except ImportFileError as error:
        result.errors.append(RowError(0, "", str(error)))
        return result
    result.rows = len(table.rows)
    result.unknown_columns = table.unknown_columns
    clean, errors = check_rows(table, _lookups(), progress=progress)
    result.errors = errors
    if errors:
        return result

    with transaction.atomic():
        plan = _plan_institutions(clean, result.errors)
        contacts_create, contacts_update = _plan_contacts(
            clean, plan, result.errors, source=source, lawful_basis=lawful_basis
        )
        result.errors.sort(key=lambda error: error.row)
        result.created, result.updated, result.unchanged = (
            len(plan.create),
            len(plan.update),
            plan.unchanged,
        )
        result.contacts_created, result.contacts_updated = len(contacts_create), len(contacts_update)
        if result.errors or dry_run:
            return result

        now = timezone.now()
        for institution in plan.create:
            institution.created_at = institution.updated_at = now
        Institution.objects.bulk_create(plan.create, batch_size=1000)
        for institution in plan.update:
            institution.updated_at = now
        Institution.objects.bulk_update(plan.update, [*_INSTITUTION_FIELDS, "updated_at"], batch_size=1000)
        new_contacts = []
        for institution, contact in contacts_create:
            contact.institution_id = institution.pk
            contact.created_at = contact.updated_at = now
            new_contacts.append(contact)
        Contact.objects.bulk_create(new_contacts, batch_size=1000)
        for contact in contacts_update:
            contact.updated_at = now
        Contact.objects.bulk_update(
            contacts_update, ["name", "position", "email", "phone", "updated_at"], batch_size=1000
        )
        _log_import(plan, user=user, filename=filename, timestamp=now)
        if new_contacts or contacts_update:
            personal_data_log(
                user=user,
                action=PersonalDataLog.Action.IMPORT,
                model="contact",
                row_count=len(new_contacts) + len(contacts_update),
                detail=filename,
            )
        result.written = True
    return result


def _log_import(plan, *, user, filename, timestamp):
    """One Wagtail log entry per created or changed institution, written in bulk."""
    content_type = ContentType.objects.get_for_model(Institution)
    batch = uuid.uuid4()
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    entries = [
        ModelLogEntry(
            content_type=content_type,
            label=str(institution)[:255],
            action=action,
            object_id=str(institution.pk),
            timestamp=timestamp,
            uuid=batch,
            user_id=user_id,
            data={"import": filename},
            content_changed=True,
        )
        for action, institutions in (("wagtail.create", plan.create), ("wagtail.edit", plan.update))
        for institution in institutions
    ]
    ModelLogEntry.objects.bulk_create(entries, batch_size=1000)


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


@transaction.atomic
def institutions_set_status(*, institutions, status, user=None) -> int:
    ids = [institution.pk for institution in institutions]
    changed = list(Institution.objects.filter(pk__in=ids).exclude(status=status))
    for institution in changed:
        institution.status = status
        institution.save(update_fields=["status", "updated_at"])
        log(institution, "wagtail.edit", user=user, data={"status": status})
    return len(changed)


# --- Field work: plans, sessions, institution status ------------------------------------


class NotYourTeam(PermissionError):
    """A field team member tried to act for a team they are not in."""


def team_check(*, user, team) -> None:
    """Refuse (``NotYourTeam``) work recorded by ``user`` for a team not theirs; the team
    rule itself is the permission policies' (``policies.user_may_act_for_team``)."""
    if user is not None and not user_may_act_for_team(user, team):
        raise NotYourTeam(_("You can only record work for your own team."))


def _stored_team_check(*, model, pk, user) -> None:
    """The team rule on a row being changed: its stored team, not the one the caller
    may already have put on the instance, must be the user's."""
    from .models import Team

    if user is None or pk is None or user_sees_all_teams(user):
        return
    team_id = model._default_manager.filter(pk=pk).values_list("team_id", flat=True).first()
    if team_id is not None:
        team_check(user=user, team=Team.objects.get(pk=team_id))


def _assignment_week_check(*, team, week) -> None:
    """A plan's week is a Monday within its team's campaign."""
    from .models import week_start

    if week is None or team is None:
        return
    if week_start(week) != week:
        raise ValidationError({"week": _("A campaign week starts on a Monday.")})
    if week not in team.campaign.weeks():
        raise ValidationError({"week": _("The week is outside the campaign's online phase.")})


@transaction.atomic
def assignment_save(*, assignment=None, user=None, **fields):
    """Create or change one visit plan (the admin form); the same week and team rules
    as ``assignments_create``."""
    from .models import Assignment

    assignment = assignment or Assignment()
    _stored_team_check(model=Assignment, pk=assignment.pk, user=user)
    for name, value in fields.items():
        setattr(assignment, name, value)
    team = assignment.team if assignment.team_id else None
    _assignment_week_check(team=team, week=assignment.week)
    if team is not None:
        team_check(user=user, team=team)
    if assignment.created_by_id is None and getattr(user, "is_authenticated", False):
        assignment.created_by = user
    assignment.full_clean()
    is_new = assignment.pk is None
    assignment.save()
    log(assignment, "wagtail.create" if is_new else "wagtail.edit", user=user)
    return assignment


@transaction.atomic
def assignments_create(*, institutions, team, week, planned_date=None, user=None, from_proposal=()):
    """Plan institutions for a team's week; those already planned that week are skipped.
    ``from_proposal``: ids of the institutions that came from the weekly proposal
    (``campaign.response.planning``), recorded on their assignment.

    Returns (created, skipped) lists of institutions.
    """
    from_proposal = set(from_proposal)
    from .models import Assignment

    _assignment_week_check(team=team, week=week)
    team_check(user=user, team=team)
    ids = [institution.pk for institution in institutions]
    taken = set(
        Assignment.objects.filter(week=week, institution_id__in=ids).values_list("institution_id", flat=True)
    )
    created, skipped = [], []
    rows = []
    for institution in institutions:
        if institution.pk in taken:
            skipped.append(institution)
            continue
        assignment = Assignment(
            institution=institution,
            team=team,
            week=week,
            planned_date=planned_date,
            created_by=user,
            from_proposal=institution.pk in from_proposal,
        )
        assignment.full_clean(validate_constraints=False)
        rows.append(assignment)
        created.append(institution)
    Assignment.objects.bulk_create(rows)
    return created, skipped


@transaction.atomic
def session_check_in_campaign(*, team, starts_at) -> None:
    """A session belongs to its team's campaign: its day (WITA) lies between the start of
    the online phase and its effective end (extensions included). Otherwise it would
    count in the totals but in no campaign week."""
    if team is None or starts_at is None:
        return
    campaign = team.campaign
    day = timezone.localtime(starts_at).date()
    start, end = campaign.online_start, campaign.effective_end
    if not start <= day <= end:
        raise ValidationError(
            {
                "starts_at": ValidationError(
                    _("The date is outside the campaign period (%(start)s – %(end)s).")
                    % {
                        "start": formats.date_format(start, "j F Y"),
                        "end": formats.date_format(end, "j F Y"),
                    },
                    code="outside_campaign",
                )
            }
        )


def session_record(*, session=None, user=None, **fields):
    """Create or update a guided session and bring the institution's status in line.

    A field team member may only record (or move a session to) their own team.
    """
    from .models import GuidedSession

    session = session or GuidedSession()
    _stored_team_check(model=GuidedSession, pk=session.pk, user=user)
    for name, value in fields.items():
        setattr(session, name, value)
    team_check(user=user, team=session.team)
    if session.pk is None or {"starts_at", "team", "team_id"} & fields.keys():
        session_check_in_campaign(team=session.team, starts_at=session.starts_at)
    if session.recorded_by_id is None and getattr(user, "is_authenticated", False):
        session.recorded_by = user
    session.full_clean()
    is_new = session.pk is None
    session.save()
    log(session, "wagtail.create" if is_new else "wagtail.edit", user=user)
    institution_status_refresh(institution_ids=[session.institution_id])
    return session


@transaction.atomic
def coordination_meeting_save(*, meeting=None, teams=None, user=None, **fields):
    """Create or change a Rakorcam record. A team may be named present only by someone
    who may act for it (the team rule); teams already on the record stay, so a member
    editing a meeting shared with another team keeps that team."""
    from .models import CoordinationMeeting

    meeting = meeting or CoordinationMeeting()
    stored = set()
    if meeting.pk is not None:
        stored = set(
            CoordinationMeeting.teams.through.objects.filter(coordinationmeeting_id=meeting.pk).values_list(
                "team_id", flat=True
            )
        )
    for name, value in fields.items():
        setattr(meeting, name, value)
    if teams is not None:
        meeting.teams.set(teams)
    for team in meeting.teams.all():
        if team.pk not in stored:
            team_check(user=user, team=team)
    meeting.full_clean()
    is_new = meeting.pk is None
    meeting.save()
    log(meeting, "wagtail.create" if is_new else "wagtail.edit", user=user)
    return meeting


def institutions_mark_invited(*, institution_ids) -> int:
    """An invitation went out: institutions nobody had contacted become "invited".

    One UPDATE, never a downgrade (a planned or guided institution keeps its status).
    Returns how many changed."""
    return Institution.objects.filter(
        pk__in=set(institution_ids), status=Institution.Status.NOT_CONTACTED
    ).update(status=Institution.Status.INVITED)


def institution_status_refresh(*, institution_ids) -> int:
    """Derive institutions' campaign status from their sessions.

    A held session means "guided"; a planned or rescheduled one "session planned"; when
    every session is cancelled (or deleted) the institution is "invited". A completion
    reported by the institution is never downgraded. Returns how many changed.
    """
    from .models import GuidedSession

    Status = Institution.Status
    held, planned, any_session = set(), set(), set()
    for institution_id, status in (
        GuidedSession.objects.filter(institution_id__in=institution_ids)
        .values_list("institution_id", "status")
        .distinct()
    ):
        any_session.add(institution_id)
        if status == GuidedSession.Status.HELD:
            held.add(institution_id)
        elif status in (GuidedSession.Status.PLANNED, GuidedSession.Status.RESCHEDULED):
            planned.add(institution_id)
    changed = []
    for institution in Institution.objects.filter(pk__in=institution_ids).only("pk", "status"):
        current = institution.status
        if current == Status.COMPLETED_REPORTED:
            continue
        if institution.pk in held:
            new = Status.GUIDED
        elif institution.pk in planned:
            new = Status.SESSION_PLANNED
        elif institution.pk in any_session or current in (Status.SESSION_PLANNED, Status.GUIDED):
            # Only cancelled sessions (or none left): they were contacted, nothing more.
            new = Status.INVITED
        else:
            new = current
        if new != current:
            institution.status = new
            changed.append(institution)
    Institution.objects.bulk_update(changed, ["status"], batch_size=1000)
    return len(changed)


@transaction.atomic
def team_save(*, campaign, name, members=(), week_targets=(), **fields):
    """Create or update a team by name within a campaign; ``week_targets`` holds
    (Monday, target) overrides and replaces the stored ones."""
    from .models import Team, TeamWeekTarget

    team = Team.objects.filter(campaign=campaign, name=name).first() or Team(campaign=campaign, name=name)
    for field_name, value in fields.items():
        setattr(team, field_name, value)
    team.full_clean()
    team.save()
    team.members.set(members)
    team.save()
    TeamWeekTarget.objects.filter(team=team).delete()
    for week, target in week_targets:
        override = TeamWeekTarget(team=team, week=week, target=target)
        override.full_clean()
        override.save()
    return team
