"""Writes of the materials app: scans, guide packs."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.core.models import Region
from campaign.core.worker_loss import task_results_mark_lost
from campaign.institutions.models.fieldwork import week_start

from . import codes, printing, selectors
from .models import GuidePack, GuidePage, Scan

logger = logging.getLogger(__name__)

# A pack bigger than this is refused: split a big regency by district.
MAX_PACK_SHEETS = 20_000
# A worker reports progress every 50 sheets (well under a second); one silent this long died.
PACK_STALE_AFTER = datetime.timedelta(minutes=5)
# A pack that lost its worker this many times (e.g. killed for memory) is failed, not retried.
PACK_MAX_ATTEMPTS = 3


@transaction.atomic
def scan_record(*, code: str, count: bool = True) -> str | None:
    """Record a scan of a printed QR code and return where it leads, or None when the
    code names nothing (then nothing is recorded). ``count=False`` (a client over its scan
    budget) leads on without recording.

    A guide that was unpublished still counts and redirects: paper outlives pages. An
    institution deleted since printing is dropped from the scan, not the scan itself.
    """
    material = codes.parse(code)
    if material is None:
        return None
    guide = GuidePage.objects.filter(pk=material.guide_id).only("id", "target_url").first()
    if guide is None:
        return None
    institution_id = material.institution_id
    if institution_id is not None:
        from campaign.institutions.models import Institution

        if not Institution.objects.filter(pk=institution_id).exists():
            institution_id = None
    if count:
        Scan.objects.create(material=material.material, guide_id=guide.pk, institution_id=institution_id)
    return selectors.guide_target_url(guide=guide)


@transaction.atomic
def guide_pack_start(
    *,
    guide: GuidePage,
    region: Region | None = None,
    team=None,
    week: datetime.date | None = None,
    size: str = GuidePack.Size.A4,
    user=None,
) -> GuidePack:
    """Queue the building of one PDF with the sheet of every institution in ``region``
    (a regency or a district), or in ``team``'s plan for ``week``."""
    if selectors.guide_printable(guide_id=guide.pk) is None:
        raise ValidationError({"guide": _("Only a published guide can be printed.")})
    if (region is None) == (team is None):
        raise ValidationError(_("Choose a region, or a team and a week."))
    if region is not None and region.level not in (Region.Level.REGENCY, Region.Level.DISTRICT):
        raise ValidationError({"region": _("Choose a regency/city or a district.")})
    if team is not None:
        if week is None:
            raise ValidationError({"week": _("Choose the week of the visits.")})
        week = week_start(week)
    total = selectors.institutions_for_pack(region=region, team=team, week=week).count()
    if total == 0:
        field = "region" if region is not None else "week"
        message = (
            _("This region has no institutions.")
            if region is not None
            else _("The team has no institutions planned for that week.")
        )
        raise ValidationError({field: message})
    if total > MAX_PACK_SHEETS:
        raise ValidationError(
            {"region": _("More than %(max)d institutions: choose a district.") % {"max": MAX_PACK_SHEETS}}
        )
    pack = GuidePack(
        guide=guide, region=region, team=team, week=week, size=size, total=total, created_by=user
    )
    pack.full_clean()
    pack.save()

    from .tasks import guide_pack_build_task

    transaction.on_commit(lambda: guide_pack_build_task.enqueue(pack.pk))
    return pack


def guide_pack_build(*, pack_id: int) -> GuidePack:
    """Build a queued pack, recording progress. Claimed with a conditional update, so
    a task delivered twice builds it once."""
    claimed = GuidePack.objects.filter(pk=pack_id, status=GuidePack.Status.PENDING).update(
        status=GuidePack.Status.RUNNING, done=0, heartbeat_at=timezone.now(), attempts=F("attempts") + 1
    )
    pack = GuidePack.objects.select_related("region", "team").get(pk=pack_id)
    if not claimed:
        return pack

    def progress(done):
        GuidePack.objects.filter(pk=pack_id).update(done=done, heartbeat_at=timezone.now())

    try:
        guide = selectors.guide_printable(guide_id=pack.guide_id)
        if guide is None:
            raise ValueError("the guide is no longer published")
        institutions = selectors.institutions_for_pack(region=pack.region, team=pack.team, week=pack.week)
        total = institutions.count()
        GuidePack.objects.filter(pk=pack_id).update(total=total)
        data = printing.pack_pdf(
            guide=guide,
            institutions=institutions.iterator(chunk_size=500),
            size=pack.size,
            week=pack.week,
            progress=progress,
        )
        if pack.region is not None:
            kind = f"{pack.region.code}-{pack.region.name}"
        else:
            kind = f"{pack.team.name}-{pack.week:%Y-%m-%d}"
        name = printing.filename(guide=guide, kind=kind, size=pack.size)
        pack.file.save(name, ContentFile(data), save=False)
    except Exception as error:
        logger.exception("guide pack %s failed", pack_id)
        GuidePack.objects.filter(pk=pack_id).update(
            status=GuidePack.Status.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        raise
    GuidePack.objects.filter(pk=pack_id).update(
        status=GuidePack.Status.DONE,
        file=pack.file.name,
        file_size=len(data),
        done=total,
        finished_at=timezone.now(),
    )
    pack.refresh_from_db()
    return pack


def guide_packs_recover(*, now=None, stale_after=PACK_STALE_AFTER) -> dict:
    """Packs whose worker died while building them (killed, out of memory, host lost):
    the pack goes back to the queue and a new task is enqueued, or, after
    ``PACK_MAX_ATTEMPTS`` lost workers, it is marked failed with the reason, so that no
    pack shows "building" for ever. Run every minute (``recover_guide_packs``)."""
    now = now or timezone.now()
    stale = GuidePack.objects.filter(status=GuidePack.Status.RUNNING, heartbeat_at__lt=now - stale_after)
    failed = stale.filter(attempts__gte=PACK_MAX_ATTEMPTS).update(
        status=GuidePack.Status.FAILED,
        error=_("Its worker stopped %(count)d times; start a new pack, or one for a smaller region.")
        % {"count": PACK_MAX_ATTEMPTS},
        finished_at=now,
    )
    requeued = []
    for pack_id in stale.filter(attempts__lt=PACK_MAX_ATTEMPTS).values_list("pk", flat=True):
        # Conditional, so two recoverers (or a worker coming back) requeue it once.
        if GuidePack.objects.filter(
            pk=pack_id, status=GuidePack.Status.RUNNING, heartbeat_at__lt=now - stale_after
        ).update(status=GuidePack.Status.PENDING, done=0):
            requeued.append(pack_id)
    if requeued:
        for pack_id in requeued:
            transaction.on_commit(lambda pack_id=pack_id: guide_pack_build_task.enqueue(pack_id))
    from .tasks import guide_pack_build_task

    # A healthy build beats every few hundred milliseconds: one this old lost its worker.
    lost = task_results_mark_lost(task=guide_pack_build_task, started_before=now - stale_after)
    if failed or requeued:
        logger.warning("guide packs recovered: %d requeued, %d failed", len(requeued), failed)
    return {"requeued": len(requeued), "failed": failed, "lost_tasks": lost}
