"""Read queries of the materials app that views, tasks and the dashboard reuse."""

import datetime

from django.db.models import Count, F, Func, Max, Prefetch, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision, Site

from campaign.core.ids import MAX_ID
from campaign.core.models import Campaign, CampaignSettings

from .models import GuidePage, MediaItem, PressFactSheet, PressReleasePage, Scan

PRESS_ROOM_RELEASES = 20
# Download sizes of the media library: (key, Wagtail filter spec or None for the original).
MEDIA_SIZES = (("web", "max-1200x1200"), ("print", "max-2400x2400"), ("original", None))
MEDIA_SIZE_LABELS = {"web": _("web"), "print": _("print"), "original": _("original")}

# --- Campaign defaults --------------------------------------------------------------------


def _scan_window(*, since: datetime.date, week: datetime.date):
    """The scans since the day ``since`` and the bounds of the week ``week`` (WITA days)."""
    tz = timezone.get_current_timezone()
    week_from = datetime.datetime.combine(week, datetime.time.min, tzinfo=tz)
    since_from = datetime.datetime.combine(since, datetime.time.min, tzinfo=tz)
    in_week = Q(scanned_at__gte=week_from, scanned_at__lt=week_from + datetime.timedelta(days=7))
    return Scan.objects.filter(scanned_at__gte=since_from).order_by(), in_week


def qr_scans(*, since: datetime.date, week: datetime.date) -> dict:
    """QR codes scanned on printed guides and posters: in the campaign week starting
    ``week`` and since the day ``since`` (local WITA days), in one query. The dashboard
    reads scans through here, not the Scan model."""
    scans, in_week = _scan_window(since=since, week=week)
    return scans.aggregate(campaign=Count("pk"), week=Count("pk", filter=in_week))


def qr_scan_subqueries(*, since: datetime.date, week: datetime.date) -> dict:
    """``qr_scans``' two counts as scalar subqueries ("campaign", "week"), for a reader
    that folds them into a query it makes anyway (the dashboard's kinds)."""
    scans, in_week = _scan_window(since=since, week=week)

    def count(queryset):
        return Subquery(queryset.annotate(n=Func(F("pk"), function="COUNT")).values("n"))

    return {"campaign": count(scans), "week": count(scans.filter(in_week))}


def campaign_settings() -> CampaignSettings:
    """The campaign defaults of the default site (one site per installation)."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return CampaignSettings()
    return CampaignSettings.for_site(site)


def campaign_target_url(*, settings: CampaignSettings | None = None) -> str:
    """Where QR codes lead by default: the active campaign's form, else the form in the
    campaign defaults."""
    target = Campaign.objects.filter(is_active=True).values_list("target_url", flat=True).first()
    if target:
        return target
    return (settings or campaign_settings()).census_form_url


def guide_target_url(*, guide: GuidePage, settings: CampaignSettings | None = None) -> str:
    return guide.target_url or campaign_target_url(settings=settings)


# --- Guides ---------------------------------------------------------------------------------


def guides_for_index(*, index):
    return GuidePage.objects.child_of(index).live().public().order_by("path")


def guide_default() -> GuidePage | None:
    """The guide an institution gets when none is named: the first live, public one."""
    return GuidePage.objects.live().public().order_by("path").first()


def guides_printable():
    """Every guide that may be printed: live and public, in tree order."""
    return GuidePage.objects.live().public().order_by("path")


def guide_printable(*, guide_id: int) -> GuidePage | None:
    """A guide whose sheets may be printed: live and public."""
    if not 0 < guide_id <= MAX_ID:
        return None
    return GuidePage.objects.live().public().filter(pk=guide_id).first()


def _team_contact(team) -> str:
    """How a sheet names the guiding team: "Tim 3 · Maria Ndun · +62813390…"."""
    leader = team.leader.get_full_name() if team.leader_id and team.leader else ""
    return " · ".join(part for part in (team.name, leader, team.phone) if part)


def _place(region) -> str:
    if region.level == region.Level.DISTRICT and region.parent_id:
        return f"{region.name}, {region.parent.name}"
    return region.name


def institutions_personal(*, institutions, week=None, now=None) -> dict[int, dict]:
    """{institution id: the personal values its sheet prints} (see ``pdf.PLACEHOLDERS``)
    for a batch of institutions (with ``region__parent`` loaded), in two queries.

    The session printed is the institution's next planned guided session (with
    ``week``: the one planned in that week); without one, the planned day of its visit
    plan. The team is that session's or plan's team, else the team of its latest plan.
    A date already past is not printed: a sheet must not announce a visit that is over.
    """
    from campaign.institutions.models import Assignment, GuidedSession

    institutions = list(institutions)
    ids = [institution.pk for institution in institutions]
    now = now or timezone.now()
    today = timezone.localdate(now)
    sessions = GuidedSession.objects.filter(institution_id__in=ids, status=GuidedSession.Status.PLANNED)
    plans = Assignment.objects.filter(institution_id__in=ids)
    if week is not None:
        sessions, plans = sessions.filter(week=week), plans.filter(week=week)
    else:
        sessions = sessions.filter(starts_at__gte=now)
    next_session = {}
    for session in sessions.select_related("team__leader").order_by("starts_at", "pk"):
        next_session.setdefault(session.institution_id, session)
    latest_plan = {}
    for plan in plans.select_related("team__leader").order_by("-week", "-pk"):
        latest_plan.setdefault(plan.institution_id, plan)

    values = {}
    for institution in institutions:
        personal = {"institution_name": institution.name, "institution_region": _place(institution.region)}
        session, plan = next_session.get(institution.pk), latest_plan.get(institution.pk)
        team = session.team if session else plan.team if plan else None
        if team is not None:
            personal["team_contact"] = _team_contact(team)
        if session is not None:
            personal["session_date"] = session.starts_at
        elif plan is not None and plan.planned_date and plan.planned_date >= today:
            personal["session_date"] = plan.planned_date
        values[institution.pk] = personal
    return values


def institution_personal(*, institution) -> dict:
    """The personal values one institution's sheet prints."""
    return institutions_personal(institutions=[institution])[institution.pk]


def _pack_queryset():
    from campaign.institutions.models import Institution

    return (
        Institution.objects.select_related("region__parent")
        .only("id", "name", "region__name", "region__level", "region__parent__name")
        .order_by("name", "pk")
    )


def institutions_for_pack(*, region=None, team=None, week=None):
    """The institutions of a regency (with its districts) or of a district; or those in
    a team's plan for a week. By name."""
    if region is not None:
        return _pack_queryset().filter(region__code__startswith=region.code)
    return _pack_queryset().filter(assignments__team=team, assignments__week=week)


# --- Scans --------------------------------------------------------------------------------


def _scans(*, since=None, until=None, guide_ids=None, institution_ids=None, region=None):
    scans = Scan.objects.all()
    if since is not None:
        scans = scans.filter(scanned_at__date__gte=since)
    if until is not None:
        scans = scans.filter(scanned_at__date__lte=until)
    if guide_ids is not None:
        scans = scans.filter(guide_id__in=list(guide_ids))
    if institution_ids is not None:
        scans = scans.filter(institution_id__in=list(institution_ids))
    if region is not None:
        scans = scans.filter(institution__region__code__startswith=region.code)
    return scans


def scans_count_by_day(*, since=None, until=None, guide_ids=None, institution_ids=None, region=None):
    """[(local date, scans)] for the days with scans, oldest first. ``since``/``until``
    are local dates (inclusive); ``region`` counts the scans of its institutions' sheets."""
    rows = (
        _scans(since=since, until=until, guide_ids=guide_ids, institution_ids=institution_ids, region=region)
        .annotate(day=TruncDate("scanned_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(count=Count("id"))
        .order_by("day")
    )
    return [(row["day"], row["count"]) for row in rows]


def scans_for_institutions(*, institution_ids, since=None, until=None) -> dict[int, int]:
    """{institution id: scans of its own sheet}; institutions without scans are absent."""
    rows = (
        _scans(since=since, until=until, institution_ids=institution_ids)
        .values("institution_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["institution_id"]: row["count"] for row in rows}


def scans_total(*, since=None, until=None, region=None) -> int:
    return _scans(since=since, until=until, region=region).count()


def guides_with_scans():
    """Every guide with its scans per material, for the admin report."""
    return GuidePage.objects.annotate(
        scans_total=Count("scans"),
        scans_sheet=Count("scans", filter=Q(scans__material=Scan.Material.SHEET)),
        scans_poster=Count("scans", filter=Q(scans__material=Scan.Material.POSTER)),
        scans_institution=Count("scans", filter=Q(scans__material=Scan.Material.INSTITUTION)),
        last_scan=Max("scans__scanned_at"),
    ).order_by("path")


def institutions_with_scans():
    """Institutions whose own sheet was scanned, most scanned first."""
    from campaign.institutions.models import Institution

    return (
        Institution.objects.annotate(
            scans_total=Count("guide_scans"), last_scan=Max("guide_scans__scanned_at")
        )
        .filter(scans_total__gt=0)
        .select_related("region", "kind")
        .order_by("-scans_total", "name")
    )


# --- Press room ---------------------------------------------------------------------------


def _size_after(spec, width, height):
    """The pixel size of an image after a ``max-WxH`` filter (None: the original)."""
    if spec is None:
        return width, height
    box_width, box_height = (int(n) for n in spec.removeprefix("max-").split("x"))
    ratio = min(1, box_width / width, box_height / height)
    return round(width * ratio), round(height * ratio)


def media_downloads(item: MediaItem):
    """The sizes an item can be downloaded in, smallest first. A size that would come
    out as large as the original (filters never enlarge) is the original."""
    sizes, seen = [], set()
    for key, spec in reversed(MEDIA_SIZES):
        dimensions = _size_after(spec, item.image.width, item.image.height)
        if dimensions in seen:
            continue
        seen.add(dimensions)
        sizes.append(
            {"key": key, "label": MEDIA_SIZE_LABELS[key], "width": dimensions[0], "height": dimensions[1]}
        )
    return sizes[::-1]


def press_room_contents(*, room) -> dict:
    """Releases, fact sheets and the media library, in a fixed number of queries."""
    releases = list(
        PressReleasePage.objects.child_of(room)
        .live()
        .public()
        .order_by("-date", "-first_published_at")[:PRESS_ROOM_RELEASES]
    )
    fact_sheets = list(
        PressFactSheet.objects.filter(page=room).select_related("document").order_by("sort_order")
    )
    items = list(
        MediaItem.objects.filter(page=room)
        .select_related("image")
        .prefetch_related(Prefetch("image__renditions"))
        .order_by("sort_order")
    )
    for item in items:
        item.downloads = media_downloads(item)
    return {
        "releases": releases,
        "fact_sheets": fact_sheets,
        "media_sections": [
            (_("Photos"), [item for item in items if item.kind == MediaItem.Kind.PHOTO]),
            (_("Logos"), [item for item in items if item.kind == MediaItem.Kind.LOGO]),
        ],
    }


def press_release_details(*, release) -> dict:
    """Attachments and press contacts of a release (live, or a scheduled revision)."""
    if release.pk and not getattr(release, "_from_revision", False):
        attachments = list(release.attachments.select_related("document").order_by("sort_order"))
        contacts = list(release.contacts.order_by("sort_order"))
    else:  # a revision's in-memory children
        attachments = list(release.attachments.all())
        contacts = list(release.contacts.all())
    room = release.get_parent().specific if release.pk else None
    return {"attachments": attachments, "contacts": contacts, "press_room": room}


def press_releases_for_partner(*, now=None):
    """What a media partner's personal link lists: embargoed releases (scheduled to go
    live later) first, then the latest live ones. [(page, go-live time or None)]."""
    now = now or timezone.now()
    scheduled = dict(
        Revision.page_revisions.filter(approved_go_live_at__gt=now).values_list(
            "object_id", "approved_go_live_at"
        )
    )
    pages = PressReleasePage.objects.public().filter(pk__in=[int(pk) for pk in scheduled])
    embargoed = sorted(
        ((page, scheduled[str(page.pk)]) for page in pages), key=lambda pair: (pair[1], pair[0].pk)
    )
    embargoed_ids = {page.pk for page, _when in embargoed}
    live = (
        PressReleasePage.objects.live()
        .public()
        .exclude(pk__in=embargoed_ids)
        .order_by("-date", "-first_published_at")[:10]
    )
    return embargoed + [(page, None) for page in live]


def press_release_for_partner(*, page_id: int, now=None):
    """(release as the partner should read it, embargo time or None), or None.

    A scheduled revision is shown with its embargo; a live release as published; a
    draft that is not scheduled is not shown to anyone outside the office.
    """
    now = now or timezone.now()
    if not 0 < page_id <= MAX_ID:
        return None
    page = PressReleasePage.objects.public().filter(pk=page_id).first()
    if page is None:
        return None
    revision = page.revisions.filter(approved_go_live_at__gt=now).order_by("-created_at").first()
    if revision is not None:
        release = revision.as_object()
        release._from_revision = True
        return release, revision.approved_go_live_at
    if page.live:
        return page, None
    return None
