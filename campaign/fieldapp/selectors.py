"""What the phone shows: one team's week, in a fixed number of queries."""

import datetime
from urllib.parse import quote, urlencode

from django.db.models import Count, F, OuterRef, Prefetch, Subquery, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign.institutions.completion import completion_url
from campaign.institutions.dashboard import current_week, week_target
from campaign.institutions.models import (
    Assignment,
    Contact,
    CoordinationMeeting,
    GuidedSession,
    TeamWeekTarget,
)
from campaign.institutions.policies import policy_for, teams_of

HELD = GuidedSession.Status.HELD
OPEN = [GuidedSession.Status.PLANNED, GuidedSession.Status.RESCHEDULED]


def app_teams(user):
    return list(teams_of(user).select_related("campaign", "area").order_by("name"))


def iso(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def session_dict(session) -> dict:
    return {
        "id": session.pk,
        "client_id": str(session.client_id) if session.client_id else None,
        "team": session.team_id,
        "institution": session.institution_id,
        "institution_name": session.institution.name,
        "starts_at": iso(session.starts_at),
        "status": session.status,
        "people_guided": session.people_guided,
        "people_completed": session.people_completed,
        "follow_up_needed": session.follow_up_needed,
        "notes": session.notes,
        "photo_url": session.photo.url if session.photo else None,
        "updated_at": iso(session.updated_at),
    }


def meeting_dict(meeting) -> dict:
    return {
        "id": meeting.pk,
        "district": meeting.district_id,
        "district_name": meeting.district.name,
        "date": iso(meeting.date),
        "attendees": meeting.attendees,
        "notes": meeting.notes,
    }


def _wa(phone):
    digits = "".join(ch for ch in phone if ch in "0123456789")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return f"https://wa.me/{digits}" if digits else None


def _progress_whatsapp(phone, *, contact, institution, url):
    """wa.me click-to-chat with the staff-progress link written in (no provider: the
    member's own WhatsApp sends it)."""
    base = _wa(phone)
    if not base:
        return None
    language = contact.preferred_language if contact.preferred_language in ("id", "en") else "id"
    with translation.override(language):
        text = _(
            "Dear %(name)s, please report how many of %(institution)s's staff have completed the "
            "online census, and again whenever more have: %(url)s"
        ) % {"name": contact.name, "institution": institution.name, "url": url}
    return f"{base}?{urlencode({'text': text})}"


def _maps(institution):
    if institution.latitude is not None and institution.longitude is not None:
        lat, lon = institution.latitude, institution.longitude
        return (
            f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}",
            f"geo:{lat},{lon}",
        )
    place = ", ".join(part for part in [institution.address, institution.region.name] if part)
    return (
        "https://www.openstreetmap.org/search?" + urlencode({"query": place}),
        "geo:0,0?q=" + quote(place),
    )


def week_data(*, user, team, week=None) -> dict:
    """The team's plan for a week, its progress against the target, this week's sessions
    and Rakorcam attendance, and the districts it can attend meetings in."""
    campaign = team.campaign
    weeks = campaign.weeks()
    if week not in weeks:
        week = current_week(campaign)
    week_end = week + datetime.timedelta(days=6)
    overrides = {
        (team.pk, row.week): row.target for row in TeamWeekTarget.objects.filter(team=team, week=week)
    }
    # The contacts the contact policy lets this user see (UU 27/2022: their teams' work).
    contacts = (
        policy_for(Contact).instances_user_has_permission_for(user, "view").filter(erased_at__isnull=True)
    ).order_by("name")
    last_session = (
        GuidedSession.objects.filter(team=team, institution=OuterRef("institution_id"))
        .exclude(status__in=OPEN)
        .order_by("-starts_at")
        .values("pk")[:1]
    )
    planned_session = (
        GuidedSession.objects.filter(
            team=team, institution=OuterRef("institution_id"), week=week, status__in=OPEN
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    assignments = list(
        Assignment.objects.filter(team=team, week=week)
        .select_related("institution__region", "institution__kind")
        .prefetch_related(Prefetch("institution__contacts", queryset=contacts))
        .annotate(last_session_id=Subquery(last_session), planned_at=Subquery(planned_session))
        .order_by(F("planned_date").asc(nulls_last=True), "institution__name")
    )
    last_ids = [a.last_session_id for a in assignments if a.last_session_id]
    last_sessions = {
        s.pk: s for s in GuidedSession.objects.filter(pk__in=last_ids).select_related("institution")
    }
    sessions = list(
        GuidedSession.objects.filter(team=team, week=week)
        .select_related("institution")
        .order_by("-starts_at")
    )
    progress = GuidedSession.objects.filter(team=team, week=week, status=HELD).aggregate(
        held=Count("institution_id", distinct=True),
        guided=Sum("people_guided"),
        completed=Sum("people_completed"),
    )
    area = team.area
    districts = [area] if area.level == "district" else list(area.children.filter(level="district"))
    meetings = list(
        CoordinationMeeting.objects.filter(teams=team, date__range=(week, week_end))
        .select_related("district")
        .order_by("date")
    )

    rows = []
    for assignment in assignments:
        institution = assignment.institution
        map_url, geo_url = _maps(institution)
        progress_url = completion_url(institution_id=institution.pk)
        last = last_sessions.get(assignment.last_session_id)
        rows.append(
            {
                "institution": {
                    "id": institution.pk,
                    "name": institution.name,
                    "kind": institution.kind.name,
                    "region": institution.region.name,
                    "address": institution.address,
                    "map_url": map_url,
                    "geo_url": geo_url,
                    "progress_url": progress_url,
                    "staff": (
                        {
                            "completed": institution.staff_completed,
                            "total": institution.staff_total,
                            "percent": round(institution.completion_percent),
                        }
                        if institution.staff_total
                        else None
                    ),
                    "contacts": [
                        {
                            "name": contact.name,
                            "position": contact.position,
                            "phone": contact.phone,
                            "tel": f"tel:{contact.phone}" if contact.phone else None,
                            "whatsapp": _wa(contact.phone) if contact.phone else None,
                            "progress_whatsapp": _progress_whatsapp(
                                contact.phone, contact=contact, institution=institution, url=progress_url
                            )
                            if contact.phone
                            else None,
                        }
                        for contact in institution.contacts.all()
                    ],
                },
                "planned_date": iso(assignment.planned_date),
                "planned_at": iso(assignment.planned_at),
                "last_session": session_dict(last) if last else None,
            }
        )
    return {
        "user": {"name": user.get_full_name() or user.get_username()},
        "teams": [{"id": t.pk, "name": t.name} for t in app_teams(user)],
        "team": {"id": team.pk, "name": team.name, "phone": team.phone},
        "campaign": {"name": campaign.name, "short_name": campaign.short_name},
        "week": iso(week),
        "week_end": iso(week_end),
        "today": iso(timezone.localdate()),
        "previous_week": iso(week - datetime.timedelta(weeks=1)) if week > weeks[0] else None,
        "next_week": iso(week + datetime.timedelta(weeks=1)) if week < weeks[-1] else None,
        "progress": {
            "target": week_target(team, week, overrides),
            "planned": len(assignments),
            "held": progress["held"] or 0,
            "guided": progress["guided"] or 0,
            "completed": progress["completed"] or 0,
        },
        "assignments": rows,
        "sessions": [session_dict(s) for s in sessions],
        "districts": [{"id": d.pk, "name": d.name} for d in districts],
        "meetings": [meeting_dict(m) for m in meetings],
        "server_time": iso(timezone.now()),
    }


def sessions_of_teams(user):
    """Sessions a user may edit from the app: their own teams' (or all, for staff), by the
    session permission policy."""
    return (
        policy_for(GuidedSession)
        .instances_user_has_permission_for(user, "change")
        .select_related("institution", "team")
    )
