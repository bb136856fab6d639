"""Writes of the field app: idempotent uploads, conflict-checked edits, Rakorcam
attendance and signing a user out of every device.

Sessions are written through ``campaign.institutions.services.session_record``, so the
team check, validation, audit log and institution status are the same as in the admin
and the dashboard sees every recording at once.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.institutions.models import Assignment, CoordinationMeeting, GuidedSession, Team
from campaign.institutions.services import NotYourTeam, session_record, team_check

from .payloads import photo_digest

EDITABLE_FIELDS = ["starts_at", "status", "people_guided", "people_completed", "follow_up_needed", "notes"]


# ``team_check`` (the rule of ``session_record``) is applied before anything is read or
# compared; it is the institutions' one team rule, imported above.


def _check_in_plan(team, institution_id):
    """A team records only institutions it was given (in any week) or already visited."""
    planned = Assignment.objects.filter(team=team, institution_id=institution_id).exists()
    if not planned and not GuidedSession.objects.filter(team=team, institution_id=institution_id).exists():
        raise NotYourTeam(_("This institution is not in your team's plan."))


@dataclass
class Upload:
    session: GuidedSession
    created: bool


def session_upload(*, user, client_id: uuid.UUID, team: Team, institution_id: int, **fields) -> Upload:
    """Record a session sent by the app, exactly once per ``client_id``.

    A retried upload (same client_id) returns the stored session and changes nothing.
    A held session for an institution that the team had a planned session for in the
    same week completes that planned session instead of adding a second one.
    """
    existing = GuidedSession.objects.select_related("team").filter(client_id=client_id).first()
    if existing is not None:
        team_check(user=user, team=existing.team)
        return Upload(existing, False)
    team_check(user=user, team=team)
    _check_in_plan(team, institution_id)

    planned = None
    starts_at = fields.get("starts_at")
    if fields.get("status") == GuidedSession.Status.HELD and starts_at is not None:
        planned = (
            GuidedSession.objects.filter(
                team=team,
                institution_id=institution_id,
                week=GuidedSession.week_of(starts_at),
                client_id__isnull=True,
                status__in=[GuidedSession.Status.PLANNED, GuidedSession.Status.RESCHEDULED],
            )
            .order_by("starts_at")
            .first()
        )
    try:
        session = session_record(
            session=planned,
            user=user,
            team=team,
            institution_id=institution_id,
            client_id=client_id,
            **fields,
        )
    except (IntegrityError, ValidationError) as error:
        # Two copies of one upload raced: the other one won, so this one is a retry.
        existing = GuidedSession.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        if isinstance(error, ValidationError) and "client_id" not in getattr(error, "error_dict", {}):
            raise
        return Upload(existing, False)
    return Upload(session, True)


class EditConflict(Exception):
    """The session changed on the server after the phone last saw it."""

    def __init__(self, session):
        super().__init__("conflict")
        self.session = session


def _same_as_stored(session, changes) -> bool:
    for name, value in changes.items():
        if name == "photo":
            if not session.photo or photo_digest(value.read()) not in session.photo.name:
                value.seek(0)
                return False
            value.seek(0)
        elif getattr(session, name) != value:
            return False
    return True


def session_edit(*, user, session: GuidedSession, base_updated_at: datetime.datetime, **changes):
    """Change a session the phone showed as it was at ``base_updated_at``.

    The conflict rule: the server's version wins. If the session was saved since the
    phone's copy (``updated_at`` differs) and the stored values are not already the ones
    sent, nothing is written and EditConflict carries the server's version, so that the
    phone can show both and let the person re-send theirs on top of it. A retried edit
    that already went through is recognised (same values) and accepted.
    """
    team_check(user=user, team=session.team)
    with transaction.atomic():
        current = GuidedSession.objects.select_for_update().get(pk=session.pk)
        if current.updated_at != base_updated_at:
            if _same_as_stored(current, changes):
                return current
            raise EditConflict(current)
        return session_record(session=current, user=user, **changes)


@transaction.atomic
def meeting_attend(
    *, user, team: Team, district_id: int, date: datetime.date, attendees=0, notes="", client_id=None
) -> CoordinationMeeting:
    """Record that a team attended a Rakorcam (one meeting per district and day).

    Naturally idempotent: the meeting is found by district and date, the team is added
    once, the attendance keeps the largest count reported and notes are not repeated.
    """
    team_check(user=user, team=team)
    area = team.area
    allowed = {area.pk} | set(area.children.filter(level="district").values_list("pk", flat=True))
    if district_id not in allowed:
        raise ValidationError({"district": _("This district is outside your team's area.")})
    if date not in _campaign_days(team.campaign):
        raise ValidationError({"date": _("The date is outside the campaign.")})
    meeting, created = CoordinationMeeting.objects.get_or_create(
        campaign=team.campaign,
        district_id=district_id,
        date=date,
        defaults={"attendees": attendees, "notes": notes},
    )
    if not created:
        meeting.attendees = max(meeting.attendees, attendees)
        if notes and notes not in meeting.notes:
            meeting.notes = f"{meeting.notes}\n{notes}".strip()
    # A parental many-to-many is written when the meeting is saved.
    meeting.teams.add(team)
    meeting.full_clean()
    meeting.save()
    return meeting


def _campaign_days(campaign):
    weeks = campaign.weeks()
    last = weeks[-1] + datetime.timedelta(days=6)
    return _DayRange(weeks[0], last)


@dataclass
class _DayRange:
    first: datetime.date
    last: datetime.date

    def __contains__(self, day):
        return self.first <= day <= self.last


def user_sessions_end(*, user) -> int:
    """Sign a user out on every device: delete each live database session that holds
    their id. Returns how many were ended. (The phone keeps queued recordings; they are
    sent after the person signs in again.)"""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)
