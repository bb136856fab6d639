"""Printed materials: personalised guide sheets, a 1,000-institution pack, QR scans.

Data: the core and materials demo (the SP2020 guide with its two screenshots), plus
1,000 institutions in one district (Oebobo, Kota Kupang), each planned for one team's
week with a guided session still to come, so every sheet prints all four personal lines
(name, place, team contact, session date): the worst case for size and time.

Measured in-process (no HTTP server) with an in-memory cache:

- a personalised A4 sheet drawn by the pure ``pdf.guide_sheet`` (no database), beside a
  reference page with the same text and the same vector QR code as plain lines; and the
  first sheet of a guide (its common part drawn, not replayed);
- the same sheet through ``printing.sheet_pdf`` with the cache emptied before each call
  (database reads + drawing: what a contact's first download costs) and from the cache;
- a 1,000-sheet pack (A4 and A5) built by ``services.guide_pack_build`` exactly as the
  task does it (queries, drawing, saving the file), per page and in all;
- a QR scan through Django's test client (``/q/<code>``: record, redirect).
"""

import datetime
import io
import logging
import shutil
import tempfile
import textwrap
import time
from io import StringIO
from pathlib import Path

from django.core.cache import cache
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone, translation

from bench.common import Result, timed

PACK_SIZE = 1_000


def _institutions(count):
    from campaign.core.models import Campaign, Region
    from campaign.institutions.models import (
        Assignment,
        GuidedSession,
        Institution,
        InstitutionKind,
        Team,
        normalise_name,
        week_start,
    )

    district = Region.objects.get(code="5371030")
    kind = InstitutionKind.objects.get_or_create(name="Kantor Pemerintah")[0]
    campaign = Campaign.objects.get(is_active=True)
    team = Team.objects.get_or_create(
        campaign=campaign, name="Tim Bench", defaults={"area": district.parent, "phone": "+6281339000099"}
    )[0]
    names = [f"Kantor Contoh Pelayanan Publik Kecamatan Oebobo Nomor {n:04d}" for n in range(count)]
    Institution.objects.bulk_create(
        [
            Institution(name=name, name_normalised=normalise_name(name), kind=kind, region=district)
            for name in names
        ],
        batch_size=1000,
    )
    institutions = list(Institution.objects.filter(region=district, name__in=names))
    start = timezone.localtime() + datetime.timedelta(days=7)
    week = week_start(start.date())
    Assignment.objects.bulk_create(
        [Assignment(institution=i, team=team, week=week) for i in institutions], batch_size=1000
    )
    GuidedSession.objects.bulk_create(
        [
            GuidedSession(
                institution=i,
                team=team,
                starts_at=start.replace(hour=9 + n % 6, minute=0, second=0, microsecond=0),
                week=week,
            )
            for n, i in enumerate(institutions)
        ],
        batch_size=1000,
    )
    return district, team, week, institutions


def _reference_page(content, url):
    """The reference a sheet is measured against: the same text and the same vector QR
    code on one A4 page, drawn as plain lines (no paragraphs, pictures or layout)."""
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from campaign.materials import pdf

    previous, rl_config.useA85 = rl_config.useA85, 0
    try:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
        canvas.setFont("Helvetica-Bold", 20)
        canvas.drawString(40, 790, pdf.printable(content.title))
        canvas.setFont("Helvetica", 10)
        y = 770
        texts = [content.intro, *(f"{s.title}. {s.text} {s.tip}" for s in content.steps)]
        for text in [*texts, content.closing, content.cta_label]:
            for line in textwrap.wrap(pdf.printable(text), 100):
                y -= 13
                canvas.drawString(40, y, line)
        pdf.draw_qr(canvas, url, 440, 40, 112)
        canvas.showPage()
        canvas.save()
    finally:
        rl_config.useA85 = previous
    return buffer.getvalue()


def _met(condition):
    return "met" if condition else "NOT met"


def _pack(guide, district, size):
    from campaign.materials import services
    from campaign.materials.models import GuidePack

    pack = GuidePack.objects.create(guide=guide, region=district, size=size, total=PACK_SIZE)
    started = time.perf_counter()
    pack = services.guide_pack_build(pack_id=pack.pk)
    seconds = time.perf_counter() - started
    assert pack.status == GuidePack.Status.DONE and pack.total == PACK_SIZE, pack.error
    return seconds, pack.file_size


def run():
    from campaign.core import demo as core_demo
    from campaign.materials import codes, demo, pdf, printing, selectors
    from campaign.materials.models import GuidePage, Scan

    workdir = Path(tempfile.mkdtemp(prefix="jemputbola-materials-bench-"))
    local_cache = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    logging.disable(logging.INFO)
    try:
        with override_settings(MEDIA_ROOT=workdir, CACHES=local_cache, PAGE_CACHE_SECONDS=0, DEBUG=True):
            core_demo.load(stdout=StringIO(), with_users=False)
            demo.load(stdout=StringIO(), with_users=False)
            guide = GuidePage.objects.get(slug=demo.GUIDE["slug"])
            district, _team, _week, institutions = _institutions(PACK_SIZE)
            institution = institutions[0]
            with translation.override("id"):
                content = printing.guide_content(guide=guide)
                personal = selectors.institution_personal(institution=institution)
                assert set(personal) >= {"team_contact", "session_date"}
                url = codes.for_institution(guide.pk, institution.pk).url
                pure_ms, pure_p95, _ = timed(
                    lambda: pdf.guide_sheet(content, qr_url=url, personal=personal), repeat=50
                )
                single = pdf.guide_sheet(content, qr_url=url, personal=personal)

                def first_of_guide():
                    pdf._forms.clear()  # the guide's common part drawn, not replayed
                    pdf.guide_sheet(content, qr_url=url, personal=personal)

                first_ms, _, _ = timed(first_of_guide, repeat=30)
                reference_ms, _, _ = timed(lambda: _reference_page(content, url), repeat=50)
                reference = _reference_page(content, url)

                def uncached():
                    cache.clear()
                    printing.sheet_pdf(guide=guide, institution=institution)

                download_ms, _, download_queries = timed(uncached, repeat=30)
                cached_ms, _, cached_queries = timed(
                    lambda: printing.sheet_pdf(guide=guide, institution=institution), repeat=100
                )
                a4_seconds, a4_bytes = _pack(guide, district, "a4")
                a5_seconds, a5_bytes = _pack(guide, district, "a5")

            client = Client()
            code = str(codes.for_institution(guide.pk, institution.pk))
            assert client.get(f"/q/{code}").status_code == 302
            scan_ms, _, scan_queries = timed(lambda: client.get(f"/q/{code}"), repeat=200)
            scans = Scan.objects.count()
    finally:
        logging.disable(logging.NOTSET)
        shutil.rmtree(workdir, ignore_errors=True)

    a4_ms_page = a4_seconds * 1000 / PACK_SIZE
    a5_ms_page = a5_seconds * 1000 / PACK_SIZE
    return [
        Result(
            "reference: same text + vector QR, plain lines (median)",
            reference_ms,
            "ms",
            "",
            f"{len(reference) / 1024:.1f} KB",
        ),
        Result(
            "personalised A4 sheet, pure draw (median)",
            pure_ms,
            "ms",
            "≤ 8 ms, ≤ 2× reference",
            f"{pure_ms / reference_ms:.1f}× reference ({_met(pure_ms <= min(8, 2 * reference_ms))}); "
            f"p95 {pure_p95:.1f} ms; 6 steps, 2 screenshots, 4 personal lines",
        ),
        Result(
            "personalised A4 sheet, first of its guide (median)",
            first_ms,
            "ms",
            "",
            f"{first_ms / reference_ms:.1f}× reference; the common part drawn, later sheets replay it",
        ),
        Result(
            "personalised A4 sheet, single file",
            len(single) / 1024,
            "KB",
            "≤ 12 KB",
            f"{len(single) / len(reference):.1f}× reference ({_met(len(single) <= 12 * 1024)}); "
            "2 screenshots at 150 dpi, 16-colour palette",
        ),
        Result(
            "personalised sheet download, cache empty (median)",
            download_ms,
            "ms",
            "< 10 ms",
            f"{download_queries:.0f} queries",
        ),
        Result(
            "personalised sheet download, cached (median)",
            cached_ms,
            "ms",
            "",
            f"{cached_queries:.0f} queries",
        ),
        Result(
            f"pack of {PACK_SIZE:,} A4 sheets, total",
            a4_seconds,
            "s",
            "< 15 s",
            "task body: read, draw, save",
        ),
        Result("pack A4, per page", a4_ms_page, "ms", "< 10 ms"),
        Result(
            "pack A4, bytes per page",
            a4_bytes / PACK_SIZE / 1024,
            "KB",
            "< 6 KB",
            f"file {a4_bytes / 2**20:.1f} MB",
        ),
        Result(f"pack of {PACK_SIZE:,} A5 sheets, total", a5_seconds, "s", "< 15 s"),
        Result("pack A5, per page", a5_ms_page, "ms", "< 10 ms"),
        Result(
            "pack A5, bytes per page",
            a5_bytes / PACK_SIZE / 1024,
            "KB",
            "< 6 KB",
            f"file {a5_bytes / 2**20:.1f} MB",
        ),
        Result(
            "QR scan /q/<code>: record + redirect (median)",
            scan_ms,
            "ms",
            "",
            f"{scan_queries:.0f} queries; {scans} scans recorded",
        ),
    ]
