"""Demo registry: about 150 institutions in Kota Kupang and three regencies, their
contacts, and the media partners of the NTT campaign.

Built through the real import service from an in-memory spreadsheet, so the demo
exercises the same checks as a staff upload, and loading it twice changes nothing.
"""

import io
import random

from django.db import transaction

from campaign.core.exports import SafeCsvWriter
from campaign.core.models import Region

from .models import Contact, MediaPartner
from .names import FIRST_NAMES, LAST_NAMES
from .services import contact_save, institution_kinds_seed, institutions_import, media_partner_save

SOURCE = "Data demo Jemput Bola (fiktif)"

KUPANG_FIXED = [
    ("Kantor Pemerintah", "Kantor Wali Kota Kupang", "5371030", "Jl. S.K. Lerik, Kelapa Lima", 650),
    (
        "Kantor Pemerintah",
        "Dinas Kependudukan dan Pencatatan Sipil Kota Kupang",
        "5371030",
        "Jl. S.K. Lerik",
        85,
    ),
    (
        "Kantor Pemerintah",
        "Dinas Pendidikan dan Kebudayaan Kota Kupang",
        "5371030",
        "Jl. Palapa, Oebobo",
        120,
    ),
    ("Kantor Pemerintah", "Dinas Kesehatan Kota Kupang", "5371031", "Jl. Tompello, Kota Raja", 140),
    ("Kantor Pemerintah", "Kantor Gubernur Nusa Tenggara Timur", "5371030", "Jl. El Tari No. 52", 900),
    (
        "Kantor Pemerintah",
        "Badan Perencanaan Pembangunan Daerah Provinsi NTT",
        "5371030",
        "Jl. Polisi Militer",
        110,
    ),
    ("Kantor Pemerintah", "Kantor Wilayah Kementerian Agama Provinsi NTT", "5371030", "Jl. Frans Seda", 160),
    ("Kantor Pemerintah", "Kepolisian Daerah NTT", "5371030", "Jl. Jenderal Soeharto", 1200),
    ("DPRD", "DPRD Kota Kupang", "5371031", "Jl. Jenderal Sudirman", 75),
    ("DPRD", "DPRD Provinsi Nusa Tenggara Timur", "5371030", "Jl. El Tari", 110),
    ("BUMN", "PT PLN (Persero) Unit Induk Wilayah NTT", "5371030", "Jl. Piet A. Tallo", 420),
    ("BUMN", "PT Telkom Indonesia Witel NTT", "5371041", "Jl. Urip Sumohardjo", 230),
    ("BUMN", "PT Pos Indonesia Kantor Pos Kupang", "5371041", "Jl. Soekarno", 95),
    ("BUMN", "PT Bank Rakyat Indonesia Kantor Cabang Kupang", "5371041", "Jl. Sumba", 180),
    ("BUMN", "PT Pelabuhan Indonesia Tenau Kupang", "5371010", "Jl. Yos Sudarso, Tenau", 150),
    ("BUMN", "Perum Bulog Kantor Wilayah NTT", "5371020", "Jl. Perintis Kemerdekaan", 70),
    ("BUMN", "PT Angkasa Pura Bandara El Tari", "5371020", "Jl. Adisucipto, Penfui", 260),
    ("BUMD", "PT Bank Pembangunan Daerah NTT (Bank NTT)", "5371031", "Jl. W.J. Lalamentik", 600),
    ("BUMD", "Perumda Air Minum Kota Kupang", "5371031", "Jl. Perintis Kemerdekaan", 210),
    ("BUMD", "PT Flobamor", "5371030", "Jl. Palapa", 60),
    ("Lembaga Pendidikan", "Universitas Nusa Cendana", "5371020", "Jl. Adisucipto, Penfui", 1300),
    ("Lembaga Pendidikan", "Politeknik Negeri Kupang", "5371020", "Jl. Adisucipto, Penfui", 420),
    ("Lembaga Pendidikan", "Universitas Katolik Widya Mandira", "5371030", "Jl. Jenderal Ahmad Yani", 520),
    ("Lembaga Pendidikan", "Universitas Muhammadiyah Kupang", "5371040", "Jl. K.H. Ahmad Dahlan", 300),
    ("Swasta", "Hotel Aston Kupang", "5371040", "Jl. Timor Raya", 180),
    ("Swasta", "Lippo Plaza Kupang", "5371030", "Jl. Veteran", 350),
    ("Swasta", "Hypermart Kupang", "5371031", "Jl. Soeharto", 140),
]
REGENCY_FIXED = [
    ("Kantor Pemerintah", "Kantor Bupati Kupang", "5303", "Jl. Timor Raya, Oelamasi", 480),
    ("DPRD", "DPRD Kabupaten Kupang", "5303", "Oelamasi", 60),
    ("Kantor Pemerintah", "Kantor Bupati Timor Tengah Selatan", "5304", "Jl. Gatot Subroto, Soe", 520),
    ("DPRD", "DPRD Kabupaten Timor Tengah Selatan", "5304", "Soe", 55),
    ("Kantor Pemerintah", "Kantor Bupati Sikka", "5310", "Jl. El Tari, Maumere", 500),
    ("DPRD", "DPRD Kabupaten Sikka", "5310", "Maumere", 50),
    ("Lembaga Pendidikan", "Universitas Nusa Nipa Maumere", "5310", "Jl. Kesehatan, Maumere", 240),
    ("BUMD", "Bank NTT Cabang Soe", "5304", "Soe", 45),
    ("BUMD", "Bank NTT Cabang Maumere", "5310", "Maumere", 48),
]
MEDIA = [
    ("Pos Kupang", MediaPartner.Medium.PRINT, "https://kupang.tribunnews.com"),
    ("Timor Express", MediaPartner.Medium.PRINT, ""),
    ("Victory News", MediaPartner.Medium.PRINT, ""),
    ("RRI Kupang", MediaPartner.Medium.RADIO, ""),
    ("TVRI Nusa Tenggara Timur", MediaPartner.Medium.TV, ""),
    ("Kupang TV", MediaPartner.Medium.TV, ""),
    ("Antara NTT", MediaPartner.Medium.ONLINE, "https://kupang.antaranews.com"),
    ("Suluh Nusa", MediaPartner.Medium.ONLINE, ""),
]
POSITIONS = [
    "Kepala Kantor",
    "Sekretaris",
    "Kepala Bagian Umum",
    "Kepala Sub Bagian Kepegawaian",
    "Kepala Bidang",
    "Direktur",
    "Kepala Sekolah",
    "Manajer SDM",
    "Staf Humas",
]


def _rows():
    rng = random.Random(2020)  # noqa: S311 - the same demo every time, not for secrets
    rows = [*KUPANG_FIXED, *REGENCY_FIXED]
    # Every kelurahan office in Kota Kupang, in its district.
    for village in Region.objects.filter(level="village", code__startswith="5371").order_by("code"):
        rows.append(
            ("Kantor Pemerintah", f"Kantor Lurah {village.name}", village.parent.code, "", rng.randint(8, 20))
        )
    districts = list(Region.objects.filter(level="district", code__startswith="5371").order_by("code"))
    for number in range(1, 16):
        rows.append(
            (
                "Lembaga Pendidikan",
                f"SMA Negeri {number} Kupang",
                districts[number % 6].code,
                "",
                rng.randint(40, 90),
            )
        )
    for number in range(1, 21):
        rows.append(
            (
                "Lembaga Pendidikan",
                f"SMP Negeri {number} Kupang",
                districts[(number + 2) % 6].code,
                "",
                rng.randint(30, 70),
            )
        )
    companies = [
        "CV Karya Flobamora",
        "PT Sinar Timor",
        "CV Sasando Jaya",
        "PT Nusa Lontar",
        "Toko Cahaya Kupang",
        "PT Timor Membangun",
        "CV Fatuleu Sejahtera",
        "PT Kupang Permai",
        "Koperasi Kredit Swasti Sari",
        "CV Bintang Timur",
        "PT Tenau Logistik",
        "Apotek Kasih Kupang",
        "Rumah Sakit Siloam Kupang",
        "RS Mamami Kupang",
        "Hotel Kristal Kupang",
        "Hotel On The Rock",
        "PT Semen Kupang",
        "CV Oesapa Mandiri",
        "PT Lasiana Bahari",
        "Toko Buku Gramedia Kupang",
    ]
    for name in companies:
        rows.append(("Swasta", name, rng.choice(districts).code, "", rng.randint(10, 250)))
    for name in [
        "Kantor Camat Alak",
        "Kantor Camat Maulafa",
        "Kantor Camat Oebobo",
        "Kantor Camat Kota Raja",
        "Kantor Camat Kelapa Lima",
        "Kantor Camat Kota Lama",
    ]:
        district = next(d for d in districts if d.name == name.removeprefix("Kantor Camat "))
        rows.append(("Kantor Pemerintah", name, district.code, "", rng.randint(20, 40)))
    return rows, rng


def _spreadsheet(rows, rng):
    output = io.StringIO()
    writer = SafeCsvWriter(output)
    writer.writerow(
        [
            "external_id",
            "nama",
            "jenis",
            "kode_wilayah",
            "alamat",
            "jumlah_pegawai",
            "nama_kontak",
            "jabatan_kontak",
            "email_kontak",
            "telepon_kontak",
        ]
    )
    for number, (kind, name, region, address, employees) in enumerate(rows, start=1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        writer.writerow(
            [
                f"DEMO-{number:04d}",
                name,
                kind,
                region,
                address,
                employees,
                f"{first} {last}",
                rng.choice(POSITIONS),
                f"{first}.{last}.{number}@contoh.example.org".lower().replace(" ", ""),
                f"0812{rng.randint(10_000_000, 99_999_999)}",
            ]
        )
    return output.getvalue().encode("utf-8")


@transaction.atomic
def load(*, stdout, with_users):
    institution_kinds_seed()
    rows, rng = _rows()
    result = institutions_import(
        content=_spreadsheet(rows, rng), filename="demo-institusi.csv", source=SOURCE
    )
    if result.errors:
        raise RuntimeError(f"demo import failed: {result.errors[:5]}")
    stdout.write(
        f"Institutions: {result.rows} in the list ({result.created} new, {result.updated} updated); "
        f"{result.contacts_created} new contacts."
    )
    kupang = Region.objects.get(code="5371")
    for index, (name, medium, website) in enumerate(MEDIA):
        partner = media_partner_save(name=name, medium=medium, region=kupang, website=website)
        first, last = FIRST_NAMES[index * 3 % len(FIRST_NAMES)], LAST_NAMES[index * 5 % len(LAST_NAMES)]
        if not partner.contacts.exists():
            contact_save(
                media_partner=partner,
                name=f"{first} {last}",
                position="Redaktur",
                email=f"redaksi{index + 1}@media.example.org",
                phone=f"+62813{3900000 + index:07d}",
                consent_source=SOURCE,
                lawful_basis=Contact.LawfulBasis.CONSENT,
            )
    stdout.write(f"Media partners: {MediaPartner.objects.count()}.")
    from .demo_fieldwork import load as load_fieldwork

    load_fieldwork(stdout=stdout)
