"""Turns guides into PDFs: gathers what ``pdf.py`` needs from the database and caches
the result.

A cached PDF is keyed on everything it prints — the guide's live revision, the
campaign identity, the institution's printed values, the layout version and the
language — so a change to any of them makes a new key: a stale sheet is never served,
and nothing has to be purged by hand.
"""

import dataclasses
import hashlib
import json

from django.core.cache import cache
from django.utils.text import slugify
from django.utils.translation import get_language

from campaign.core.models import Campaign

from . import codes, pdf, selectors

CACHE_SECONDS = 7 * 24 * 3600
# Screenshots as printed: about 150 dpi at the width a sheet gives them.
IMAGE_SPEC = "max-900x600|format-jpeg|jpegquality-70"
_RENDITIONS_KEPT = 32
_renditions: dict[tuple, bytes] = {}


def identity(*, settings=None) -> pdf.Identity:
    settings = settings or selectors.campaign_settings()
    campaign_name = Campaign.objects.filter(is_active=True).values_list("name", flat=True).first() or ""
    return pdf.Identity(
        organisation_name=settings.organisation_name,
        campaign_name=campaign_name,
        hashtag=settings.hashtag,
        hotline=settings.hotline,
        whatsapp=settings.whatsapp,
        website=settings.website,
    )


def _image_bytes(image) -> bytes | None:
    """A screenshot as printed. Kept in memory per process (a few dozen KB each, at
    most ``_RENDITIONS_KEPT``): a new file or focal point is a new key, so an edited
    image is never printed stale, and a sheet needs no rendition query or file read."""
    if image is None:
        return None
    focal = (image.focal_point_x, image.focal_point_y, image.focal_point_width, image.focal_point_height)
    key = (image.pk, image.file.name, focal)
    data = _renditions.get(key)
    if data is None:
        rendition = image.get_rendition(IMAGE_SPEC)
        with rendition.file.open("rb") as handle:
            data = handle.read()
        if len(_renditions) >= _RENDITIONS_KEPT:
            _renditions.pop(next(iter(_renditions), None), None)  # the oldest
        _renditions[key] = data
    return data


def guide_content(*, guide, identity_: pdf.Identity | None = None, images=True) -> pdf.GuideContent:
    steps = []
    for block in guide.steps:
        if block.block_type != "step":
            continue
        value = block.value
        steps.append(
            pdf.GuideStep(
                title=value["title"],
                text=value["text"],
                tip=value.get("tip") or "",
                image=_image_bytes(value.get("image")) if images else None,
                on_poster=bool(value.get("on_poster")),
            )
        )
    return pdf.GuideContent(
        title=guide.title,
        intro=guide.intro,
        steps=tuple(steps),
        identity=identity_ or identity(),
        closing=guide.closing,
        cta_label=guide.cta_label,
        hotline=guide.hotline,
        poster_headline=guide.poster_headline,
    )


def _cache_key(*, kind, guide, size, code, identity_, personal=None) -> str:
    parts = {
        "layout": pdf.LAYOUT_VERSION,
        "kind": kind,
        "size": size,
        "guide": guide.pk,
        "revision": guide.live_revision_id,
        "published": guide.last_published_at,
        "identity": dataclasses.asdict(identity_),
        "qr": code.url,
        "personal": personal or {},
        "language": get_language(),
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return f"materials:pdf:{digest}"


def _cached(key, render):
    data = cache.get(key)
    if data is None:
        data = render()
        cache.set(key, data, CACHE_SECONDS)
    return data


def sheet_pdf(*, guide, size="a4", institution=None) -> bytes:
    """The guide sheet, general or for one institution (with its own QR code)."""
    identity_ = identity()
    if institution is None:
        code, personal = codes.for_guide(guide.pk), {}
    else:
        code = codes.for_institution(guide.pk, institution.pk)
        personal = selectors.institution_personal(institution=institution)
    key = _cache_key(kind="sheet", guide=guide, size=size, code=code, identity_=identity_, personal=personal)
    return _cached(
        key,
        lambda: pdf.guide_sheet(
            guide_content(guide=guide, identity_=identity_, images=size == "a4"),
            qr_url=code.url,
            personal=personal,
            size=size,
        ),
    )


def poster_pdf(*, guide, size="a3") -> bytes:
    identity_ = identity()
    code = codes.for_guide(guide.pk, poster=True)
    key = _cache_key(kind="poster", guide=guide, size=size, code=code, identity_=identity_)
    return _cached(
        key,
        lambda: pdf.poster(
            guide_content(guide=guide, identity_=identity_, images=False), qr_url=code.url, size=size
        ),
    )


def _batches(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def pack_sheets(*, guide, institutions, week=None, batch_size=500):
    """The ``pdf.Sheet`` of every institution, their personal values read per batch."""
    for batch in _batches(institutions, batch_size):
        personal = selectors.institutions_personal(institutions=batch, week=week)
        for institution in batch:
            yield pdf.Sheet(
                qr_url=codes.for_institution(guide.pk, institution.pk).url, personal=personal[institution.pk]
            )


def pack_pdf(*, guide, institutions, size="a4", week=None, progress=None) -> bytes:
    """Every institution's sheet in one PDF; ``institutions`` may be an iterator."""
    content = guide_content(guide=guide, images=size == "a4")
    sheets = pack_sheets(guide=guide, institutions=institutions, week=week)
    return pdf.guide_sheets(content, sheets, size=size, progress=progress)


def filename(*, guide, kind, size, institution=None) -> str:
    parts = [slugify(guide.slug or guide.title)[:50], slugify(kind)[:60], size]
    if institution is not None:
        parts.insert(1, slugify(institution.name)[:60] or str(institution.pk))
    return "-".join(part for part in parts if part) + ".pdf"
