"""Demo invitations: a template, two audiences, and batches with recipients in every
status (as if a provider had reported back), plus a few messages in the Outbox.
Idempotent: demo objects are found by name and left as they are."""

import datetime
import itertools

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaign.core.demo import demo_calendar
from campaign.institutions.models import Contact, Team

from . import services
from .models import (
    Audience,
    Batch,
    EmailTemplate,
    LetterTemplate,
    OutboxMessage,
    Recipient,
    RsvpAnswer,
    Suppression,
)

TEMPLATE = {
    "name": "Undangan pendampingan SP2020",
    "subject_id": "Undangan pendampingan Sensus Penduduk Online untuk {{ institution }}",
    "body_id": (
        "<p>Yth. Bapak/Ibu {{ contact_name }}[[ ({{ contact_position }})]],</p>"
        "<p>Badan Pusat Statistik Provinsi Nusa Tenggara Timur sedang menjalankan <b>Sensus "
        "Penduduk Online 2020</b>, terbuka sampai {{ campaign_end }}. [[Tim pendamping kami, "
        "<b>{{ team }}</b>, ingin datang ke {{ institution }} untuk memandu pimpinan dan "
        "pegawai mengisi sensus sampai datanya tercatat.]]</p>"
        "<p>[[Usulan waktu kami: <b>{{ session_date }}</b>. ]]Mohon jawab undangan ini: terima, "
        "tolak, atau usulkan waktu lain.</p>"
        "<ul><li>Siapkan Kartu Keluarga dan NIK setiap pegawai.</li>"
        "<li>[[Lembar panduan untuk instansi Anda: {{ guide_link }}]]</li></ul>"
        "<p>Terima kasih atas dukungan Bapak/Ibu.</p>"
    ),
    "subject_en": "Online Population Census guidance for {{ institution }}",
    "body_en": (
        "<p>Dear {{ contact_name }},</p>"
        "<p>Statistics Indonesia (BPS) for Nusa Tenggara Timur is running the <b>2020 Online "
        "Population Census</b>, open until {{ campaign_end }}.[[ Our team <b>{{ team }}</b> would "
        "like to visit {{ institution }} to guide your staff through the form.]][[ We propose "
        "<b>{{ session_date }}</b>.]]</p>"
        "<p>Please accept, decline or propose another time.</p>"
    ),
}
# The follow-up after a guided visit: the institution reports its staff's progress.
FOLLOW_UP = {
    "name": "Tindak lanjut: progres pegawai",
    "subject_id": "Berapa pegawai {{ institution }} yang sudah mengisi Sensus Penduduk Online?",
    "body_id": (
        "<p>Yth. Bapak/Ibu {{ contact_name }},</p>"
        "<p>Terima kasih telah menerima tim pendamping kami[[ ({{ team }})]]. Sensus Penduduk "
        "Online terbuka sampai {{ campaign_end }}.</p>"
        "<p>Mohon laporkan berapa pegawai {{ institution }} yang sudah selesai mengisi, dan "
        "laporkan lagi setiap kali bertambah: {{ progress_link }}</p>"
        "<p>Cukup angkanya saja; jangan kirim nama, NIK, atau nomor KK.</p>"
    ),
    "subject_en": "How many of {{ institution }}'s staff have completed the online census?",
    "body_en": (
        "<p>Dear {{ contact_name }},</p>"
        "<p>Thank you for receiving our guiding team. The online census is open until "
        "{{ campaign_end }}. Please report how many of your staff have completed it, and again "
        "whenever more have: {{ progress_link }}</p>"
    ),
}
# Sent by itself the day before every accepted session (services.session_reminders).
SESSION_REMINDER = {
    "name": "Pengingat sesi besok",
    "for_session_reminders": True,
    # Contacts who prefer WhatsApp (opted in) or SMS get these instead of the email.
    "whatsapp_template": "pengingat_sesi_pendampingan",
    "whatsapp_parameters": "contact_name, team, session_date",
    "sms_text": (
        "BPS NTT: {{ contact_name }}, pendampingan Sensus Online besok {{ session_date }}. "
        "Ubah: {{ rsvp_link }}"
    ),
    "subject_id": "Besok: pendampingan Sensus Penduduk Online di {{ institution }}",
    "body_id": (
        "<p>Yth. Bapak/Ibu {{ contact_name }},</p>"
        "<p>Kami mengingatkan sesi pendampingan besok, <b>{{ session_date }}</b>[[, bersama "
        "{{ team }}]].</p>"
        "<ul><li>Siapkan Kartu Keluarga dan NIK setiap pegawai.</li>"
        "<li>[[Lembar panduan: {{ guide_link }}]]</li></ul>"
        "<p>Bila waktunya tidak cocok lagi, jawab lewat tombol di bawah.</p>"
    ),
    "subject_en": "Tomorrow: online census guidance at {{ institution }}",
    "body_en": (
        "<p>Dear {{ contact_name }},</p>"
        "<p>A reminder of tomorrow's guidance session, <b>{{ session_date }}</b>. Please have "
        "every staff member's family card and NIK ready.</p>"
    ),
}
# Every status a recipient can be in, with the facts that go with it.
STATES = [
    ("pending", {}),
    ("sending", {}),
    (
        "uncertain",
        {
            "error": "Terputus saat diserahkan ke penyedia: mungkin sudah terkirim. "
            "Periksa log penyedia sebelum mengirimnya lagi."
        },
    ),
    ("sent", {}),
    ("delivered", {}),
    ("delivered", {"opened": True}),
    ("delivered", {"opened": True, "clicked": True, "answer": "accept"}),
    ("delivered", {"opened": True, "answer": "propose"}),
    ("delivered", {"opened": True, "machine": True, "answer": "decline"}),
    ("bounced", {"bounce": "hard"}),
    ("bounced", {"bounce": "soft"}),
    ("complained", {"opened": True}),
    ("failed", {"error": "Provider refused the address."}),
    ("skipped", {"error": "Address is suppressed"}),
]


# The official letter a province office sends institutions' heads (the NIP is made up).
LETTER = {
    "name": "Surat permohonan dukungan SP2020",
    "number_format": "B-{seq}/5300/HM.340/{month_roman}/{year}",
    "subject": "Permohonan Dukungan Sensus Penduduk Online 2020",
    "attachments": "1 (satu) berkas",
    "body": (
        "<p>Dalam rangka pelaksanaan Sensus Penduduk 2020 (SP2020) sesuai Undang-Undang Nomor 16 "
        "Tahun 1997 tentang Statistik, Badan Pusat Statistik menyelenggarakan <b>Sensus Penduduk "
        "Online</b> yang dapat diisi sendiri oleh setiap penduduk melalui laman "
        "https://sensus.bps.go.id sampai dengan {{ campaign_end }}.</p>"
        "<p>Sehubungan dengan hal tersebut, kami mohon dukungan Bapak/Ibu agar seluruh pimpinan dan "
        "pegawai {{ institution }} beserta keluarganya berpartisipasi mengisi Sensus Penduduk "
        "Online.[[ Tim pendamping kami, {{ team }}, siap memandu pengisian di kantor Bapak/Ibu "
        "pada {{ session_date }}.]] Kesediaan dan waktu pendampingan dapat dikonfirmasi dengan "
        "memindai kode QR pada surat ini.</p>"
        "<p>Bersama ini kami lampirkan lembar panduan pengisian. Atas perhatian dan kerja sama "
        "Bapak/Ibu, kami ucapkan terima kasih.</p>"
    ),
    "signatory_name": "Darwis Sitorus, S.Si., M.M.",
    "signatory_position": "Kepala Badan Pusat Statistik Provinsi Nusa Tenggara Timur",
    "signatory_nip": "19700101 199003 1 001",
}
LETTERHEAD = {
    "line_1": "BADAN PUSAT STATISTIK",
    "line_2": "PROVINSI NUSA TENGGARA TIMUR",
    "address": "Jl. R. Suprapto No. 5, Kupang 85111",
    "contact_line": "Telp. (0380) 826289, Surel: bps5300@bps.go.id, https://ntt.bps.go.id",
    "place": "Kupang",
}
LETTER_BATCH = "Surat permohonan dukungan — instansi Kota Kupang"


def _draw_emblem() -> bytes:
    """A stand-in for the office's emblem on the letterhead (three bars, as on a chart)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 290, 290), outline=(11, 79, 138), width=14)
    for x, top, colour in ((80, 150, (11, 79, 138)), (130, 100, (66, 160, 71)), (180, 60, (247, 148, 29))):
        draw.rectangle((x, top, x + 40, 230), fill=colour)
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


def _draw_signature() -> bytes:
    """A made-up signature: a few strokes in dark blue ink."""
    import io
    import math

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (480, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(40 + t * 3.6, 90 - 38 * math.sin(t / 9) * math.cos(t / 23)) for t in range(110)]
    draw.line(points, fill=(20, 30, 90), width=5, joint="curve")
    draw.line([(60, 120), (420, 108)], fill=(20, 30, 90), width=4)
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


def _image(title, data):
    """A Wagtail image from PNG bytes, found again by its title."""
    import io

    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    Image = get_image_model()
    image = Image.objects.filter(title=title).first()
    if image is None:
        image = Image(title=title)
        image.file = ImageFile(io.BytesIO(data), name=f"demo-{title[:30].lower().replace(' ', '-')}.png")
        image.save()
    return image


def _letters(stdout):
    """The letterhead, the letter template and one numbered letter batch."""
    from wagtail.models import Site

    from campaign.core.models import LetterheadSettings, Office
    from campaign.institutions.models import InstitutionKind

    site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        head = LetterheadSettings.for_site(site)
        if not head.address:
            for name, value in LETTERHEAD.items():
                setattr(head, name, value)
            head.logo = _image("Lambang kop surat (demo)", _draw_emblem())
            head.full_clean()
            head.save()
    template = LetterTemplate.objects.filter(name=LETTER["name"]).first()
    if template is None:
        template = services.letter_template_save(
            **LETTER, signature_image=_image("Tanda tangan Kepala BPS NTT (contoh)", _draw_signature())
        )
    if Batch.objects.filter(name=LETTER_BATCH).exists():
        return
    audience = Audience.objects.filter(name="Instansi pemerintah Kota Kupang").first()
    if audience is None:
        kinds = InstitutionKind.objects.filter(name__in=["Kantor Pemerintah", "DPRD"])
        kupang, _office = _kota_kupang()
        audience = services.audience_save(
            name="Instansi pemerintah Kota Kupang",
            target=Audience.Target.INSTITUTIONS,
            kinds=list(kinds),
            regions=[kupang] if kupang else None,
        )
    batch = services.batch_save(
        name=LETTER_BATCH,
        channel=Batch.Channel.LETTER,
        template=None,
        letter_template=template,
        audience=audience,
        team=Team.objects.order_by("pk").first(),
        office=Office.objects.filter(code="5300").first(),
    )
    try:
        services.batch_start(batch=batch)
    except ValidationError as error:
        stdout.write(f"Letters: batch left as a draft ({' '.join(error.messages)}).")
        return
    # Numbered here rather than by the worker: the demo's letters exist at once.
    for _ in range(100):
        if not services.batch_send_chunk(batch_id=batch.pk).more:
            break
    stdout.write(f"Letters: {batch.letters.count()} numbered in “{LETTER_BATCH}”.")


@transaction.atomic
def load(*, stdout, with_users):
    template = EmailTemplate.objects.filter(name=TEMPLATE["name"]).first() or services.email_template_save(
        **TEMPLATE
    )
    kupang, kupang_office = _kota_kupang()
    audience = Audience.objects.filter(name="Institusi Kota Kupang").first()
    if audience is None:
        audience = services.audience_save(
            name="Institusi Kota Kupang",
            target=Audience.Target.INSTITUTIONS,
            regions=[kupang] if kupang else None,
            office=kupang_office,
        )
    for text in (FOLLOW_UP, SESSION_REMINDER):
        if not EmailTemplate.objects.filter(name=text["name"]).exists():
            services.email_template_save(**text)
    if not Audience.objects.filter(name="Instansi sudah didampingi").exists():
        services.audience_save(
            name="Instansi sudah didampingi", target=Audience.Target.INSTITUTIONS, statuses=["guided"]
        )
    if not Audience.objects.filter(name="Media cetak dan radio").exists():
        services.audience_save(
            name="Media cetak dan radio", target=Audience.Target.MEDIA, mediums=["print", "radio"]
        )

    reachable = (
        Contact.objects.filter(institution__isnull=False, erased_at__isnull=True)
        .exclude(email="")
        .select_related("institution")
        .order_by("pk")
    )
    # Kota Kupang's institutions, as the batches' names say (a registry without them: any).
    in_kupang = reachable.filter(institution__region__code__startswith="5371")
    contacts = list((in_kupang if in_kupang.exists() else reachable)[: len(STATES) * 3])
    if not contacts:
        stdout.write("Invitations: no institution contacts yet, no demo batches.")
        return
    team = Team.objects.order_by("pk").first()
    proposed = next_visit(team, days_ahead=2)
    if not Batch.objects.filter(name="Gelombang 1 — Kota Kupang").exists():
        batch = _demo_batch("Gelombang 1 — Kota Kupang", template, audience, team, proposed, contacts)
        # BPS Kota Kupang's own batches: its staff find them in their lists.
        Batch.objects.filter(pk=batch.pk).update(office=kupang_office)
    if not Batch.objects.filter(name="Gelombang 2 — terjadwal").exists():
        services.batch_create(
            name="Gelombang 2 — terjadwal",
            template=template,
            audience=audience,
            team=team,
            proposed_at=proposed + datetime.timedelta(days=7),
            scheduled_at=timezone.now() + datetime.timedelta(days=2),
            office=kupang_office,
        )
    if not Batch.objects.filter(name="Tindak lanjut — 7 hari sebelum penutupan").exists():
        # A draft set against the campaign's close: "Jadwalkan" sends it at 09.00 WITA a
        # week before the last online day, and an extension moves it.
        services.batch_create(
            name="Tindak lanjut — 7 hari sebelum penutupan",
            template=EmailTemplate.objects.get(name=FOLLOW_UP["name"]),
            audience=Audience.objects.get(name="Instansi sudah didampingi"),
            days_before_end=7,
        )
    _letters(stdout)
    if not OutboxMessage.objects.exists():
        batch = Batch.objects.get(name="Gelombang 1 — Kota Kupang")
        unsent = ["pending", "sending", "uncertain", "skipped"]
        for recipient in batch.recipients.exclude(status__in=unsent)[:5]:
            rendered, _values = services.template_preview(template=template, recipient=recipient)
            OutboxMessage.objects.create(
                message_id=recipient.message_id,
                from_email="BPS Provinsi NTT <sensus@ntt.example.org>",
                to=f"{recipient.name} <{recipient.email}>",
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                headers={"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            )
    _phone_batches(stdout, team)
    stdout.write(
        f"Invitations: {Batch.objects.count()} batches, {Recipient.objects.count()} recipients, "
        f"{Suppression.objects.count()} suppressed addresses."
    )
    # Last: the upcoming SE2026 campaign is carried over from everything loaded above.
    from . import demo_carryover

    demo_carryover.load(stdout=stdout, with_users=with_users)


WHATSAPP_BATCH = "WhatsApp — undangan pendampingan Tim 1"
SMS_BATCH = "SMS — undangan pendampingan Tim 1"


def _phone_batches(stdout, team):
    """A WhatsApp and an SMS batch to the first team's institutions, sent through the
    outbox backends whatever the settings say (the demo never reaches a real phone): two
    in three contacts have a recorded WhatsApp opt-in, the others show as "not sent" with
    the reason."""
    from django.test.utils import override_settings

    from campaign.institutions.services import contact_save

    if team is None or Batch.objects.filter(name__in=[WHATSAPP_BATCH, SMS_BATCH]).exists():
        return
    audience = Audience.objects.filter(name="Institusi Tim 1").first() or services.audience_save(
        name="Institusi Tim 1", target=Audience.Target.INSTITUTIONS, teams=[team]
    )
    from .selectors import audience_contacts

    contacts = list(
        audience_contacts(audience=audience).exclude(phone="").filter(erased_at__isnull=True)[:60]
    )
    for index, contact in enumerate(contacts):
        if index % 3 != 2 and contact.whatsapp_opt_in_at is None:
            contact_save(
                contact=contact,
                whatsapp_opt_in_at=timezone.now() - datetime.timedelta(days=20),
                whatsapp_opt_in_source="Daftar hadir sosialisasi Kecamatan (demo)",
            )
    whatsapp = services.batch_save(
        name=WHATSAPP_BATCH,
        channel=Batch.Channel.WHATSAPP,
        template=None,
        whatsapp_template="undangan_pendampingan_sp2020",
        whatsapp_language="id",
        whatsapp_parameters="contact_name, institution, session_date, rsvp_link",
        audience=audience,
        team=team,
        proposed_at=next_visit(team, days_ahead=3),
    )
    sms = services.batch_save(
        name=SMS_BATCH,
        channel=Batch.Channel.SMS,
        template=None,
        sms_text=(
            "BPS NTT: Yth. {{ contact_name }}, mohon pilih jadwal pendampingan Sensus Online: {{ rsvp_link }}"
        ),
        audience=audience,
        team=team,
    )
    outbox = {
        "WHATSAPP_BACKEND": "campaign.invitations.channels.outbox.OutboxWhatsAppBackend",
        "SMS_BACKEND": "campaign.invitations.channels.outbox.OutboxSmsBackend",
    }
    with override_settings(**outbox):
        for batch in (whatsapp, sms):
            try:
                services.batch_start(batch=batch)
            except ValidationError as error:
                stdout.write(f"{batch.name}: left as a draft ({' '.join(error.messages)}).")
                continue
            for _ in range(100):
                if not services.batch_send_chunk(batch_id=batch.pk).more:
                    break
    stdout.write(
        f"WhatsApp and SMS: {whatsapp.recipients.filter(status='sent').count()} WhatsApp and "
        f"{sms.recipients.filter(status='sent').count()} SMS in the outbox."
    )


def _kota_kupang():
    """Kota Kupang (5371) and BPS Kota Kupang's office, when the reference data has them."""
    from campaign.core.models import Office, Region

    return Region.objects.filter(code="5371").first(), Office.objects.filter(code="5371").first()


def next_visit(team, *, days_ahead: int) -> datetime.datetime:
    """09.00 WITA on the first working day at least ``days_ahead`` days from today: the
    demo's invitations, sent this week, propose a visit still ahead whatever day the demo
    is loaded (its campaign runs weeks beyond it). A team of a campaign that does not run
    then (demo invitations over an older registry) gets the third week's Wednesday of the
    2020 case on the demo calendar."""
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    campaign = team.campaign if team is not None else None
    if campaign is not None and not campaign.online_start <= day <= campaign.effective_end:
        return demo_calendar().at(2020, 2, 26, 9, 0) + datetime.timedelta(days=days_ahead - 2)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


def _demo_batch(name, template, audience, team, proposed, contacts):
    """A sent batch whose recipients went through every status (no mail is sent)."""
    batch = services.batch_create(
        name=name, template=template, audience=audience, team=team, proposed_at=proposed
    )
    now = timezone.now()
    sent_at = now - datetime.timedelta(days=4)
    # The rows "being sent" belong to a worker at work right now; the uncertain ones were
    # handed over when their worker was lost.
    claim = f"demo{batch.pk}"
    rows = []
    for index, (contact, (status, facts)) in enumerate(zip(contacts, itertools.cycle(STATES), strict=False)):
        sent = status not in ("pending", "sending", "uncertain", "skipped")
        opened = sent_at + datetime.timedelta(hours=2) if facts.get("opened") else None
        rows.append(
            Recipient(
                batch=batch,
                contact=contact,
                institution=contact.institution,
                team=team,
                email=contact.email.lower(),
                name=contact.name,
                language=contact.preferred_language,
                proposed_at=proposed,
                status=status,
                status_at=sent_at + datetime.timedelta(minutes=5),
                message_id=f"<demo-{batch.pk}-{index}@outbox.jemputbola>" if sent else "",
                sent_at=sent_at if sent else None,
                delivered_at=sent_at + datetime.timedelta(minutes=1)
                if status in ("delivered", "complained")
                else None,
                bounce_kind=facts.get("bounce", ""),
                opened_at=opened,
                human_opened_at=None if facts.get("machine") else opened,
                open_count=1 if opened else 0,
                machine_open_count=1 if facts.get("machine") else 0,
                clicked_at=opened + datetime.timedelta(minutes=1) if facts.get("clicked") else None,
                click_count=1 if facts.get("clicked") else 0,
                error=facts.get("error", ""),
                attempts=1 if status != "pending" else 0,
                claim=claim if status == "sending" else "",
                claimed_at=now if status == "sending" else sent_at if status == "uncertain" else None,
            )
        )
    Recipient.objects.bulk_create(rows, ignore_conflicts=True)
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.SENDING, started_at=sent_at)
    for recipient in batch.recipients.filter(status__in=["bounced", "complained"]):
        reason = (
            Suppression.Reason.COMPLAINT
            if recipient.status == "complained"
            else Suppression.Reason.HARD_BOUNCE
            if recipient.bounce_kind == "hard"
            else None
        )
        if reason:
            services.suppression_add(email=recipient.email, reason=reason, source="demo")
    # Answers go through the real service: sessions are planned, confirmations queued.
    for recipient in batch.recipients.filter(status="delivered").order_by("pk"):
        index = list(batch.recipients.order_by("pk").values_list("pk", flat=True)).index(recipient.pk)
        answer = STATES[index % len(STATES)][1].get("answer")
        if answer and not RsvpAnswer.objects.filter(recipient=recipient).exists():
            services.rsvp_record(
                recipient=recipient,
                answer=answer,
                proposed_at=proposed + datetime.timedelta(days=1, hours=4) if answer == "propose" else None,
                # Answered after the sending (four days ago) and before now.
                now=min(proposed - datetime.timedelta(days=3), timezone.now() - datetime.timedelta(hours=2)),
            )
    return batch
