"""The pure PDF functions: real QR decoding, escaping, wrapping, placeholders, packs."""

import dataclasses
import datetime
import io
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image

from campaign.materials import pdf
from tests.materials.pdftools import (
    decode_qr,
    pdf_image_files,
    pdf_images,
    pdf_page_count,
    pdf_text,
    pdf_to_png,
    pdf_words,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
HOSTILE = ["R&D <Unit", '<a href="javascript:alert(1)">x</a>']

IDENTITY = pdf.Identity(
    organisation_name="BPS Provinsi Nusa Tenggara Timur",
    campaign_name="Sensus Penduduk 2020 — Sensus Penduduk Online",
    hashtag="#MencatatIndonesia",
    hotline="(0380) 826289",
    whatsapp="+6282247291975",
    website="https://ntt.bps.go.id",
)


def _screenshot():
    image = Image.new("RGB", (640, 400), "white")
    image.paste((11, 79, 138), (0, 0, 640, 60))
    image.paste((247, 148, 29), (220, 280, 420, 330))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=70)
    return output.getvalue()


def _content(**overrides):
    steps = (
        pdf.GuideStep(
            "Buka situs sensus.bps.go.id",
            "Gunakan ponsel atau komputer yang tersambung ke internet dan buka sensus.bps.go.id.",
            tip="Pastikan alamatnya persis sensus.bps.go.id.",
            image=_screenshot(),
            on_poster=True,
        ),
        pdf.GuideStep(
            "Masukkan Nomor Kartu Keluarga dan NIK",
            "Ketik Nomor Kartu Keluarga (KK) dan NIK kepala keluarga seperti tertulis di Kartu Keluarga.",
            on_poster=True,
        ),
        pdf.GuideStep("Buat kata sandi", "Buat kata sandi dan catat baik-baik."),
        pdf.GuideStep(
            "Jawab pertanyaan untuk setiap anggota keluarga",
            "Isi keterangan setiap anggota rumah tangga sampai selesai.",
            on_poster=True,
        ),
        pdf.GuideStep("Kirim dan simpan bukti pengisian", "Tekan Kirim, lalu simpan bukti pengisian."),
    )
    fields = {
        "title": "Cara Mengisi Sensus Penduduk Online 2020",
        "intro": "Isi sendiri data keluarga Anda di sensus.bps.go.id dalam 15 menit.",
        "steps": steps,
        "identity": IDENTITY,
        "closing": "Sudah selesai? Ajak rekan kerja ikut mengisi!",
        "cta_label": "Isi Sensus Penduduk Online",
        "poster_headline": "Sudah Isi Sensus Penduduk Online?",
    }
    fields.update(overrides)
    return pdf.GuideContent(**fields)


PERSONAL = {
    "institution_name": "Dinas Kependudukan dan Pencatatan Sipil Kota Kupang",
    "institution_region": "Oebobo, Kota Kupang",
}


@pytest.mark.parametrize(("size", "dpi"), [("a4", 150), ("a5", 150)])
def test_the_qr_code_of_a_sheet_decodes_to_its_url(tmp_path, size, dpi):
    url = "http://testserver/q/i5-2s"
    data = pdf.guide_sheet(_content(), qr_url=url, personal=PERSONAL, size=size)

    [png] = pdf_to_png(data, tmp_path, dpi=dpi)

    assert decode_qr(png) == [url]
    assert "testserver/q/i5-2s" in pdf_text(data, tmp_path)


def test_the_poster_qr_code_decodes_at_both_sizes(tmp_path):
    for size in ("a3", "a4"):
        data = pdf.poster(_content(), qr_url="http://testserver/q/p5", size=size)
        [png] = pdf_to_png(data, tmp_path, dpi=72 if size == "a3" else 100, name=size)
        assert decode_qr(png) == ["http://testserver/q/p5"]


def test_the_qr_code_is_vector_paths_not_a_bitmap(tmp_path):
    content = _content(steps=tuple(pdf.GuideStep(s.title, s.text) for s in _content().steps))
    data = pdf.guide_sheet(content, qr_url="http://testserver/q/s5")
    # No picture at all in a sheet without screenshots: the code is drawn as rectangles.
    assert b"/Subtype /Image" not in data
    assert len(pdf.qr_matrix("http://testserver/q/s5")) == 25  # version 2


@pytest.mark.parametrize("hostile", HOSTILE)
def test_user_text_prints_literally_and_injects_no_link(tmp_path, hostile):
    content = _content(
        title=f"Panduan {hostile}",
        intro=hostile,
        closing=hostile,
        steps=(pdf.GuideStep(hostile, f"Langkah {hostile}", tip=hostile),),
    )
    personal = {"institution_name": hostile, "institution_region": hostile, "team_contact": hostile}

    data = pdf.guide_sheet(content, qr_url="http://testserver/q/i1-1", personal=personal)
    text = pdf_text(data, tmp_path)

    assert text.count(hostile) >= 6
    assert b"/URI" not in data and b"/Annot" not in data and b"/JavaScript" not in data
    poster = pdf.poster(content, qr_url="http://testserver/q/p1")
    assert hostile in pdf_text(poster, tmp_path, name="poster")
    assert b"/URI" not in poster and b"/Annot" not in poster


def test_indonesian_text_wraps_inside_the_page(tmp_path):
    long_text = (
        "Anggota keluarga yang sudah tinggal di tempat lain lebih dari enam bulan dicatat di tempat "
        "tinggalnya sekarang, sedangkan pekerja musiman dan mahasiswa yang indekos dicatat menurut "
        "ketentuan tempat tinggal biasa; pertanggungjawabannya ada pada kepala keluarga masing-masing. "
        "Alamat panjang: sensus.bps.go.id/pengisian-mandiri/anggota-rumah-tangga/keterangan-kependudukan."
    )
    content = _content(steps=(pdf.GuideStep("Langkah dengan penjelasan panjang", long_text, tip=long_text),))
    for size in ("a4", "a5"):
        data = pdf.guide_sheet(content, qr_url="http://testserver/q/s1", size=size)
        words = pdf_words(data, tmp_path, name=size)
        page_width = words[0][3]
        assert all(x_min >= 0 and x_max <= page_width - 10 for _, x_min, x_max, _ in words)
        text = " ".join(word for word, *_ in words)
        for word in ("pertanggungjawabannya", "masing-masing.", "mahasiswa", "indekos"):
            assert word in text
        assert text.count("tinggalnya") == 2


def test_the_personal_box_prints_what_the_context_has_and_blanks_for_the_rest(tmp_path):
    with translation.override("en"):
        plain = pdf_text(
            pdf.guide_sheet(_content(), qr_url="http://testserver/q/i1-1", personal=PERSONAL), tmp_path
        )
        assert "Dinas Kependudukan dan Pencatatan Sipil Kota Kupang" in plain
        assert "Oebobo, Kota Kupang" in plain
        assert "Guiding team" in plain and "Tim 3" not in plain

        # The teams issue adds two values; the sheet prints them without a layout change.
        full = {
            **PERSONAL,
            "team_contact": "Tim 3 · 0812 3456 7890",
            "session_date": datetime.date(2020, 3, 2),
        }
        text = pdf_text(
            pdf.guide_sheet(_content(), qr_url="http://testserver/q/i1-1", personal=full), tmp_path
        )
        assert "Tim 3 · 0812 3456 7890" in text
        assert "2 March 2020" in text
    with translation.override("id"):
        text = pdf_text(
            pdf.guide_sheet(_content(), qr_url="http://testserver/q/i1-1", personal=full), tmp_path
        )
        assert "2 Maret 2020" in text


def test_every_placeholder_is_declared_with_a_label_and_a_sample():
    for name, placeholder in pdf.PLACEHOLDERS.items():
        assert placeholder.label() and placeholder.sample, name
        assert isinstance(placeholder.evaluate({name: placeholder.sample}, _content()), str)
    assert set(pdf.SHEET_PERSONAL_LINES) <= set(pdf.PLACEHOLDERS)
    assert pdf.placeholder_value("hashtag", {}, _content()) == "#MencatatIndonesia"


def test_characters_outside_the_builtin_fonts_are_transliterated(tmp_path):
    assert pdf.printable("Łódź — “Kupang” ✓") == "Lódz — “Kupang” ?"
    data = pdf.guide_sheet(
        _content(), qr_url="http://testserver/q/i1-1", personal={"institution_name": "Dinas Łódź"}
    )
    assert "Dinas Lódz" in pdf_text(data, tmp_path)


def test_screenshots_are_printed_at_most_150_dpi_and_scaled_once(tmp_path):
    """A 640 px screenshot printed 2 inches wide holds 320 ppi: twice the pixels a sheet
    can print. It is scaled to 150 ppi at its printed size, and the scaled copy is made
    once per image and size, not once per sheet."""
    pdf._print_ready.cache_clear()
    pdf._forms.clear()  # else the sheet's drawing is replayed and nothing is scaled
    content = _content()

    first = pdf.guide_sheet(content, qr_url="http://testserver/q/g1")
    again = pdf.guide_sheet(content, qr_url="http://testserver/q/g2")

    [image] = pdf_images(first, tmp_path)
    assert image["width"] < 640
    assert 140 <= image["x_ppi"] <= 151 and 140 <= image["y_ppi"] <= 151, image
    assert pdf_images(again, tmp_path) == [image]
    assert pdf._print_ready.cache_info().misses == 1


def _photograph():
    """A picture no palette of 16 colours can hold: smooth colour everywhere."""
    image = Image.new("RGB", (640, 400))
    image.putdata(
        [(x * 255 // 640, y * 255 // 400, (x + y) * 255 // 1040) for y in range(400) for x in range(640)]
    )
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85)
    return output.getvalue()


def test_a_flat_screenshot_is_stored_with_a_palette_in_its_own_colours(tmp_path):
    """Four bits a pixel keep a screenshot's flat colours and text sharp in a fraction of
    a JPEG's bytes; the colours read back from the PDF are the screenshot's own."""
    data = pdf.guide_sheet(_content(), qr_url="http://testserver/q/g1")

    [image] = pdf_images(data, tmp_path)
    assert (image["color"], image["bpc"]) == ("index", 4), image
    assert image["x_ppi"] <= 151
    [extracted] = pdf_image_files(data, tmp_path)
    with Image.open(extracted) as stored, Image.open(io.BytesIO(_screenshot())) as original:
        original = original.convert("RGB").resize(stored.size)
        stored = stored.convert("RGB")
        for x, y in (
            (10, 5),
            (stored.width // 2, stored.height // 3),
            (stored.width * 320 // 640, 305 * stored.height // 400),
        ):
            expected, got = original.getpixel((x, y)), stored.getpixel((x, y))
            assert max(abs(a - b) for a, b in zip(expected, got, strict=True)) <= 12, (x, y, expected, got)


def test_a_photograph_stays_a_jpeg_at_150_dpi(tmp_path):
    content = _content(steps=(pdf.GuideStep("Foto", "Sebuah foto.", image=_photograph()),))

    [image] = pdf_images(pdf.guide_sheet(content, qr_url="http://testserver/q/g1"), tmp_path)

    assert (image["color"], image["encoding"]) == ("rgb", "jpeg"), image
    assert image["width"] < 640 and 140 <= image["x_ppi"] <= 151, image


def test_a_personalised_sheet_with_the_demo_screenshots_stays_under_12_kb(tmp_path):
    from campaign.materials.demo import draw_screenshot

    steps = list(_content().steps)
    steps[0] = dataclasses.replace(steps[0], image=draw_screenshot("open"))
    steps[1] = dataclasses.replace(steps[1], image=draw_screenshot("login"))
    data = pdf.guide_sheet(
        _content(steps=tuple(steps)), qr_url="http://testserver/q/i5-2s", personal=PERSONAL
    )

    assert len(data) <= 12 * 1024, len(data)
    assert [image["color"] for image in pdf_images(data, tmp_path)] == ["index", "index"]
    assert "Selamat datang" not in pdf_text(data, tmp_path)  # the screenshots are pictures
    assert decode_qr(pdf_to_png(data, tmp_path)[0]) == ["http://testserver/q/i5-2s"]


def test_the_same_part_of_every_sheet_is_drawn_once_and_replayed(tmp_path, monkeypatch):
    """Title, steps, pictures and call to action are drawn once per guide, size and
    language; later sheets replay what was drawn, byte for byte, and an edited guide or
    another language is drawn anew."""
    pdf._forms.clear()
    drawn = []
    draw = pdf._draw_sheet_static
    monkeypatch.setattr(pdf, "_draw_sheet_static", lambda *args: drawn.append(1) or draw(*args))

    first = pdf.guide_sheet(_content(), qr_url="http://testserver/q/i1-1", personal=PERSONAL)
    again = pdf.guide_sheet(_content(), qr_url="http://testserver/q/i1-1", personal=PERSONAL)
    other = pdf.guide_sheet(
        _content(), qr_url="http://testserver/q/i1-2", personal={"institution_name": "Dinas Lain"}
    )
    assert len(drawn) == 1
    assert again == first
    assert "Dinas Lain" in pdf_text(other, tmp_path) and "Buat kata sandi" in pdf_text(other, tmp_path)
    assert decode_qr(pdf_to_png(other, tmp_path, name="other")[0]) == ["http://testserver/q/i1-2"]

    edited = pdf.guide_sheet(_content(title="Panduan yang diubah"), qr_url="http://testserver/q/i1-1")
    assert len(drawn) == 2 and "Panduan yang diubah" in pdf_text(edited, tmp_path)
    with translation.override("en"):
        english = pdf.guide_sheet(_content(), qr_url="http://testserver/q/i1-1", personal=PERSONAL)
    assert len(drawn) == 3 and "Institution" in pdf_text(english, tmp_path)


def test_a_pack_shares_the_guide_and_draws_only_the_personal_parts_per_page(tmp_path):
    sheets = [
        pdf.Sheet(
            qr_url=f"http://testserver/q/i5-{n:x}", personal={"institution_name": f"Instansi nomor {n}"}
        )
        for n in range(1, 41)
    ]
    progress = []

    data = pdf.guide_sheets(_content(), sheets, progress=progress.append)

    assert pdf_page_count(data, tmp_path) == 40
    assert progress[-1] == 40
    # The screenshot is stored once, however many pages show it.
    assert data.count(b"/Subtype /Image") == 1
    assert len(data) / 40 < 6 * 1024
    text = pdf_text(data, tmp_path)
    assert "Instansi nomor 1\n" in text and "Instansi nomor 40" in text
    pages = pdf_to_png(data, tmp_path, dpi=150, name="pack")
    assert decode_qr(pages[-1]) == ["http://testserver/q/i5-28"]


def test_the_poster_shows_the_three_key_steps(tmp_path):
    text = " ".join(pdf_text(pdf.poster(_content(), qr_url="http://testserver/q/p5"), tmp_path).split())
    assert "Sudah Isi Sensus Penduduk Online?" in text
    assert "Buka situs sensus.bps.go.id" in text
    assert "Jawab pertanyaan untuk setiap anggota keluarga" in text
    assert "Buat kata sandi" not in text  # not a key step


def test_fact_sheet(tmp_path):
    data = pdf.fact_sheet(
        title="Sensus Penduduk Online 2020 di NTT",
        subtitle="Lembar fakta <untuk> media",
        facts=[("Target pengisian daring", "23%")],
        notes=["Sumber: BPS Provinsi NTT."],
        identity=IDENTITY,
    )
    text = pdf_text(data, tmp_path)
    assert "Lembar fakta <untuk> media" in text and "23%" in text


def test_materials_render_to_png_for_review(tmp_path):
    """Renders the sheets and the poster into screenshots/ to look at them."""
    SCREENSHOTS.mkdir(exist_ok=True)
    full = {**PERSONAL, "team_contact": "Tim 3 · 0812 3456 7890", "session_date": datetime.date(2020, 3, 2)}
    with translation.override("id"):
        outputs = {
            "materials-sheet-a4": pdf.guide_sheet(
                _content(), qr_url="http://testserver/q/i5-2s", personal=full
            ),
            "materials-sheet-a4-general": pdf.guide_sheet(_content(), qr_url="http://testserver/q/s5"),
            "materials-sheet-a5": pdf.guide_sheet(
                _content(), qr_url="http://testserver/q/i5-2s", personal=full, size="a5"
            ),
            "materials-poster-a3": pdf.poster(_content(), qr_url="http://testserver/q/p5", size="a3"),
        }
    for name, data in outputs.items():
        [png] = pdf_to_png(data, tmp_path, dpi=60 if "a3" in name else 80, name=name)
        (SCREENSHOTS / f"{name}.png").write_bytes(png.read_bytes())
        assert decode_qr(png), name  # still scannable at a low resolution
