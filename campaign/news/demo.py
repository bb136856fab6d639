"""Demo data of the news app: a dozen SP2020 posts from BPS NTT, with drawn images.

Figures are from ../shared/data/FACTS.md. Images are drawn with Pillow (no downloads):
a gradient, a few shapes, a big figure and a caption, like a simple infographic card.
"""

import datetime
import io
import math
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from campaign.core.demo import demo_calendar
from campaign.core.models import HomePage, Office, Region

from .models import NewsPage
from .services import news_index_ensure, news_page_save, news_related_set

INDEX = {
    "title": "Berita",
    "slug": "berita",
    "intro": (
        "<p>Kabar terbaru Sensus Penduduk Online 2020 di Nusa Tenggara Timur: jadwal, "
        "tim pendamping, dan capaian pengisian.</p>"
    ),
}
SEARCH_DESCRIPTION = "Berita dan pengumuman Sensus Penduduk Online 2020 dari BPS Provinsi NTT."
REPORTER = "Maria Ndun"
EDITOR = "Yohanes Bria"
CREDIT = "Ilustrasi: Humas BPS Provinsi NTT"
FORM = '<a href="https://sensus.bps.go.id">sensus.bps.go.id</a>'

# name: (top colour, bottom colour, accent, big text, small text)
IMAGES = {
    "target": ("#0b4f8a", "#073763", "#f7941d", "23%", "Target pengisian daring NTT"),
    "canang": ("#7a1f1f", "#b3452c", "#ffd08a", "SP2020", "Mencatat Indonesia"),
    "jadwal": ("#0f6e6e", "#0b4f8a", "#ffd08a", "15 Feb", "Sensus Penduduk Online dibuka"),
    "tim": ("#f7941d", "#b35f00", "#ffffff", "6 tim", "Pendamping di Kota Kupang"),
    "instansi": ("#2d6a4f", "#1b4332", "#f7941d", "63", "Instansi didampingi sepekan"),
    "rakorcam": ("#5a3e85", "#2e1f47", "#f7941d", "Rakorcam", "Rapat koordinasi kecamatan"),
    "sekolah": ("#0b4f8a", "#0f6e6e", "#ffd08a", "KK + NIK", "Siapkan dokumen keluarga"),
    "layanan": ("#1d3557", "#457b9d", "#f1faee", "WhatsApp", "Pendampingan jarak jauh"),
    "perpanjang": ("#b35f00", "#7a1f1f", "#ffffff", "29 Mei", "Sensus online diperpanjang"),
    "capaian": ("#073763", "#0b4f8a", "#f7941d", "981.552", "Warga NTT sudah mengisi"),
    "nasional": ("#1b4332", "#0b4f8a", "#ffd08a", "19,05%", "51,36 juta penduduk Indonesia"),
    "kantor": ("#33415c", "#0b4f8a", "#f7941d", "Jemput bola", "Petugas datang ke kantor Anda"),
}


def _p(*paragraphs):
    return [{"type": "paragraph", "value": f"<p>{text}</p>"} for text in paragraphs]


def _posts(images, guide):
    """The posts, oldest first: (slug, fields)."""
    theme = {
        "type": "quote",
        "value": {
            "text": "Mencatat Indonesia, Menuju Satu Data Kependudukan untuk Indonesia Maju.",
            "attribution": "Tema Sensus Penduduk 2020",
        },
    }
    return [
        (
            "bps-ntt-targetkan-23-persen-penduduk-isi-sensus-daring",
            {
                "title": "BPS NTT Targetkan 23 Persen Penduduk Isi Sensus secara Daring",
                "date": datetime.date(2019, 12, 5),
                "lead": (
                    "Dari sekitar 5,4 juta penduduk Nusa Tenggara Timur, BPS menargetkan 23 "
                    "persen atau kira-kira 1,24 juta orang mengisi sendiri Sensus Penduduk "
                    "Online 2020."
                ),
                "image": "target",
                "region": "53",
                "tags": ["sensus online", "target"],
                "body": _p(
                    "Badan Pusat Statistik (BPS) Provinsi Nusa Tenggara Timur menetapkan "
                    "target partisipasi Sensus Penduduk Online sebesar 23 persen dari sekitar "
                    "5,4 juta penduduk provinsi ini, atau kira-kira 1,24 juta orang.",
                    "Sensus Penduduk 2020 memakai metode kombinasi: warga lebih dulu diajak "
                    "mengisi sendiri secara daring, lalu petugas mendatangi rumah tangga yang "
                    "belum tercatat. Semakin banyak yang mengisi daring, semakin ringan kerja "
                    "petugas di lapangan.",
                    f"Pengisian dilakukan di {FORM} dengan Nomor Kartu Keluarga dan NIK.",
                ),
            },
        ),
        (
            "sensus-penduduk-2020-mencatat-indonesia",
            {
                "title": "Sensus Penduduk 2020 Dicanangkan: Mencatat Indonesia",
                "date": datetime.date(2020, 1, 24),
                "lead": (
                    "Presiden mencanangkan Sensus Penduduk 2020 dengan tema Mencatat Indonesia. "
                    "Untuk pertama kali, penduduk dapat mengisi sensus sendiri lewat internet."
                ),
                "image": "canang",
                "region": None,
                "tags": ["sp2020", "mencatat indonesia"],
                "body": [
                    *_p(
                        "Sensus Penduduk 2020 resmi dicanangkan pada 24 Januari 2020. Sensus "
                        "ini menjadi langkah menuju Satu Data Kependudukan: data penduduk "
                        "hasil sensus dipadukan dengan data administrasi kependudukan.",
                        "Masyarakat diajak menyebarkan ajakan mengisi sensus dengan tagar "
                        "#MencatatIndonesia.",
                    ),
                    theme,
                ],
            },
        ),
        (
            "sensus-penduduk-online-dibuka-15-februari",
            {
                "title": "Sensus Penduduk Online Dibuka 15 Februari hingga 31 Maret 2020",
                "date": datetime.date(2020, 2, 15),
                "lead": (
                    "Mulai hari ini warga NTT dapat mengisi Sensus Penduduk Online di "
                    "sensus.bps.go.id. Siapkan Kartu Keluarga dan NIK setiap anggota keluarga."
                ),
                "image": "jadwal",
                "region": "53",
                "tags": ["sensus online", "panduan"],
                "body": [
                    *_p(
                        f"Sensus Penduduk Online dibuka pada 15 Februari dan direncanakan "
                        f"berlangsung hingga 31 Maret 2020. Formulir tersedia di {FORM}.",
                        "Caranya: masukkan Nomor Kartu Keluarga dan NIK kepala keluarga, buat "
                        "kata sandi, lalu isi data setiap anggota keluarga sampai selesai dan "
                        "kirim. Satu keluarga cukup mengisi satu kali.",
                    ),
                    {"type": "document", "value": {"document": guide.pk, "title": ""}},
                ],
            },
        ),
        (
            "enam-tim-pendamping-ke-kantor-kantor-kota-kupang",
            {
                "title": "BPS Kerahkan Enam Tim Pendamping ke Kantor-Kantor di Kota Kupang",
                "date": datetime.date(2020, 2, 17),
                "lead": (
                    "Enam tim BPS menjemput bola: setiap tim mendatangi 10 sampai 11 instansi "
                    "sepekan untuk memandu pimpinan dan pegawai mengisi sensus daring."
                ),
                "image": "tim",
                "region": "5371",
                "tags": ["jemput bola", "tim pendamping"],
                "body": [
                    *_p(
                        "BPS Provinsi NTT membentuk enam tim pendamping untuk Kota Kupang. "
                        "Setiap tim menargetkan 10 sampai 11 instansi per pekan: kantor "
                        "pemerintah, DPRD, BUMN, BUMD, lembaga pendidikan, dan perusahaan "
                        "swasta.",
                        "Pendampingan dianggap berhasil bila pimpinan dan pegawai dipandu "
                        "sampai datanya tercatat, bukan sekadar menerima sosialisasi.",
                    ),
                    {
                        "type": "image",
                        "value": {
                            "image": images["kantor"].pk,
                            "caption": "Tim pendamping datang ke kantor-kantor di Kota Kupang.",
                            "credit": CREDIT,
                        },
                    },
                    *_p(
                        "Instansi yang ingin didampingi dapat menghubungi BPS Provinsi NTT "
                        "melalui telepon (0380) 826289."
                    ),
                ],
            },
        ),
        (
            "63-instansi-kota-kupang-didampingi-pekan-ini",
            {
                "title": "Pekan Ini 63 Instansi di Kota Kupang Didampingi Mengisi Sensus Online",
                "date": datetime.date(2020, 2, 24),
                "lead": (
                    "Target Kota Kupang pekan ini 63 instansi, dibagi kepada enam tim "
                    "pendamping dengan 10 sampai 11 instansi untuk setiap tim."
                ),
                "image": "instansi",
                "region": "5371",
                "tags": ["jemput bola", "instansi"],
                "body": _p(
                    "Jadwal pendampingan pekan ini mencakup 63 instansi di Kota Kupang. "
                    "Setiap tim membawa daftar kunjungan dan mencatat berapa pegawai yang "
                    "dipandu dan berapa yang sudah selesai mengisi.",
                    "Pimpinan instansi diminta menyiapkan ruangan dan mengingatkan pegawai "
                    "membawa Kartu Keluarga atau fotonya.",
                ),
            },
        ),
        (
            "rakorcam-camat-kabupaten-kupang-gerakkan-warga",
            {
                "title": "Rakorcam: Camat se-Kabupaten Kupang Diajak Gerakkan Warga",
                "date": datetime.date(2020, 3, 2),
                "lead": (
                    "Tim BPS hadir di rapat koordinasi kecamatan (Rakorcam) di setiap "
                    "kabupaten untuk mengajak camat, lurah, dan kepala desa menggerakkan warga."
                ),
                "image": "rakorcam",
                "region": "5303",
                "tags": ["rakorcam", "sosialisasi"],
                "body": _p(
                    "Rakorcam menjadi jalan cepat menjangkau desa: camat meneruskan ajakan "
                    "kepada kepala desa dan lurah, yang kemudian mengumumkannya di kantor "
                    "desa, tempat ibadah, dan posyandu.",
                    "BPS membawa contoh formulir dan panduan singkat agar perangkat desa dapat "
                    "membantu warga yang belum terbiasa mengisi formulir daring.",
                ),
            },
        ),
        (
            "pegawai-dprd-dan-bumd-dipandu-sampai-tercatat",
            {
                "title": "Pegawai DPRD dan BUMD Dipandu sampai Datanya Tercatat",
                "date": datetime.date(2020, 3, 9),
                "lead": (
                    "Pendampingan di DPRD dan badan usaha milik daerah dilakukan sampai setiap "
                    "pegawai selesai mengisi, bukan hanya mendengar sosialisasi."
                ),
                "image": "kantor",
                "region": "5371",
                "tags": ["jemput bola", "instansi"],
                "body": _p(
                    "Di setiap kunjungan, tim pendamping memandu pegawai langkah demi langkah "
                    "di ponsel masing-masing. Pegawai yang tidak membawa Kartu Keluarga "
                    "dicatat dan dihubungi kembali.",
                    "Pola ini diterapkan di semua jenis instansi: kantor pemerintah, DPRD, "
                    "BUMN, BUMD, lembaga pendidikan, dan perusahaan swasta.",
                ),
            },
        ),
        (
            "sekolah-dan-kampus-ikut-menjemput-bola",
            {
                "title": "Sekolah dan Kampus Ikut Menjemput Bola",
                "date": datetime.date(2020, 3, 16),
                "lead": (
                    "Guru, dosen, dan mahasiswa diajak membantu keluarga mengisi sensus daring "
                    "dengan Kartu Keluarga dan NIK."
                ),
                "image": "sekolah",
                "region": "53",
                "tags": ["sosialisasi", "sensus online"],
                "body": _p(
                    "Lembaga pendidikan termasuk instansi yang didampingi. Generasi muda yang "
                    "akrab dengan ponsel diharapkan membantu orang tua dan tetangga mengisi "
                    "formulir.",
                    f"Formulir tetap sama untuk semua: {FORM}. Satu keluarga cukup satu kali mengisi.",
                ),
            },
        ),
        (
            "pendampingan-beralih-ke-layanan-jarak-jauh",
            {
                "title": "Pendampingan Beralih ke Layanan Jarak Jauh",
                "date": datetime.date(2020, 3, 23),
                "lead": (
                    "Selama pandemi COVID-19, pendampingan tatap muka dikurangi. Warga dan "
                    "instansi dapat bertanya lewat telepon dan WhatsApp."
                ),
                "image": "layanan",
                "region": "5371",
                "tags": ["layanan", "covid-19"],
                "body": _p(
                    "Untuk mengurangi pertemuan, tim pendamping melayani pertanyaan melalui "
                    "telepon (0380) 826289 dan WhatsApp 0822-4729-1975.",
                    "Instansi yang sudah dijadwalkan dapat meminta panduan dikirim dalam "
                    "bentuk lembar petunjuk dan tautan formulir.",
                ),
            },
        ),
        (
            "sensus-online-diperpanjang-hingga-29-mei-2020",
            {
                "title": "Sensus Penduduk Online Diperpanjang hingga 29 Mei 2020",
                "date": datetime.date(2020, 3, 31),
                "lead": (
                    "Karena pandemi COVID-19, Sensus Penduduk Online diperpanjang 59 hari dan "
                    "ditutup 29 Mei 2020 pukul 23.59 WIB."
                ),
                "image": "perpanjang",
                "region": "53",
                "tags": ["sensus online", "perpanjangan"],
                "body": [
                    *_p(
                        "Semula Sensus Penduduk Online berakhir 31 Maret 2020. Masa pengisian "
                        "diperpanjang hingga 29 Mei 2020 pukul 23.59 WIB, tanpa perpanjangan "
                        "lagi.",
                        "Pencacahan lapangan yang direncanakan Juli 2020 dipindahkan ke "
                        "September 2020. Warga yang mengisi daring tidak akan didatangi "
                        "petugas untuk pertanyaan yang sama.",
                    ),
                    theme,
                ],
            },
        ),
        (
            "981552-warga-ntt-sudah-isi-sensus-online",
            {
                "title": "981.552 Warga NTT Sudah Isi Sensus Penduduk Online",
                "date": datetime.date(2020, 5, 29),
                "lead": (
                    "Hingga 28 Mei 2020, 981.552 penduduk NTT mengisi sensus secara daring, "
                    "sekitar 16 persen, di bawah target 23 persen."
                ),
                "image": "capaian",
                "region": "53",
                "tags": ["hasil", "sensus online"],
                "body": _p(
                    "Kepala BPS Provinsi NTT, Darwis Sitorus, menyebut capaian sekitar 16 "
                    "persen penduduk itu masih di bawah target 23 persen. Menurutnya, akses "
                    "internet menjadi kendala utama di banyak daerah.",
                    "Penduduk yang belum mengisi akan didata petugas pada pencacahan lapangan "
                    "September 2020.",
                ),
            },
        ),
        (
            "nasional-51-juta-penduduk-isi-sensus-online",
            {
                "title": "Secara Nasional 51,36 Juta Penduduk Isi Sensus Online",
                "date": datetime.date(2020, 6, 2),
                "lead": (
                    "Sensus Penduduk Online ditutup 29 Mei 2020 dengan 51,36 juta penduduk "
                    "atau 19,05 persen penduduk Indonesia mengisi sendiri."
                ),
                "image": "nasional",
                "region": None,
                "tags": ["hasil", "sp2020"],
                "body": _p(
                    "BPS mencatat 51,36 juta penduduk, atau 19,05 persen, mengisi sendiri "
                    "Sensus Penduduk Online sampai ditutup pada 29 Mei 2020.",
                    "Terima kasih kepada semua instansi dan warga NTT yang telah mengisi. #MencatatIndonesia",
                ),
            },
        ),
    ]


# Editor's picks for "Read also"; other posts fall back on shared tags.
RELATED = {
    "sensus-online-diperpanjang-hingga-29-mei-2020": [
        "sensus-penduduk-online-dibuka-15-februari",
        "981552-warga-ntt-sudah-isi-sensus-online",
    ],
    "981552-warga-ntt-sudah-isi-sensus-online": [
        "bps-ntt-targetkan-23-persen-penduduk-isi-sensus-daring",
        "nasional-51-juta-penduduk-isi-sensus-online",
    ],
}

# A draft waiting for the head of section, when demo users exist.
DRAFT = {
    "slug": "jadwal-pencacahan-lapangan-september-2020",
    "title": "Pencacahan Lapangan Sensus Penduduk Dijadwalkan September 2020",
    "date": datetime.date(2020, 6, 5),
    "lead": "Petugas akan mendatangi rumah tangga yang belum mengisi Sensus Penduduk Online.",
    "body": _p(
        "Pencacahan lapangan dipindahkan dari Juli ke September 2020. Petugas hanya "
        "mendatangi penduduk yang belum tercatat dalam Sensus Penduduk Online."
    ),
    "tags": ["sp2020"],
}


@transaction.atomic
def load(*, stdout, with_users):
    home = HomePage.objects.first()
    if home is None:
        stdout.write("News: no home page; load the core demo data first.")
        return
    index = news_index_ensure(parent=home, search_description=SEARCH_DESCRIPTION, **INDEX)

    images = {name: _image(name, *spec) for name, spec in IMAGES.items()}
    guide = _guide_document()
    regions = Region.objects.in_bulk(["53", "5303", "5371"], field_name="code")
    posts = {}
    calendar = demo_calendar()
    today = timezone.localdate()
    existing = {post.slug: post for post in NewsPage.objects.child_of(index)}
    for slug, fields in _posts(images, guide):
        if slug in existing:  # loaded before: left as it is (no new revision)
            posts[slug] = existing[slug]
            continue
        image_name = fields.pop("image")
        region_code = fields.pop("region")
        # The post's 2020 date on the demo calendar (and the dates its text names); a
        # later one is scheduled, not live.
        fields = calendar.restate(fields)
        fields["date"] = calendar.move(fields["date"])
        go_live_at = None
        if fields["date"] > today:
            go_live_at = timezone.make_aware(datetime.datetime.combine(fields["date"], datetime.time(8)))
        posts[slug] = news_page_save(
            go_live_at=go_live_at,
            index=index,
            slug=slug,
            reporter=REPORTER,
            editor=EDITOR,
            hero_image=images[image_name],
            hero_caption=IMAGES[image_name][4] + ".",
            hero_credit=CREDIT,
            region=regions.get(region_code) if region_code else None,
            related=[posts[other] for other in RELATED.get(slug, []) if other in posts],
            **fields,
        )
    for slug, related in RELATED.items():
        news_related_set(post=posts[slug], related=[posts[other] for other in related])
    stdout.write(f"News: {len(posts)} posts under {index.url_path}.")
    _office_section(home, images, calendar)
    if with_users:
        _draft_in_moderation(index)


# BPS Kota Kupang's own section of the site (issue 19): its staff write here and only
# here (the office's ``section``; the office-aware page permission policy).
OFFICE_SECTION = {
    "office": "5371",
    "title": "Berita BPS Kota Kupang",
    "slug": "berita-kota-kupang",
    "intro": "<p>Kabar tim pendamping BPS Kota Kupang dari kantor-kantor di kota.</p>",
}
OFFICE_POST = {
    "slug": "tim-kota-kupang-dampingi-dprd-kota",
    "title": "Tim BPS Kota Kupang Dampingi Anggota DPRD Kota Isi Sensus Online",
    "date": datetime.date(2020, 2, 27),
    "lead": (
        "Tim pendamping BPS Kota Kupang membantu anggota dan staf sekretariat DPRD Kota "
        "Kupang mengisi Sensus Penduduk Online langkah demi langkah."
    ),
    "body": _p(
        "Selama satu jam tim pendamping membuka sensus.bps.go.id bersama anggota dewan dan "
        "staf sekretariat, menunjukkan cara mengisi dengan NIK dan nomor Kartu Keluarga.",
        "Staf yang belum selesai dapat melanjutkan dari rumah hingga 31 Maret 2020.",
    ),
}


def _office_section(home, images, calendar):
    office = Office.objects.filter(code=OFFICE_SECTION["office"]).first()
    if office is None:
        return
    fields = {key: value for key, value in OFFICE_SECTION.items() if key != "office"}
    # Reached from the office's own links, not the site's menu.
    section = news_index_ensure(parent=home, show_in_menus=False, **fields)
    if office.section_id != section.pk:
        office.section = section
        office.save(update_fields=["section"])
    if not NewsPage.objects.child_of(section).filter(slug=OFFICE_POST["slug"]).exists():
        post = calendar.restate(dict(OFFICE_POST))
        post["date"] = calendar.move(post["date"])
        go_live_at = None  # a day still ahead on the demo calendar: scheduled
        if post["date"] > timezone.localdate():
            go_live_at = timezone.make_aware(datetime.datetime.combine(post["date"], datetime.time(8)))
        news_page_save(
            index=section,
            go_live_at=go_live_at,
            reporter=REPORTER,
            editor=EDITOR,
            hero_image=images["tim"],
            hero_caption=IMAGES["tim"][4] + ".",
            hero_credit=CREDIT,
            region=Region.objects.filter(code="5371").first(),
            **post,
        )


def _draft_in_moderation(index):
    editor = get_user_model().objects.filter(username="editor").first()
    if editor is None or NewsPage.objects.child_of(index).filter(slug=DRAFT["slug"]).exists():
        return
    draft = news_page_save(
        index=index,
        publish=False,
        user=editor,
        **{**demo_calendar().restate(DRAFT), "date": demo_calendar().move(DRAFT["date"])},
    )
    workflow = draft.get_workflow()
    if workflow is not None:
        workflow.start(draft, editor)


# --- Drawn images -------------------------------------------------------------------

SIZE = (1200, 675)
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]


def _font(size, *, bold):
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for directory in FONT_DIRS:
        if (directory / name).exists():
            return ImageFont.truetype(str(directory / name), size)
    return ImageFont.load_default(size=size)


def _rgb(colour):
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def draw_card(*, top, bottom, accent, big, small, seed=0):
    """A 1200×675 JPEG: diagonal gradient, soft circles, a big figure and a caption."""
    from PIL import Image, ImageDraw, ImageFilter

    width, height = SIZE
    top, bottom, accent = _rgb(top), _rgb(bottom), _rgb(accent)
    gradient = Image.linear_gradient("L").rotate(-35, expand=True).resize(SIZE)
    image = Image.composite(Image.new("RGB", SIZE, bottom), Image.new("RGB", SIZE, top), gradient)
    shapes = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    for number in range(6):
        angle = seed * 0.9 + number * 1.1
        x = int(width * (0.62 + 0.3 * math.cos(angle)))
        y = int(height * (0.45 + 0.4 * math.sin(angle * 1.3)))
        radius = 60 + ((seed * 37 + number * 53) % 160)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*accent, 38 + number * 6))
    shapes = shapes.filter(ImageFilter.GaussianBlur(2))
    image = Image.alpha_composite(image.convert("RGBA"), shapes)
    draw = ImageDraw.Draw(image)
    # The census logo idea: a stylised person inside a circle, bottom right.
    cx, cy, r = width - 150, height - 150, 90
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(255, 255, 255, 230), width=10)
    draw.ellipse((cx - 22, cy - 55, cx + 22, cy - 11), fill=(255, 255, 255, 230))
    draw.rounded_rectangle((cx - 45, cy, cx + 45, cy + 55), radius=22, fill=(255, 255, 255, 230))
    draw.rectangle((70, 90, 70 + 120, 98), fill=(*accent, 255))
    draw.text((70, 118), "SENSUS PENDUDUK 2020 · NTT", font=_font(34, bold=True), fill="white")
    big_font = _font(150 if len(big) <= 8 else 120, bold=True)
    draw.text((62, 230), big, font=big_font, fill=(*accent, 255))
    draw.text((70, 430), small, font=_font(52, bold=False), fill="white")
    draw.text((70, height - 90), "#MencatatIndonesia", font=_font(34, bold=True), fill="white")
    output = io.BytesIO()
    image.convert("RGB").save(output, "JPEG", quality=82, optimize=True, progressive=True)
    return output.getvalue()


def _image(name, top, bottom, accent, big, small):
    Image = get_image_model()
    title = f"Ilustrasi berita: {small}"
    existing = Image.objects.filter(title=title).first()
    if existing is not None:
        return existing
    data = draw_card(
        top=top, bottom=bottom, accent=accent, big=big, small=small, seed=len(name) + ord(name[0])
    )
    image = Image(
        title=title,
        description=f"{big}: {small}",
        file=ImageFile(io.BytesIO(data), name=f"berita-{name}.jpg"),
    )
    image.full_clean()
    image.save()
    return image


def _guide_document():
    """A one-page PDF guide to the online form, drawn with reportlab."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    Document = get_document_model()
    title = "Panduan singkat Sensus Penduduk Online"
    existing = Document.objects.filter(title=title).first()
    if existing is not None:
        return existing
    output = io.BytesIO()
    pdf = canvas.Canvas(output, pagesize=A4)
    pdf.setTitle(title)
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(72, 770, title)
    pdf.setFont("Helvetica", 12)
    steps = [
        "1. Buka https://sensus.bps.go.id",
        "2. Masukkan Nomor Kartu Keluarga dan NIK kepala keluarga.",
        "3. Buat kata sandi, lalu isi data setiap anggota keluarga.",
        "4. Periksa kembali, lalu kirim. Satu keluarga cukup satu kali.",
        "Bantuan: BPS Provinsi NTT (0380) 826289 · WhatsApp 0822-4729-1975",
    ]
    for number, line in enumerate(steps):
        pdf.drawString(72, 730 - number * 24, line)
    pdf.showPage()
    pdf.save()
    from django.core.files.base import ContentFile

    document = Document(title=title, file=ContentFile(output.getvalue(), name="panduan-sp2020.pdf"))
    document.full_clean()
    document.save()
    return document
