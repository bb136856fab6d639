"""Official letters: numbering a 1,000-letter batch and printing it as one PDF.

Data: the core demo (regions, campaign, site, offices), the demo letterhead with its
logo and the demo letter template with its signature image (campaign.invitations.demo),
and 1,000 institutions in one district (Oebobo, Kota Kupang), each with its head as a
contact without email. One letter batch of the province office (5300) to them.

Measured in-process (no HTTP server), on the bench database:

- numbering: ``batch_start`` (the recipients, one per institution, and the check of the
  template's merge fields) plus every chunk of 100 through ``batch_send_chunk`` — the
  locked counter, the merged letters written, the recipients marked — as a worker does it;
- printing: ``services.letters_print`` for the whole batch (1,000 A4 letters in one PDF,
  with the database reads), the number the issue's goal is about (< 10 s);
- the pure drawing of the same 1,000 letters (``letters_pdf`` on prepared contents).

Wall-clock time and this process's CPU time are both given: on a shared machine the
wall-clock time grows with the load, the CPU time much less.
"""

import logging
import re
import shutil
import tempfile
import time
from io import StringIO
from pathlib import Path

from django.test.utils import override_settings

from bench.common import Result

LETTERS = 1_000


def _institutions(count):
    from campaign.core.models import Region
    from campaign.institutions.models import Contact, Institution, InstitutionKind, normalise_name

    district = Region.objects.get(code="5371030")
    kind = InstitutionKind.objects.get_or_create(name="Kantor Pemerintah")[0]
    names = [f"Dinas Pelayanan Publik Kecamatan Oebobo Nomor {n:04d}" for n in range(count)]
    Institution.objects.bulk_create(
        [
            Institution(
                name=name,
                name_normalised=normalise_name(name),
                kind=kind,
                region=district,
                address=f"Jl. Frans Seda No. {n + 1}, Oebobo, Kupang",
            )
            for n, name in enumerate(names)
        ],
        batch_size=1000,
    )
    institutions = list(Institution.objects.filter(region=district, name__in=names).order_by("pk"))
    Contact.objects.bulk_create(
        [
            Contact(
                institution=institution,
                name=f"Drs. Yohanes Benu {n:04d}",
                position="Kepala Dinas",
                consent_source="bench",
                consent_date="2020-02-01",
            )
            for n, institution in enumerate(institutions)
        ],
        batch_size=1000,
    )
    return district


def run():
    from wagtail.models import Site

    from campaign.core import demo as core_demo
    from campaign.core.models import LetterheadSettings, Office
    from campaign.invitations import demo, services
    from campaign.invitations.letters_pdf import letters_pdf
    from campaign.invitations.models import Audience, Batch
    from campaign.invitations.services.letters import letter_content, letterhead_for

    workdir = Path(tempfile.mkdtemp(prefix="jemputbola-letters-bench-"))
    logging.disable(logging.INFO)
    try:
        with override_settings(MEDIA_ROOT=workdir):
            core_demo.load(stdout=StringIO(), with_users=False)
            head = LetterheadSettings.for_site(Site.objects.get(is_default_site=True))
            for name, value in demo.LETTERHEAD.items():
                setattr(head, name, value)
            head.logo = demo._image("Lambang kop surat (demo)", demo._draw_emblem())
            head.save()
            template = services.letter_template_save(
                **demo.LETTER, signature_image=demo._image("Tanda tangan (contoh)", demo._draw_signature())
            )
            district = _institutions(LETTERS)
            audience = services.audience_save(
                name="Oebobo", target=Audience.Target.INSTITUTIONS, regions=[district]
            )
            batch = services.batch_save(
                name="Surat bench",
                channel=Batch.Channel.LETTER,
                template=None,
                letter_template=template,
                audience=audience,
                office=Office.objects.get(code="5300"),
            )
            started = time.perf_counter()
            services.batch_start(batch=batch)
            chunks = 0
            while True:
                chunks += 1
                if not services.batch_send_chunk(batch_id=batch.pk).more:
                    break
            numbering = time.perf_counter() - started
            assert batch.letters.count() == LETTERS, batch.letters.count()

            started, cpu = time.perf_counter(), time.process_time()
            data = services.letters_print(batch=batch)
            printing, printing_cpu = time.perf_counter() - started, time.process_time() - cpu
            pages = len(re.findall(rb"/Type /Page[^s]", data))

            contents = [letter_content(letter) for letter in batch.letters.order_by("seq")]
            letterhead = letterhead_for(batch.office)
            signature = demo._draw_signature()
            started, cpu = time.perf_counter(), time.process_time()
            pure = letters_pdf(letterhead, contents, signature=signature)
            drawing, drawing_cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        logging.disable(logging.NOTSET)
        shutil.rmtree(workdir, ignore_errors=True)
    return [
        Result(
            f"letters: number {LETTERS:,} (start + {chunks} chunks)",
            numbering,
            "s",
            note=f"{LETTERS / numbering:,.0f} letters/s",
        ),
        Result(
            f"letters: print {LETTERS:,} in one PDF (with DB reads)",
            printing,
            "s",
            "< 10 s",
            f"{len(data) / 1e6:.2f} MB, {pages:,} pages, CPU {printing_cpu:.2f} s",
        ),
        Result(
            f"letters: draw {LETTERS:,} (pure letters_pdf)",
            drawing,
            "s",
            note=f"{len(pure) / 1e6:.2f} MB, CPU {drawing_cpu:.2f} s",
        ),
    ]
