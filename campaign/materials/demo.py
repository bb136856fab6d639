"""Demo materials: the SP2020 online guide (sheet, half sheet, poster), the press room
with two releases — one under embargo — a fact sheet, photos and a logo.

Pictures are drawn with Pillow and the fact sheet with reportlab: nothing is downloaded.
Loading twice updates the pages instead of duplicating them.
"""

import datetime
import io
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from campaign.core.demo import demo_calendar
from campaign.core.models import HomePage

from . import pdf, printing, tokens
from .models import (
    GuideIndexPage,
    GuidePage,
    MediaItem,
    PressAttachment,
    PressContact,
    PressFactSheet,
    PressReleasePage,
    PressRoomPage,
)

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
BLUE, ORANGE = (11, 79, 138), (247, 148, 29)

GUIDE_INDEX = {
    "title": "Panduan",
    "slug": "panduan",
    "intro": "Langkah demi langkah mengisi Sensus Penduduk Online 2020, untuk dibaca di ponsel atau dicetak.",
    "search_description": "Panduan mengisi Sensus Penduduk Online 2020, siap cetak.",
}
GUIDE = {
    "title": "Cara Mengisi Sensus Penduduk Online 2020",
    "slug": "cara-mengisi-sensus-penduduk-online",
    "intro": (
        "Isi sendiri data keluarga Anda di sensus.bps.go.id, cukup sekitar 15 menit. Siapkan Kartu "
        "Keluarga, lalu ikuti enam langkah ini."
    ),
    "closing": "Sudah selesai? Ajak rekan kerja dan keluarga ikut mengisi!",
    "cta_label": "Isi Sensus Penduduk Online",
    "poster_headline": "Sudah Isi Sensus Penduduk Online?",
    "search_description": "Enam langkah mengisi Sensus Penduduk Online 2020 di sensus.bps.go.id.",
}
STEPS = [
    {
        "title": "Buka situs sensus.bps.go.id",
        "text": (
            "Gunakan ponsel, tablet atau komputer yang tersambung ke internet. Buka peramban (Chrome, "
            "Firefox atau Safari) dan ketik alamat sensus.bps.go.id."
        ),
        "tip": "Pastikan alamatnya persis sensus.bps.go.id. Jangan isi data Anda di situs lain.",
        "screenshot": "open",
        "on_poster": True,
    },
    {
        "title": "Masukkan Nomor Kartu Keluarga dan NIK",
        "text": (
            "Ketik 16 digit Nomor Kartu Keluarga (KK) dan NIK kepala keluarga persis seperti tertulis "
            "di Kartu Keluarga, lalu ketik kode keamanan (captcha) yang tampil."
        ),
        "tip": "Siapkan Kartu Keluarga atau fotonya sebelum mulai.",
        "screenshot": "login",
        "on_poster": True,
    },
    {
        "title": "Buat kata sandi",
        "text": (
            "Buat kata sandi dan pilih pertanyaan pengaman. Catat keduanya: Anda memerlukannya untuk "
            "melanjutkan pengisian bila terputus."
        ),
    },
    {
        "title": "Jawab pertanyaan untuk setiap anggota keluarga",
        "text": (
            "Isi keterangan setiap anggota rumah tangga: nama, tanggal lahir, jenis kelamin, status "
            "perkawinan, agama, pendidikan dan tempat tinggal saat ini."
        ),
        "tip": (
            "Anggota keluarga yang sudah tinggal di tempat lain lebih dari enam bulan dicatat di tempat "
            "tinggalnya sekarang."
        ),
        "on_poster": True,
    },
    {
        "title": "Periksa, lalu kirim",
        "text": "Periksa kembali semua jawaban. Bila sudah benar, tekan tombol Kirim.",
    },
    {
        "title": "Simpan bukti pengisian",
        "text": (
            "Setelah terkirim, unduh atau foto bukti pengisian (tanda terima) dan simpan baik-baik. "
            "Tunjukkan bukti ini bila petugas sensus datang."
        ),
    },
]

PRESS_ROOM = {
    "title": "Ruang Pers",
    "slug": "ruang-pers",
    "intro": (
        "Siaran pers, lembar fakta, foto dan logo Sensus Penduduk 2020 dari BPS Provinsi Nusa Tenggara "
        "Timur. Bebas dipakai untuk pemberitaan dengan menyebut sumbernya."
    ),
    "press_email": "pst5300@bps.go.id",
    "press_phone": "(0380) 826289",
    "search_description": "Siaran pers, lembar fakta, foto dan logo Sensus Penduduk 2020 NTT.",
}
PRESS_CONTACTS = [
    {
        "name": "Humas BPS Provinsi NTT",
        "role": "Hubungan Masyarakat",
        "phone": "(0380) 826289",
        "email": "pst5300@bps.go.id",
    },
]
RELEASE_OPEN = {
    "title": "BPS NTT Ajak Warga Isi Sensus Penduduk Online, 15 Februari–31 Maret 2020",
    "slug": "bps-ntt-ajak-warga-isi-sensus-penduduk-online",
    "date": datetime.date(2020, 2, 14),
    "summary": (
        "BPS Provinsi Nusa Tenggara Timur mengajak seluruh warga mengisi Sensus Penduduk Online di "
        "sensus.bps.go.id mulai 15 Februari hingga 31 Maret 2020. Targetnya 23 persen penduduk NTT mengisi "
        "sendiri secara daring."
    ),
    "paragraphs": [
        "Kupang — Badan Pusat Statistik (BPS) Provinsi Nusa Tenggara Timur membuka Sensus Penduduk Online "
        "2020 pada 15 Februari. Warga cukup menyiapkan Nomor Kartu Keluarga dan NIK, lalu mengisi data "
        "seluruh anggota keluarga di sensus.bps.go.id.",
        "Dari sekitar 5,4 juta penduduk NTT, BPS menargetkan 23 persen atau kira-kira 1,24 juta orang "
        "mengisi sendiri secara daring. Enam tim pendamping mendatangi kantor-kantor di Kota Kupang untuk "
        "memandu pimpinan dan pegawai sampai datanya tercatat.",
    ],
    "quote": (
        "Mencatat Indonesia, Menuju Satu Data Kependudukan untuk Indonesia Maju.",
        "Tema Sensus Penduduk 2020",
    ),
}
RELEASE_EXTENDED = {
    "title": "Sensus Penduduk Online diperpanjang hingga 29 Mei 2020",
    "slug": "sensus-penduduk-online-diperpanjang-hingga-29-mei-2020",
    "date": datetime.date(2020, 3, 31),
    "summary": (
        "Karena pandemi COVID-19, Sensus Penduduk Online diperpanjang 59 hari hingga 29 Mei 2020 pukul "
        "23.59 WIB. Warga NTT yang belum mengisi masih dapat melakukannya di sensus.bps.go.id."
    ),
    "paragraphs": [
        "Kupang — BPS memperpanjang masa Sensus Penduduk Online hingga 29 Mei 2020 pukul 23.59 WIB. "
        "Perpanjangan 59 hari ini diputuskan karena pandemi COVID-19, agar warga tetap dapat mengisi "
        "dari rumah tanpa bertemu petugas.",
        "Wawancara lapangan yang semula dijadwalkan Juli 2020 dipindahkan ke September 2020. BPS Provinsi "
        "NTT mengajak warga yang belum mengisi untuk segera melakukannya dengan Nomor Kartu Keluarga dan "
        "NIK.",
    ],
}
# Photos and the logo: (title, kind, caption, credit, drawing).
MEDIA = [
    (
        "Tim pendamping di kantor Dukcapil Kota Kupang",
        MediaItem.Kind.PHOTO,
        "Tim pendamping BPS memandu pegawai mengisi Sensus Penduduk Online.",
        "Humas BPS Provinsi NTT",
        "team",
    ),
    (
        "Pencanangan Sensus Penduduk 2020 di Kupang",
        MediaItem.Kind.PHOTO,
        "Pencanangan Sensus Penduduk 2020: Mencatat Indonesia.",
        "Humas BPS Provinsi NTT",
        "launch",
    ),
    (
        "Warga mengisi sensus lewat ponsel",
        MediaItem.Kind.PHOTO,
        "Warga Kota Kupang mengisi sensus di sensus.bps.go.id lewat ponsel.",
        "Humas BPS Provinsi NTT",
        "phone",
    ),
    (
        "Logo Sensus Penduduk 2020",
        MediaItem.Kind.LOGO,
        "Logo Sensus Penduduk 2020 (PNG, latar transparan).",
        "BPS",
        "logo",
    ),
]
FACTS = [
    ("Target pengisian daring di NTT", "23%"),
    ("Penduduk NTT (hasil SP2020)", "5.325.566"),
    ("Sudah mengisi daring per 28 Mei 2020", "981.552"),
    ("Masa Sensus Penduduk Online", "15 Feb–29 Mei 2020"),
    ("Tim pendamping di Kota Kupang", "6 tim"),
    ("Target instansi sepekan, Kota Kupang", "63"),
]
FACT_NOTES = [
    "Sensus Penduduk Online semula dijadwalkan 15 Februari–31 Maret 2020 dan diperpanjang 59 hari hingga "
    "29 Mei 2020 pukul 23.59 WIB karena pandemi COVID-19.",
    "Sumber: BPS Provinsi Nusa Tenggara Timur; Antara Kupang, 29 Mei 2020 (jumlah pengisi daring).",
]


def _font(size, *, bold=False):
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for directory in FONT_DIRS:
        if (directory / name).exists():
            return ImageFont.truetype(str(directory / name), size)
    return ImageFont.load_default(size=size)


def _jpeg(image, quality=80):
    output = io.BytesIO()
    image.convert("RGB").save(output, "JPEG", quality=quality, optimize=True)
    return output.getvalue()


def draw_screenshot(kind):
    """A phone-browser mock-up of the census form, 640×400."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 44), fill=(235, 238, 242))
    draw.rounded_rectangle((14, 8, 626, 36), radius=14, fill="white", outline=(200, 205, 212))
    draw.text((34, 13), "sensus.bps.go.id", font=_font(17), fill=(40, 40, 40))
    draw.rectangle((0, 44, 640, 96), fill=BLUE)
    draw.text((24, 58), "Sensus Penduduk Online 2020", font=_font(22, bold=True), fill="white")
    if kind == "open":
        draw.text((24, 122), "Selamat datang", font=_font(26, bold=True), fill=BLUE)
        draw.text((24, 164), "Isi data keluarga Anda sendiri, kapan saja.", font=_font(18), fill=(60, 60, 60))
        draw.rounded_rectangle((24, 230, 300, 286), radius=10, fill=ORANGE)
        draw.text((58, 244), "Mulai mengisi", font=_font(22, bold=True), fill="white")
    else:
        for index, label in enumerate(("Nomor Kartu Keluarga", "NIK Kepala Keluarga", "Kode keamanan")):
            top = 116 + index * 84
            draw.text((24, top), label, font=_font(17, bold=True), fill=(50, 50, 50))
            draw.rounded_rectangle((24, top + 26, 616, top + 66), radius=6, outline=(150, 160, 170), width=2)
        draw.text((40, 150), "5371 0312 0408 0001", font=_font(18), fill=(80, 80, 80))
    return _jpeg(image)


def draw_photo(kind):
    """A simple illustrated 'photo', 1600×1067 JPEG."""
    from PIL import Image, ImageDraw

    width, height = 1600, 1067
    image = Image.new("RGB", (width, height), (214, 226, 238))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(height * 0.68), width, height), fill=(181, 160, 128))
    if kind == "launch":
        draw.rectangle((160, 160, 1440, 520), fill=BLUE)
        draw.text((800, 300), "SENSUS PENDUDUK 2020", font=_font(84, bold=True), fill="white", anchor="mm")
        draw.text((800, 420), "Mencatat Indonesia", font=_font(60), fill=ORANGE, anchor="mm")
    elif kind == "phone":
        draw.rounded_rectangle((620, 180, 980, 900), radius=40, fill=(30, 30, 30))
        draw.rectangle((650, 250, 950, 820), fill="white")
        draw.rectangle((650, 250, 950, 320), fill=BLUE)
        draw.text((668, 268), "sensus.bps.go.id", font=_font(26, bold=True), fill="white")
        for row in range(5):
            draw.rounded_rectangle(
                (670, 350 + row * 80, 930, 395 + row * 80), radius=8, outline=(150, 150, 150), width=3
            )
    else:
        draw.rectangle((140, 520, 1460, 600), fill=(120, 84, 50))
        for index in range(4):
            x = 260 + index * 330
            draw.ellipse((x - 70, 300, x + 70, 440), fill=(111, 78, 55))
            draw.rounded_rectangle(
                (x - 110, 440, x + 110, 720), radius=50, fill=BLUE if index % 2 else ORANGE
            )
        draw.rectangle((700, 470, 900, 540), fill=(40, 40, 40))
    draw.text((40, height - 70), "Ilustrasi demo · Jemput Bola", font=_font(30), fill=(70, 70, 70))
    return _jpeg(image, quality=78)


def draw_logo():
    """The campaign logo idea, 1000×1000 PNG with a transparent background."""
    from PIL import Image, ImageDraw

    size = 1000
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((60, 60, 940, 940), outline=BLUE, width=70)
    draw.ellipse((400, 230, 600, 430), fill=ORANGE)
    draw.rounded_rectangle((300, 470, 700, 760), radius=140, fill=BLUE)
    draw.text((500, 850), "SP2020", font=_font(110, bold=True), fill=BLUE, anchor="ms")
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


def _image(title, data, extension):
    Image = get_image_model()
    image = Image.objects.filter(title=title).first()
    if image is None:
        image = Image(title=title)
        image.file = ImageFile(
            io.BytesIO(data), name=f"demo-{title[:40].lower().replace(' ', '-')}.{extension}"
        )
        image.save()
    return image


def _document(title, data, filename):
    Document = get_document_model()
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title, file_size=len(data))
        document.file.save(filename, ContentFile(data), save=False)
        document.save()
    elif document.file_size is None:
        document.get_file_size()
    return document


def _page(parent, model, slug, **fields):
    """Create or update the child page ``slug`` of ``parent`` (without publishing)."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, live=False, **fields)
        parent.add_child(instance=page)
        return page
    for name, value in fields.items():
        setattr(page, name, value)
    return page


def _body(content):
    body = [{"type": "paragraph", "value": f"<p>{text}</p>"} for text in content["paragraphs"]]
    if "quote" in content:
        text, attribution = content["quote"]
        body.append({"type": "quote", "value": {"text": text, "attribution": attribution}})
    return body


def _publish_once(page):
    """Publish a demo page the first time only: loading again adds no revision."""
    if page.latest_revision_id is None:
        page.save()
        page.save_revision().publish()
    return page


def _release(room, content, *, attachments, go_live_at=None, photo=None):
    existing = PressReleasePage.objects.child_of(room).filter(slug=content["slug"]).first()
    if existing is not None and existing.latest_revision_id is not None:
        return existing
    content = demo_calendar().restate(content)  # its dates on the demo's calendar
    body = _body(content)
    if photo is not None:
        image, caption = photo
        body.insert(
            1, {"type": "image", "value": {"image": image.pk, "caption": caption, "credit": "Humas BPS"}}
        )
    release = _page(
        room,
        PressReleasePage,
        content["slug"],
        title=content["title"],
        date=demo_calendar().move(content["date"]),
        summary=content["summary"],
        body=body,
        search_description=content["summary"][:155],
    )
    release.attachments = [PressAttachment(document=document, title=title) for title, document in attachments]
    release.contacts = [PressContact(**contact) for contact in PRESS_CONTACTS]
    if go_live_at is not None and not release.live:
        release.go_live_at = go_live_at
    release.save()
    release.save_revision().publish()
    return release


@transaction.atomic
def load(*, stdout, with_users):
    home = HomePage.objects.first()
    if home is None:
        stdout.write("Materials: no home page, skipped.")
        return

    # Guides.
    index = _page(
        home,
        GuideIndexPage,
        GUIDE_INDEX["slug"],
        show_in_menus=True,
        **{k: v for k, v in GUIDE_INDEX.items() if k != "slug"},
    )
    _publish_once(index)
    screenshots = {
        name: _image(f"Tangkapan layar: {label}", draw_screenshot(name), "jpg")
        for name, label in (("open", "halaman depan sensus.bps.go.id"), ("login", "isian KK dan NIK"))
    }
    steps = [
        {
            "type": "step",
            "value": {
                "title": step["title"],
                "text": step["text"],
                "tip": step.get("tip", ""),
                "image": screenshots[step["screenshot"]].pk if step.get("screenshot") else None,
                "on_poster": step.get("on_poster", False),
            },
        }
        for step in STEPS
    ]
    guide = _page(
        index, GuidePage, GUIDE["slug"], steps=steps, **{k: v for k, v in GUIDE.items() if k != "slug"}
    )
    _publish_once(guide)
    stdout.write(f"Guide: {guide.title} ({len(STEPS)} steps, A4/A5 sheets and A3/A4 poster).")

    # Press room: the facts' dates on the demo's calendar.
    identity = printing.identity()
    restate = demo_calendar().restate
    fact_sheet = _document(
        "Lembar Fakta Sensus Penduduk Online 2020 NTT",
        pdf.fact_sheet(
            title="Sensus Penduduk Online 2020 di Nusa Tenggara Timur",
            subtitle="Lembar fakta untuk media",
            facts=restate(FACTS),
            notes=restate(FACT_NOTES),
            identity=identity,
        ),
        "lembar-fakta-sensus-penduduk-online-2020-ntt.pdf",
    )
    extension_sheet = _document(
        "Lampiran: jadwal perpanjangan Sensus Penduduk Online",
        pdf.fact_sheet(
            title="Jadwal baru Sensus Penduduk 2020",
            subtitle="Lampiran siaran pers perpanjangan Sensus Penduduk Online",
            facts=restate(
                [
                    ("Sensus Penduduk Online berakhir", "29 Mei 2020"),
                    ("Perpanjangan", "59 hari"),
                    ("Wawancara lapangan", "September 2020"),
                ]
            ),
            notes=restate(["Pengisian ditutup 29 Mei 2020 pukul 23.59 WIB; tidak ada perpanjangan lagi."]),
            identity=identity,
        ),
        "lampiran-jadwal-perpanjangan-sensus-penduduk-online.pdf",
    )
    room = _page(
        home,
        PressRoomPage,
        PRESS_ROOM["slug"],
        show_in_menus=True,
        **{k: v for k, v in PRESS_ROOM.items() if k != "slug"},
    )
    if room.latest_revision_id is None:
        _press_room_fill(room, fact_sheet)

    _release(room, RELEASE_OPEN, attachments=[("Lembar fakta Sensus Penduduk Online 2020 NTT", fact_sheet)])
    # Embargoed a week ahead, 09.00 WITA: it publishes itself (publish_scheduled).
    embargo = (timezone.localtime() + datetime.timedelta(days=7)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    extended = _release(
        room,
        RELEASE_EXTENDED,
        attachments=[("Jadwal perpanjangan Sensus Penduduk Online", extension_sheet)],
        go_live_at=embargo,
        # Its photo is withheld with it until go-live (campaign.materials.embargo).
        photo=(
            _image("Rapat perpanjangan Sensus Penduduk Online", draw_photo("team"), "jpg"),
            "Rapat koordinasi perpanjangan Sensus Penduduk Online.",
        ),
    )
    if extended.live:
        stdout.write(f"Press room: 2 releases; “{extended.title}” is already public.")
    else:
        stdout.write(
            f"Press room: 2 releases; “{extended.title}” embargoed until "
            f"{timezone.localtime(extended.go_live_at):%d-%m-%Y %H:%M} (publish_scheduled releases it)."
        )
    _print_demo_links(stdout, guide)


def _press_room_fill(room, fact_sheet):
    room.fact_sheets = [
        PressFactSheet(
            document=fact_sheet,
            title="Lembar fakta Sensus Penduduk Online 2020 NTT",
            description="Target, capaian dan jadwal dalam satu halaman (PDF).",
        )
    ]
    media_items = []
    for title, kind, caption, credit, drawing in MEDIA:
        if drawing == "logo":
            image = _image(title, draw_logo(), "png")
        else:
            image = _image(title, draw_photo(drawing), "jpg")
        media_items.append(MediaItem(image=image, kind=kind, caption=caption, credit=credit))
    room.media_items = media_items
    room.save()
    room.save_revision().publish()


def _print_demo_links(stdout, guide):
    from campaign.institutions.models import Contact, Institution

    institution = Institution.objects.order_by("pk").first()
    if institution is not None:
        url = tokens.guide_download_url(guide_id=guide.pk, institution_id=institution.pk)
        stdout.write(f"Guide link for the contacts of {institution.name}: {url}")
    contact = (
        Contact.objects.filter(media_partner__isnull=False, erased_at__isnull=True).order_by("pk").first()
    )
    if contact is not None:
        url = tokens.press_preview_url(contact_id=contact.pk)
        stdout.write(f"Press link of {contact.name} ({contact.media_partner}): {url}")
