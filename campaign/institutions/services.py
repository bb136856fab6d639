"""Writes of the registry (institutions, contacts, merges, erasure) and of the field work
(visit plans, sessions, Rakorcam, teams, the institutions' status). The import has its
own module, ``imports``."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from campaign.core.services import validated_save

from .imports import (  # noqa: F401  (re-exported: callers keep importing them from here)
    BACKGROUND_IMPORT_ROWS,
    ImportResult,
    import_run_confirm,
    import_run_create,
    import_run_process,
    institutions_import,
)
from .models import (
    Contact,
    ErasedIdentity,
    Institution,
    InstitutionKind,
    MediaPartner,
    PersonalDataLog,
)
from .policies import user_may_act_for_team, user_sees_all_teams  # noqa: F401  (re-exported)
from .privacy import identity_digest, personal_data_log  # noqa: F401  (re-exported)
from .signals import contact_erased

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
    stored_region = (
        Institution.objects.filter(pk=institution.pk).values_list("region_id", flat=True).first()
        if institution.pk
        else None
    )
    for field_name, value in fields.items():
        setattr(institution, field_name, value)
    validated_save(institution, user=user)
    if stored_region is not None and stored_region != institution.region_id:
        # Its sessions now count in another regency's tallies.
        session_tallies_refresh(institution_ids=[institution.pk])
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
    contact.preferred_channel = contact.preferred_channel or Contact.PreferredChannel.EMAIL
    opt_in_changed = _whatsapp_opt_in_check(contact, user=user)
    contact = validated_save(contact, user=user)
    if opt_in_changed:
        personal_data_log(
            user=user,
            action=PersonalDataLog.Action.OPT_IN,
            model="contact",
            row_count=1,
            detail=(
                f"contact #{contact.pk}: WhatsApp opt-in "
                + (
                    f"given {timezone.localtime(contact.whatsapp_opt_in_at):%Y-%m-%d %H:%M} WITA"
                    f" ({contact.whatsapp_opt_in_source})"
                    if contact.whatsapp_opt_in_at
                    else "withdrawn"
                )
            ),
        )
    return contact


def _whatsapp_opt_in_check(contact: Contact, *, user) -> bool:
    """Whether the WhatsApp opt-in changed (then it is logged, with who recorded it). An
    opt-in needs a phone and says how it was given, as Meta's policy asks."""
    stored = (
        Contact.objects.filter(pk=contact.pk)
        .values_list("whatsapp_opt_in_at", "whatsapp_opt_in_source")
        .first()
        if contact.pk
        else None
    ) or (None, "")
    if contact.whatsapp_opt_in_at is None:
        contact.whatsapp_opt_in_source = ""
        contact.whatsapp_opt_in_by = None
    else:
        errors = {}
        if not contact.phone:
            errors["whatsapp_opt_in_at"] = _("A WhatsApp opt-in needs a phone number.")
        if not contact.whatsapp_opt_in_source.strip():
            errors["whatsapp_opt_in_source"] = _("Say how the contact gave the opt-in.")
        if errors:
            raise ValidationError(errors)
    changed = (contact.whatsapp_opt_in_at, contact.whatsapp_opt_in_source) != tuple(stored)
    if changed and contact.whatsapp_opt_in_at is not None:
        contact.whatsapp_opt_in_by = user if getattr(user, "is_authenticated", False) else None
    return changed


# --- Erasure --------------------------------------------------------------------------


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
    contact.whatsapp_opt_in_at = None
    contact.whatsapp_opt_in_source = ""
    contact.whatsapp_opt_in_by = None
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
    return validated_save(assignment, user=user)


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
    # The week and campaign it leaves (a session moved to another day or team).
    stored = (
        None
        if is_new
        else GuidedSession.objects.filter(pk=session.pk).values_list("team__campaign_id", "week").first()
    )
    with transaction.atomic():
        session.save()
        log(session, "wagtail.create" if is_new else "wagtail.edit", user=user)
        institution_status_refresh(institution_ids=[session.institution_id])
        places = {(session.team.campaign_id, session.week)}
        if stored is not None:
            places.add(stored)
        session_tallies_refresh(places=places)
    return session


def session_tallies_refresh(*, places=None, campaign_ids=None, institution_ids=None) -> int:
    """Recount the session tallies (``SessionWeekTally`` by week and regency,
    ``SessionTeamTally`` by week, team and regency) from the sessions: ``places`` =
    (campaign id, week) pairs a write touched, or the weeks in which
    ``institution_ids`` have sessions (an institution moved to another region), or
    every week of ``campaign_ids`` (bulk loads), or without any every week of every
    campaign (deletions that cascade). A week is recounted whole, in every regency and
    team. Returns the rows written.

    The campaigns' rows are locked before the sessions are counted, so two sessions
    recorded at once in one campaign are both counted (the second waits, then counts
    after the first committed)."""
    from campaign.core.models import Campaign

    from .models import GuidedSession, SessionTeamTally, SessionWeekTally, Team

    with transaction.atomic():
        weeks_of = None  # campaign id → weeks to recount (None: all of them)
        if institution_ids is not None:
            places = set()
            ids = list(institution_ids)
            for start in range(0, len(ids), 5_000):
                places |= set(
                    GuidedSession.objects.filter(institution_id__in=ids[start : start + 5_000])
                    .values_list("team__campaign_id", "week")
                    .distinct()
                )
        if places is not None:
            weeks_of = {}
            for campaign_id, week in places:
                if campaign_id and week:
                    weeks_of.setdefault(campaign_id, set()).add(week)
            campaign_ids = set(weeks_of)
        elif campaign_ids is None:
            campaign_ids = set(Team.objects.values_list("campaign_id", flat=True)) | set(
                SessionWeekTally.objects.values_list("campaign_id", flat=True)
            )
        campaign_ids = sorted(campaign_ids)
        if not campaign_ids:
            return 0
        # Locked in id order (no deadlock between two writers of several campaigns).
        list(Campaign.objects.select_for_update().filter(pk__in=campaign_ids).order_by("pk").values("pk"))
        written = 0
        for campaign_id in campaign_ids:
            weeks = None if weeks_of is None else sorted(weeks_of[campaign_id])
            week_rows, team_rows = session_tallies_count(campaign_id=campaign_id, weeks=weeks)
            stale_weeks = SessionWeekTally.objects.filter(campaign_id=campaign_id)
            stale_teams = SessionTeamTally.objects.filter(campaign_id=campaign_id)
            if weeks is not None:
                stale_weeks, stale_teams = (
                    stale_weeks.filter(week__in=weeks),
                    stale_teams.filter(week__in=weeks),
                )
            stale_weeks.delete()
            stale_teams.delete()
            SessionWeekTally.objects.bulk_create(week_rows, batch_size=1000)
            SessionTeamTally.objects.bulk_create(team_rows, batch_size=1000)
            written += len(week_rows) + len(team_rows)
    return written


def session_tallies_count(*, campaign_id, weeks=None):
    """The tally rows of a campaign's sessions (of ``weeks``, or all), unsaved:
    (``SessionWeekTally`` rows, ``SessionTeamTally`` rows). Three grouped reads of the
    sessions with their institution's regency."""
    from django.db.models import Count, Sum
    from django.db.models.functions import Substr

    from .models import GuidedSession, SessionTeamTally, SessionWeekTally, Team

    Status = GuidedSession.Status
    sessions = GuidedSession.objects.filter(
        team_id__in=Team.objects.filter(campaign_id=campaign_id).values("pk")
    ).annotate(regency=Substr("institution__region__code", 1, 4))
    if weeks is not None:
        sessions = sessions.filter(week__in=weeks)
    held = sessions.filter(status=Status.HELD)
    sums = {
        "n": Count("pk"),
        "institutions": Count("institution_id", distinct=True),
        "guided": Sum("people_guided"),
        "completed": Sum("people_completed"),
    }
    by_regency = {}
    for row in held.values("week", "regency").annotate(**sums).order_by():
        by_regency[(row["week"], row["regency"])] = SessionWeekTally(
            campaign_id=campaign_id,
            week=row["week"],
            regency=row["regency"],
            held_sessions=row["n"],
            institutions_held=row["institutions"],
            people_guided=row["guided"] or 0,
            people_completed=row["completed"] or 0,
        )
    open_statuses = [Status.PLANNED, Status.RESCHEDULED]
    for row in (
        sessions.filter(status__in=open_statuses).values("week", "regency").annotate(n=Count("pk")).order_by()
    ):
        key = (row["week"], row["regency"])
        if key not in by_regency:
            by_regency[key] = SessionWeekTally(
                campaign_id=campaign_id, week=row["week"], regency=row["regency"]
            )
        by_regency[key].open_sessions = row["n"]
    teams = [
        SessionTeamTally(
            campaign_id=campaign_id,
            week=row["week"],
            team_id=row["team_id"],
            regency=row["regency"],
            held_sessions=row["n"],
            institutions_held=row["institutions"],
            people_guided=row["guided"] or 0,
            people_completed=row["completed"] or 0,
        )
        for row in held.values("week", "team_id", "regency").annotate(**sums).order_by()
    ]
    return list(by_regency.values()), teams


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
    return validated_save(meeting, user=user)


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


# --- Purposes confirmed for a campaign (UU 27/2022) -------------------------------------


def contact_purpose_default(campaign) -> str:
    return f"Sosialisasi dan pendampingan {campaign.name}"[:200]


@transaction.atomic
def contact_purposes_confirm(
    *, contacts, campaign, purpose: str = "", lawful_basis: str = "", method=None, user=None
) -> int:
    """Record that ``contacts``' purpose and lawful basis hold for ``campaign`` (one row per
    contact and campaign: confirming again changes nothing). Erased and opted-out contacts
    are left out. Logged once in the personal data log. Returns how many were confirmed."""
    from .models import ContactPurpose

    purpose = (purpose or contact_purpose_default(campaign)).strip()[:200]
    lawful_basis = lawful_basis or Contact.LawfulBasis.PUBLIC_TASK
    if lawful_basis not in Contact.LawfulBasis.values:
        raise ValidationError({"lawful_basis": _("Not a lawful basis.")})
    ids = contacts.values("pk") if hasattr(contacts, "values") else [c.pk for c in contacts]
    candidates = Contact.objects.filter(
        pk__in=ids, erased_at__isnull=True, opted_out_at__isnull=True
    ).exclude(pk__in=ContactPurpose.objects.filter(campaign=campaign).values("contact_id"))
    # One INSERT … SELECT: confirming 100,000 contacts never builds them in Python.
    select_sql, select_params = candidates.order_by().values("pk").query.sql_with_params()
    ops = connection.ops
    table = ops.quote_name(ContactPurpose._meta.db_table)
    columns = ", ".join(
        ops.quote_name(ContactPurpose._meta.get_field(name).column)
        for name in (
            "contact",
            "campaign",
            "purpose",
            "lawful_basis",
            "method",
            "confirmed_at",
            "confirmed_by",
        )
    )
    confirmed_by = user.pk if getattr(user, "is_authenticated", False) else None
    values = [
        campaign.pk,
        purpose,
        lawful_basis,
        method or ContactPurpose.Method.STAFF,
        ops.adapt_datetimefield_value(timezone.now()),
        confirmed_by,
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names quoted, values bound
            f"SELECT candidate.pk, %s, %s, %s, %s, %s, %s FROM ({select_sql}) candidate "
            # A confirmation racing this one: the other row stands (WHERE: SQLite's parser).
            "WHERE 1 = 1 ON CONFLICT DO NOTHING",
            [*values, *select_params],
        )
        rows = max(cursor.rowcount, 0)
    if rows:
        personal_data_log(
            user=user,
            action=PersonalDataLog.Action.CONFIRM,
            model="institutions.contact",
            row_count=rows,
            detail=f"campaign {campaign.pk} ({campaign}): {purpose} [{lawful_basis}]",
        )
    return rows
