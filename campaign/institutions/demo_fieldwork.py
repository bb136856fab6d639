"""Demo field work: the six Kota Kupang teams, two weeks of visits in every status,
Rakorcam meetings. The second week plans exactly 63 institutions (3 × 10 + 3 × 11)."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from campaign.core.demo import demo_calendar
from campaign.core.models import Campaign, Region

from .completion import completion_report_record
from .models import CoordinationMeeting, GuidedSession, Institution, MeetingCommitment
from .services import assignments_create, institution_status_refresh, session_record, team_save

# The third and fourth weeks of the 2020 case (moved onto the demo calendar in load()).
WEEK_A = datetime.date(2020, 2, 24)
WEEK_B = datetime.date(2020, 3, 2)
TARGETS = [10, 10, 10, 11, 11, 11]


def _at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=timezone.get_current_timezone())


def load(*, stdout):
    campaign = Campaign.objects.filter(is_active=True).first()
    calendar = demo_calendar()
    week_a_day, week_b_day = calendar.move(WEEK_A), calendar.move(WEEK_B)
    now = timezone.now()
    kupang = Region.objects.get(code="5371")
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="tim")}
    teams = []
    for number, target in enumerate(TARGETS, start=1):
        user = users.get(f"tim{number}")
        teams.append(
            team_save(
                campaign=campaign,
                name=f"Tim {number}",
                area=kupang,
                default_weekly_target=target,
                leader=user,
                members=[user] if user else [],
                phone=f"+62813390{number:05d}",
            )
        )
    # The regency offices' own teams (campaign.core.demo.OFFICES), led by their staff.
    for code, name in (("5304", "Tim TTS"), ("5310", "Tim Sikka")):
        leader = get_user_model().objects.filter(office_member__office__code=code).first()
        team_save(
            campaign=campaign,
            name=name,
            area=Region.objects.get(code=code),
            default_weekly_target=5,
            leader=leader,
            members=[],
        )
    if GuidedSession.objects.filter(team__in=teams).exists():
        stdout.write("Field work: already loaded.")
        return

    rng = random.Random(2020)  # noqa: S311 - the same demo every time
    pool = list(Institution.objects.filter(region__code__startswith="5371").order_by("external_id"))
    rng.shuffle(pool)
    week_a, week_b = pool[:60], pool[60:123]
    plans = {week_a_day: week_a, week_b_day: week_b}
    for week, institutions in plans.items():
        start = 0
        for team in teams:
            count = 10 if week == week_a_day else team.default_weekly_target
            assignments_create(institutions=institutions[start : start + count], team=team, week=week)
            start += count

    sessions = 0
    for week, institutions in plans.items():
        for index, institution in enumerate(institutions):
            team = teams[min(index // 10, 5)] if week == week_a_day else _team_for(index, teams)
            day = week + datetime.timedelta(days=index % 5)
            status = _status(week == week_a_day, index)
            if status == GuidedSession.Status.HELD and _at(day, 9 + index % 6) > now:
                status = GuidedSession.Status.PLANNED  # not held yet on today's calendar
            guided = completed = 0
            if status == GuidedSession.Status.HELD:
                guided = min(rng.randint(8, 45), institution.employees or 45)
                completed = round(guided * rng.uniform(0.55, 0.95))
            session_record(
                institution=institution,
                team=team,
                starts_at=_at(day, 9 + index % 6),
                status=status,
                people_guided=guided,
                people_completed=completed,
                follow_up_needed=status == GuidedSession.Status.HELD and completed < guided * 0.7,
                notes="Pimpinan hadir; sebagian pegawai belum membawa KK." if index % 7 == 0 else "",
            )
            sessions += 1
            if status == GuidedSession.Status.RESCHEDULED:
                session_record(
                    institution=institution,
                    team=team,
                    starts_at=_at(day + datetime.timedelta(days=7), 10),
                    status=GuidedSession.Status.PLANNED,
                )
                sessions += 1
    institution_status_refresh(institution_ids=[i.pk for i in pool])
    reports = _completion_reports(rng, pool, now)

    for code, day, attendees, owner in [
        ("5371030", calendar.day(2020, 2, 20), 34, "Camat Oebobo"),
        ("5371020", calendar.day(2020, 2, 21), 28, "Camat Maulafa"),
        ("5371040", calendar.day(2020, 2, 27), 31, "Camat Kelapa Lima"),
        ("5303050", calendar.day(2020, 3, 3), 40, "Camat Kupang Tengah"),
    ]:
        district = (
            Region.objects.filter(code=code).first()
            or Region.objects.filter(level="district", code__startswith=code[:4]).first()
        )
        meeting, created = CoordinationMeeting.objects.get_or_create(
            campaign=campaign,
            district=district,
            date=day,
            defaults={
                "attendees": attendees,
                "notes": "Rapat koordinasi kecamatan: jadwal pendampingan kantor kelurahan.",
            },
        )
        if created:
            meeting.teams.set(teams[:2])
            meeting.save()
            MeetingCommitment.objects.create(
                meeting=meeting,
                description="Mengumpulkan daftar pegawai kelurahan yang belum mengisi",
                owner=owner,
                due_date=day + datetime.timedelta(days=7),
            )
    # The real count of 28 May 2020; on the demo calendar it is dated no later than today.
    campaign.official_online_count = 981_552
    campaign.official_count_date = min(calendar.day(2020, 5, 28), timezone.localdate())
    campaign.save(update_fields=["official_online_count", "official_count_date"])
    stdout.write(
        f"Field work: {len(teams)} teams, {sessions} sessions, 123 visits planned,"
        f" {reports} staff completion reports."
    )


def _completion_reports(rng, pool, now):
    """Most institutions guided a few days ago report their staff's progress through the
    follow-up link, some twice (the second replaces the first)."""
    guided = Institution.objects.filter(pk__in=[i.pk for i in pool], status=Institution.Status.GUIDED)
    count = 0
    for index, institution in enumerate(guided.order_by("external_id")):
        if index % 3 == 2:
            continue  # not reported (yet)
        total = institution.employees or rng.randint(20, 60)
        first = round(total * rng.uniform(0.35, 0.8))
        completion_report_record(
            institution=institution,
            staff_completed=first,
            staff_total=total,
            now=now - datetime.timedelta(days=2, hours=index % 9),
        )
        count += 1
        if index % 3 == 0:
            completion_report_record(
                institution=institution,
                staff_completed=min(total, first + rng.randint(2, 12)),
                staff_total=total,
                now=now - datetime.timedelta(hours=3 + index % 7),
            )
            count += 1
    return count


def _team_for(index, teams):
    bounds, start = [], 0
    for team in teams:
        start += team.default_weekly_target
        bounds.append((start, team))
    return next(team for bound, team in bounds if index < bound)


def _status(first_week, index):
    held, planned = GuidedSession.Status.HELD, GuidedSession.Status.PLANNED
    if first_week:
        return {
            7: GuidedSession.Status.CANCELLED,
            23: GuidedSession.Status.CANCELLED,
            41: GuidedSession.Status.RESCHEDULED,
            55: GuidedSession.Status.RESCHEDULED,
        }.get(index, held)
    if index % 9 == 4:
        return GuidedSession.Status.CANCELLED
    if index % 9 == 7:
        return GuidedSession.Status.RESCHEDULED
    return planned if index % 4 == 3 else held
