"""Printable materials: pure functions that draw on a reportlab canvas and return bytes.

Nothing here reads the database: callers pass plain data (``GuideContent``, a mapping of
personal values, the URL to encode). The values a layout may print are declared once, in
``PLACEHOLDERS`` (the pretix ``base/pdf.py`` habit), so a new field — the team's contact
and the planned session date come with the teams issue — is one registry entry, and a
sheet prints it as soon as the caller puts it in the mapping.

Design choices that keep a 1,000-sheet district pack small and fast:

- the standard PDF fonts (Helvetica), which viewers and printers have built in, so no
  font is embedded; text outside their Latin-1/WinAnsi range is transliterated;
- everything that is the same on every sheet of a pack (header, title, steps, pictures,
  call to action) is drawn once into a PDF form XObject and placed on each page; only
  the institution's lines, its QR code and its short URL are drawn per page;
- QR codes are vector paths (one rectangle per run of dark modules), with a fixed mask
  pattern: choosing the "best" of eight masks costs 4 ms a code and every mask decodes.

Every user-supplied string is escaped before it reaches a ``Paragraph`` (which parses
markup), so a name like ``R&D <Unit`` prints literally and cannot inject a link.
"""

import datetime
import functools
import hashlib
import io
import math
import re
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import qrcode
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.colors import HexColor, white
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A3, A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFArrayCompact,
    PDFImageXObject,
    PDFName,
    PDFStream,
    PDFText,
)
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepInFrame, Paragraph, Spacer, Table, TableStyle

BLUE = HexColor("#0b4f8a")
BLUE_DARK = HexColor("#073763")
ORANGE = HexColor("#f7941d")
ORANGE_DARK = HexColor("#b35f00")
INK = HexColor("#1a1a1a")
MUTED = HexColor("#4a4a4a")
SOFT = HexColor("#f2f6fa")
WARM = HexColor("#fff4e5")
LINE = HexColor("#d6dde5")

SHEET_SIZES = {"a4": A4, "a5": A5}
# Pictures are printed at most this sharp: more pixels only make the file bigger.
PRINT_DPI = 150
POSTER_SIZES = {"a4": A4, "a3": A3}
# Bumped whenever a layout changes, so cached PDFs of the old layout are not served.
LAYOUT_VERSION = 6
# The most of a sheet's height its intro may take.
INTRO_SHARE = 0.12

# --- Data passed in ---------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """The campaign's identity, printed on every material."""

    organisation_name: str
    campaign_name: str = ""
    hashtag: str = ""
    hotline: str = ""
    whatsapp: str = ""
    website: str = ""


@dataclass(frozen=True)
class GuideStep:
    title: str
    text: str
    tip: str = ""
    image: bytes | None = None  # JPEG or PNG, already scaled for print
    on_poster: bool = False


@dataclass(frozen=True)
class GuideContent:
    title: str
    intro: str
    steps: tuple[GuideStep, ...]
    identity: Identity
    closing: str = ""
    cta_label: str = ""
    hotline: str = ""
    poster_headline: str = ""

    @property
    def poster_steps(self):
        """The three key steps: those marked for the poster, else the first three."""
        marked = [step for step in self.steps if step.on_poster]
        return tuple((marked or list(self.steps))[:3])


@dataclass(frozen=True)
class Sheet:
    """One page of a guide: the personal values and the URL its QR code encodes."""

    qr_url: str
    personal: Mapping[str, object] = field(default_factory=dict)


# --- Placeholders -----------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value)


def _when(value) -> str:
    """A date as "29 Mei 2020"; a date-time adds the local time ("pukul 09.00")."""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        day = formats.date_format(local, "j F Y")
        return _("%(date)s, %(time)s") % {"date": day, "time": formats.time_format(local, "H.i")}
    if isinstance(value, datetime.date):
        return formats.date_format(value, "j F Y")
    return _text(value)


@dataclass(frozen=True)
class Placeholder:
    label: Callable[[], str]  # called at render time, in the active language
    sample: str
    evaluate: Callable[[Mapping, "GuideContent | None"], str]


def _personal(key, formatter=_text):
    return lambda personal, content: formatter(personal.get(key))


def _identity(attribute):
    return lambda personal, content: getattr(content.identity, attribute) if content else ""


PLACEHOLDERS: dict[str, Placeholder] = {
    "institution_name": Placeholder(
        lambda: _("Institution"), "Dinas Kependudukan dan Pencatatan Sipil", _personal("institution_name")
    ),
    "institution_region": Placeholder(
        lambda: _("Region"), "Oebobo, Kota Kupang", _personal("institution_region")
    ),
    "institution_address": Placeholder(
        lambda: _("Address"), "Jl. S.K. Lerik, Kota Baru", _personal("institution_address")
    ),
    # Filled by the teams issue: the guiding team's name and phone, the planned session.
    "team_contact": Placeholder(
        lambda: _("Guiding team"), "Tim 3 · 0812 3456 7890", _personal("team_contact")
    ),
    "session_date": Placeholder(
        lambda: _("Guided session"), "2 Maret 2020, 09.00", _personal("session_date", _when)
    ),
    "organisation_name": Placeholder(
        lambda: _("Organisation"), "BPS Provinsi Nusa Tenggara Timur", _identity("organisation_name")
    ),
    "campaign_name": Placeholder(lambda: _("Campaign"), "Sensus Penduduk 2020", _identity("campaign_name")),
    "hashtag": Placeholder(lambda: _("Hashtag"), "#MencatatIndonesia", _identity("hashtag")),
    "hotline": Placeholder(
        lambda: _("Hotline"),
        "(0380) 826289",
        lambda personal, content: (content.hotline or content.identity.hotline) if content else "",
    ),
}
# The lines of a sheet's personal box, in order. A line without a value is printed as
# a blank to fill in by hand, so the general sheet works as a form too.
SHEET_PERSONAL_LINES = ("institution_name", "institution_region", "team_contact", "session_date")


def placeholder_value(name: str, personal: Mapping, content: GuideContent | None = None) -> str:
    return PLACEHOLDERS[name].evaluate(personal, content)


# --- Text helpers ---------------------------------------------------------------------------


# Latin letters that do not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "→": "->"})


# Control characters have no glyph either: a line break or a tab in a name (an import,
# a pasted value) printed as black boxes. A run of them prints as one space.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_CONTROLS_BUT_LINE_BREAKS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]+")


def printable(value, *, lines=False) -> str:
    """Text the built-in PDF fonts can show: characters outside Windows-1252 lose their
    accents or become "?" instead of printing as black boxes. One line, unless ``lines``
    keeps the line breaks (for ``markup``)."""
    text = _text(value)
    if lines:
        text = _CONTROLS_BUT_LINE_BREAKS.sub(" ", text.replace("\r\n", "\n"))
    else:
        text = _CONTROLS.sub(" ", text)
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text.translate(_LETTERS):
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            try:
                base.encode("cp1252")
                out.append(base)
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def markup(value) -> str:
    """User text as safe Paragraph markup: escaped, line breaks kept."""
    lines = escape(printable(value, lines=True)).split("\n")
    return "<br/>".join(line.strip() for line in lines)


def short_url(url: str) -> str:
    """The URL as printed under a QR code: without the scheme."""
    return url.split("://", 1)[-1]


# --- QR codes -----------------------------------------------------------------------------


def qr_matrix(data: str) -> list[list[bool]]:
    """The module matrix of a QR code (medium error correction, no quiet zone)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_path(matrix: list[list[bool]]) -> str:
    """The dark modules as PDF path operators in module units, row 0 at the top: one
    ``re`` (rectangle) per horizontal run of dark modules."""
    count = len(matrix)
    operators = []
    for row_index, row in enumerate(matrix):
        column = 0
        while column < count:
            if row[column]:
                start = column
                while column < count and row[column]:
                    column += 1
                operators.append(f"{start} {count - row_index - 1} {column - start} 1 re")
            else:
                column += 1
    return "\n".join(operators)


def draw_qr(
    canvas: Canvas, data: str, x: float, y: float, size: float, *, quiet: int = 4, matrix=None
) -> None:
    """Draw a QR code as vector rectangles with its lower-left corner at (x, y).

    ``size`` includes the white quiet zone of ``quiet`` modules that scanners need (a
    caller that made the ``matrix`` of ``data`` already passes it). The
    rectangles are written in module units under a scaling transform: whole numbers,
    so the path is short and quick to write (a pack draws a thousand of them).
    """
    matrix = matrix if matrix is not None else qr_matrix(data)
    count = len(matrix)
    module = size / (count + 2 * quiet)
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#000000"))
    canvas.translate(x + quiet * module, y + quiet * module)
    canvas.scale(module, module)
    canvas.addLiteral(qr_path(matrix) + "\nf")
    canvas.restoreState()


# --- Shared drawing -------------------------------------------------------------------------


def _style(name, size, *, bold=False, italic=False, color=INK, leading=None, **extra):
    font = "Helvetica"
    if bold and italic:
        font = "Helvetica-BoldOblique"
    elif bold:
        font = "Helvetica-Bold"
    elif italic:
        font = "Helvetica-Oblique"
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=leading or size * 1.28, textColor=color, **extra
    )


def _paragraph_height(paragraph, width):
    return paragraph.wrap(width, 10_000)[1]


@contextmanager
def _binary_streams():
    """Store streams as compressed binary, not ASCII85 text: a quarter smaller, and
    reportlab's pure-Python ASCII85 encoder (without the optional C accelerator) was
    three quarters of a sheet's drawing time. The flag is global in reportlab, so it
    is restored afterwards; a binary stream is valid PDF whoever reads the flag."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def _new_canvas(buffer, pagesize, *, title, author):
    canvas = Canvas(buffer, pagesize=pagesize, pageCompression=1, invariant=1)
    canvas.setTitle(printable(title))
    canvas.setAuthor(printable(author))
    canvas.setCreator("Jemput Bola")
    return canvas


# For other apps' printed matter (the official letters of campaign.invitations): the same
# compact streams and document settings as the materials.
binary_streams = _binary_streams
new_canvas = _new_canvas


def _fit_string(text, font, size, width):
    """Shorten a one-line string with "…" until it fits ``width`` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = printable(text)
    if stringWidth(text, font, size) <= width:
        return text
    # The longest prefix that fits with its "…", found by bisection: a very long value
    # must not cost one width measurement per character.
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle] + "…", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def _header_band(canvas, identity, *, width, height, band, margin, scale=1.0):
    canvas.setFillColor(BLUE)
    canvas.rect(0, height - band, width, band, stroke=0, fill=1)
    canvas.setFillColor(ORANGE)
    canvas.rect(0, height - band - 5 * scale, width, 5 * scale, stroke=0, fill=1)
    hashtag = printable(identity.hashtag)
    canvas.setFont("Helvetica-Bold", 13 * scale)
    hashtag_width = canvas.stringWidth(hashtag, "Helvetica-Bold", 13 * scale) if hashtag else 0
    text_width = width - 2 * margin - hashtag_width - (12 * scale if hashtag else 0)
    canvas.setFillColor(white)
    canvas.setFont("Helvetica-Bold", 13 * scale)
    canvas.drawString(
        margin,
        height - band * 0.45,
        _fit_string(identity.organisation_name, "Helvetica-Bold", 13 * scale, text_width),
    )
    if identity.campaign_name:
        canvas.setFont("Helvetica", 10 * scale)
        canvas.drawString(
            margin,
            height - band * 0.45 - 15 * scale,
            _fit_string(identity.campaign_name, "Helvetica", 10 * scale, text_width),
        )
    if hashtag:
        canvas.setFillColor(ORANGE)
        canvas.setFont("Helvetica-Bold", 13 * scale)
        canvas.drawRightString(width - margin, height - band * 0.45, hashtag)


def _footer(canvas, identity, *, width, y, size=7.5):
    parts = [identity.organisation_name, short_url(identity.website) if identity.website else ""]
    parts.append(identity.hashtag)
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", size)
    canvas.drawCentredString(width / 2, y, printable("  ·  ".join(p for p in parts if p)))


def _help_line(content):
    hotline = content.hotline or content.identity.hotline
    parts = []
    if hotline:
        parts.append(_("Hotline %(number)s") % {"number": hotline})
    if content.identity.whatsapp:
        parts.append(_("WhatsApp %(number)s") % {"number": content.identity.whatsapp})
    return "  ·  ".join(parts)


class _Number(Flowable):
    """A step number in an orange disc."""

    def __init__(self, number, radius):
        super().__init__()
        self.number, self.radius = str(number), radius
        self.width = self.height = 2 * radius

    def draw(self):
        canvas = self.canv
        canvas.setFillColor(ORANGE)
        canvas.circle(self.radius, self.radius, self.radius, stroke=0, fill=1)
        canvas.setFillColor(white)
        size = self.radius * 1.05
        canvas.setFont("Helvetica-Bold", size)
        canvas.drawCentredString(self.radius, self.radius - size * 0.36, self.number)


# Printed pictures with a palette: a screenshot is flat colour and text, which a
# palette of this many colours keeps sharp in a fraction of a JPEG's bytes.
PALETTE_COLOURS = 16
# A picture goes in the palette when this share of its pixels keep their colour within
# ``PALETTE_TOLERANCE`` (0–255 per channel); a photograph fails it and stays a JPEG.
PALETTE_SHARE = 0.8
PALETTE_TOLERANCE = 12


@dataclass(frozen=True)
class _Printed:
    """A picture ready to embed as a PDF image XObject: pixels at most ``PRINT_DPI`` at
    their printed size, already encoded (an indexed-colour Flate stream or a JPEG)."""

    name: str
    width: int
    height: int
    bits: int
    filter: str
    stream: bytes
    palette: bytes = b""


class _PrintedXObject(PDFImageXObject):
    """The XObject of a ``_Printed`` picture. reportlab's own image object only writes
    RGB, grey or CMYK pixels (so a palette picture would cost three bytes a pixel) and
    re-reads the picture on every sheet to name it; this one writes the prepared stream
    as it is, under the name computed once with it."""

    def __init__(self, printed: _Printed):
        self.name = printed.name
        self.printed = printed
        self.width, self.height = printed.width, printed.height
        self.mask = None

    def format(self, document):
        printed = self.printed
        stream = PDFStream(content=printed.stream)
        entries = stream.dictionary
        entries["Type"] = PDFName("XObject")
        entries["Subtype"] = PDFName("Image")
        entries["Width"] = printed.width
        entries["Height"] = printed.height
        entries["BitsPerComponent"] = printed.bits
        if printed.palette:
            entries["ColorSpace"] = PDFArrayCompact(
                [
                    PDFName("Indexed"),
                    PDFName("DeviceRGB"),
                    len(printed.palette) // 3 - 1,
                    PDFText(printed.palette),
                ]
            )
        else:
            entries["ColorSpace"] = PDFName("DeviceRGB")
        entries["Filter"] = PDFArray([PDFName(printed.filter)])
        return stream.format(document)


def _add_printed(canvas, printed: _Printed) -> str:
    """Store the picture in the canvas's document (once) and list it as used by the
    page or form being drawn; returns its XObject name."""
    canvas._currentPageHasImages = 1
    document = canvas._doc
    registered = document.getXObjectName(printed.name)
    if registered not in document.idToObject:
        image = _PrintedXObject(printed)
        canvas._setXObjects(image)
        document.Reference(image, registered)
        document.addForm(printed.name, image)
    canvas._formsinuse.append(printed.name)
    return registered


def _draw_printed(canvas, printed: _Printed, x, y, width, height):
    """``canvas.drawImage`` for a prepared picture: stored once per document, placed at
    (x, y) scaled to ``width`` × ``height`` points."""
    registered = _add_printed(canvas, printed)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()


@functools.lru_cache(maxsize=64)
def _pixel_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size


def _palette_image(picture):
    """``picture`` in ``PALETTE_COLOURS`` colours, or None when that changes too many of
    its pixels (a photograph)."""
    from PIL import Image, ImageChops

    indexed = picture.quantize(PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE)
    red, green, blue = ImageChops.difference(picture, indexed.convert("RGB")).split()
    worst = ImageChops.lighter(ImageChops.lighter(red, green), blue).histogram()
    if sum(worst[: PALETTE_TOLERANCE + 1]) < PALETTE_SHARE * sum(worst):
        return None
    return indexed


@functools.lru_cache(maxsize=32)
def _print_ready(data: bytes, width: float, height: float) -> _Printed:
    """The picture as printed ``width`` × ``height`` points, at most ``PRINT_DPI``.

    A screenshot uploaded at screen resolution has several times the pixels a sheet can
    print; scaling and encoding it once per image version (its bytes) and printed size
    (the cache) keeps a sheet a few KB and its drawing cheap. Flat pictures (screenshots)
    are stored with a palette of at most 16 colours, four bits a pixel, which keeps their
    text sharper and smaller than a JPEG; others as a JPEG of quality 70."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        target = (math.ceil(width * PRINT_DPI / 72), math.ceil(height * PRINT_DPI / 72))
        picture = image.convert("RGBA") if image.mode in ("P", "LA", "RGBA") else image.convert("RGB")
        if picture.mode == "RGBA":  # transparency prints on white paper
            flat = Image.new("RGB", picture.size, "white")
            flat.paste(picture, mask=picture.getchannel("A"))
            picture = flat
        if picture.size[0] > target[0]:
            picture = picture.resize(target, Image.Resampling.LANCZOS)
    name = "pic" + hashlib.sha256(data + f"|{picture.size}".encode()).hexdigest()[:24]
    indexed = _palette_image(picture)
    if indexed is not None:
        palette = bytes(indexed.getpalette()[: 3 * PALETTE_COLOURS])
        palette += bytes(3 * PALETTE_COLOURS - len(palette))
        rows = indexed.tobytes("raw", "P;4")  # two pixels a byte, each row byte-aligned
        return _Printed(
            name=name,
            width=picture.size[0],
            height=picture.size[1],
            bits=4,
            filter="FlateDecode",
            stream=zlib.compress(rows, 9),
            palette=palette,
        )
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=70, optimize=True)
    return _Printed(
        name=name,
        width=picture.size[0],
        height=picture.size[1],
        bits=8,
        filter="DCTDecode",
        stream=buffer.getvalue(),
    )


class _Picture(Flowable):
    """An image scaled to fit a box, keeping its proportions. ``print_scale`` is the
    scale the canvas will apply (steps shrunk to fit), so the pixels match the printed
    size, not the layout size."""

    def __init__(self, data, max_width, max_height):
        super().__init__()
        self.data = data
        pixel_width, pixel_height = _pixel_size(data)
        ratio = min(max_width / pixel_width, max_height / pixel_height)
        self.width, self.height = pixel_width * ratio, pixel_height * ratio
        self.print_scale = 1.0

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        # Rounded, so that a re-wrap at nearly the same size reuses the cached pixels.
        printed = _print_ready(
            self.data, round(self.width * self.print_scale, 1), round(self.height * self.print_scale, 1)
        )
        _draw_printed(self.canv, printed, 0, 0, self.width, self.height)
        self.canv.setStrokeColor(LINE)
        self.canv.setLineWidth(0.5)
        self.canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)


# --- Guide sheets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _SheetMetrics:
    margin: float
    band: float
    title: float
    body: float
    step_title: float
    row: float
    qr: float
    bottom: float
    images: bool
    scale: float


_SHEET_METRICS = {
    "a4": _SheetMetrics(
        margin=40,
        band=66,
        title=24,
        body=10.5,
        step_title=12,
        row=17,
        qr=112,
        bottom=150,
        images=True,
        scale=1,
    ),
    "a5": _SheetMetrics(
        margin=26,
        band=50,
        title=17,
        body=8.6,
        step_title=9.6,
        row=13.5,
        qr=84,
        bottom=114,
        images=False,
        scale=0.78,
    ),
}


@dataclass
class _SheetLayout:
    """Where the per-page parts of a sheet go; computed once per document."""

    width: float
    height: float
    metrics: _SheetMetrics
    box_top: float = 0
    value_x: float = 0
    value_width: float = 0
    qr_x: float = 0
    qr_y: float = 0


class _Steps:
    """The numbered steps of a sheet, laid out by hand: each paragraph is wrapped once
    per width tried (a platypus Table in a KeepInFrame wrapped every cell three or four
    times, most of a single sheet's drawing time)."""

    def __init__(self, content, metrics):
        self.radius = 11 * metrics.scale
        self.gap = 8 * metrics.scale
        self.spacing = 9 * metrics.scale
        self.picture_ratio = 0.28 if metrics.images else 0
        self.picture_height = 96 * metrics.scale
        title_style = _style("step-title", metrics.step_title, bold=True, color=BLUE_DARK, spaceAfter=2)
        text_style = _style("step-text", metrics.body)
        tip_style = _style(
            "tip",
            metrics.body * 0.92,
            italic=True,
            color=HexColor("#6b4000"),
            backColor=WARM,
            borderPadding=(3, 4, 3, 4),
            spaceBefore=6,
        )
        tip_label = escape(_("Tip:"))
        self.steps = []
        for step in content.steps:
            paragraphs = [
                Paragraph(markup(step.title), title_style),
                Paragraph(markup(step.text), text_style),
            ]
            if step.tip:
                paragraphs.append(Paragraph(f"<b>{tip_label}</b> {markup(step.tip)}", tip_style))
            image = step.image if self.picture_ratio else None
            self.steps.append((paragraphs, image))
        self.rows = []

    def wrap(self, width, *, picture_width=None) -> float:
        """Lay the steps out ``width`` points wide, pictures ``picture_width`` wide at
        most; returns the height they take."""
        self.rows = []
        total = 0.0
        picture_width = picture_width or width * self.picture_ratio
        for paragraphs, image in self.steps:
            picture = None
            text_width = width - 2 * self.radius - self.gap
            if image:
                picture = _Picture(image, picture_width, self.picture_height)
                text_width -= picture.width + self.gap
            placed, text_height = [], 0.0
            for index, paragraph in enumerate(paragraphs):
                before = paragraph.style.spaceBefore if index else 0
                _w, height = paragraph.wrap(text_width, 10_000)
                placed.append((paragraph, text_height + before + height))
                text_height += before + height + paragraph.style.spaceAfter
            row_height = max(text_height, 2 * self.radius, picture.height if picture else 0)
            self.rows.append((placed, picture, row_height))
            total += row_height + self.spacing
        return total - self.spacing if self.rows else 0.0

    def draw(self, canvas, x, top, width, *, scale=1.0):
        """Draw the laid-out steps with their top-left corner at (x, top), on a canvas
        that scales them by ``scale``."""
        y = top
        for number, (placed, picture, row_height) in enumerate(self.rows, start=1):
            _Number(number, self.radius).drawOn(canvas, x, y - 2 * self.radius)
            text_x = x + 2 * self.radius + self.gap
            for paragraph, bottom in placed:
                paragraph.drawOn(canvas, text_x, y - bottom)
            if picture is not None:
                picture.print_scale = scale
                picture.drawOn(canvas, x + width - picture.width, y - picture.height)
            y -= row_height + self.spacing


_layouts = threading.local()
_LAYOUTS_KEPT = 16


def _laid_out(key, lay_out):
    """``lay_out()``, remembered per thread under ``key`` + the active language.

    Wrapping the paragraphs of a guide's title, steps and call to action is most of a
    sheet's drawing time, and it is the same for every sheet of that guide, size and
    language: a download or a pack reuses the wrapped paragraphs. The key holds the
    content itself (a frozen dataclass), so an edited guide is laid out anew. Per thread,
    because reportlab sets the canvas on a flowable while it draws it."""
    memo = getattr(_layouts, "memo", None)
    if memo is None:
        memo = _layouts.memo = {}
    key = (*key, get_language())
    if key not in memo:
        if len(memo) >= _LAYOUTS_KEPT:
            memo.pop(next(iter(memo)))  # the oldest
        memo[key] = lay_out()
    return memo[key]


def _fit_steps(content, metrics, *, width, height):
    """The steps laid out for the box ``width`` × ``height``, and the scale that fits them
    (below 1 when they are long)."""
    steps = _Steps(content, metrics)
    scale, used = 1.0, steps.wrap(width)
    for _attempt in range(6):
        if used * scale <= height:
            break
        scale *= height / (used * scale) * 0.98
        # Pictures keep their size in layout units, so they shrink with the text.
        used = steps.wrap(width / scale, picture_width=width * steps.picture_ratio)
    return steps, scale


def _draw_steps(canvas, content, metrics, *, x, top, width, height):
    """The steps in the box (x, top, width, height), shrunk to fit when they are long."""
    steps, scale = _laid_out(
        ("steps", content, metrics, width, height),
        lambda: _fit_steps(content, metrics, width=width, height=height),
    )
    canvas.saveState()
    canvas.translate(x, top)
    canvas.scale(scale, scale)
    steps.draw(canvas, 0, 0, width / scale, scale=scale)
    canvas.restoreState()


def _draw_sheet_static(canvas, content, layout):
    """Everything that is the same on every sheet of a guide."""
    m = layout.metrics
    width, height, margin = layout.width, layout.height, m.margin
    inner = width - 2 * margin
    _header_band(
        canvas, content.identity, width=width, height=height, band=m.band, margin=margin, scale=m.scale
    )

    y = height - m.band - 5 * m.scale - 16 * m.scale
    title, title_height = _laid_out(("title", content.title, m, inner), lambda: _title(content, m, inner))
    y -= title_height
    title.drawOn(canvas, margin, y)
    if content.intro:
        # A sentence or two; a longer intro is shrunk into its box, so that the personal
        # box, the steps and the QR code stay on the page.
        intro_box = height * INTRO_SHARE
        intro_frame, used = _laid_out(
            ("intro", content.intro, m, inner, intro_box),
            lambda: _shrunk_into(
                [Paragraph(markup(content.intro), _style("intro", m.body + 0.5, color=MUTED))],
                inner,
                intro_box,
            ),
        )
        y -= 6 * m.scale + used
        intro_frame.drawOn(canvas, margin, y)

    # The personal box: labels here, values per page (``_draw_sheet_personal``).
    rows = len(SHEET_PERSONAL_LINES)
    padding = 7 * m.scale
    box_height = rows * m.row + 2 * padding
    y -= 12 * m.scale
    canvas.setFillColor(SOFT)
    canvas.roundRect(margin, y - box_height, inner, box_height, 4, stroke=0, fill=1)
    canvas.setFillColor(BLUE)
    canvas.rect(margin, y - box_height, 4 * m.scale, box_height, stroke=0, fill=1)
    label_size = m.body * 0.9
    canvas.setFont("Helvetica", label_size)
    canvas.setFillColor(MUTED)
    label_x = margin + 14 * m.scale
    label_width = max(
        canvas.stringWidth(printable(PLACEHOLDERS[name].label()), "Helvetica", label_size)
        for name in SHEET_PERSONAL_LINES
    )
    for index, name in enumerate(SHEET_PERSONAL_LINES):
        baseline = y - padding - (index + 1) * m.row + m.row * 0.3
        canvas.drawString(label_x, baseline, printable(PLACEHOLDERS[name].label()))
    layout.box_top = y - padding
    layout.value_x = label_x + label_width + 12 * m.scale
    layout.value_width = margin + inner - 12 * m.scale - layout.value_x
    y -= box_height

    # The steps, shrunk if needed to fit between the box and the call to action.
    steps_top = y - 14 * m.scale
    steps_bottom = margin * 0.6 + m.bottom + 12 * m.scale
    _draw_steps(canvas, content, m, x=margin, top=steps_top, width=inner, height=steps_top - steps_bottom)

    # The call to action with the QR code on the right.
    bottom_y = margin * 0.6 + 10 * m.scale
    canvas.setFillColor(WARM)
    canvas.setStrokeColor(ORANGE)
    canvas.setLineWidth(1.2)
    canvas.roundRect(margin, bottom_y, inner, m.bottom, 6, stroke=1, fill=1)
    qr_box = m.qr
    layout.qr_x = margin + inner - qr_box - 12 * m.scale
    layout.qr_y = bottom_y + m.bottom - qr_box - 10 * m.scale
    text_x = margin + 14 * m.scale
    text_width = layout.qr_x - text_x - 12 * m.scale
    text_frame, used = _laid_out(
        ("call to action", content, m, text_width),
        lambda: _shrunk_into(_call_to_action(content, m), text_width, m.bottom - 20 * m.scale),
    )
    text_frame.drawOn(canvas, text_x, bottom_y + (m.bottom - used) / 2)
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", 7 * max(m.scale, 0.9))
    canvas.drawCentredString(
        layout.qr_x + qr_box / 2, bottom_y + 6 * m.scale, printable(_("Scan to fill in"))
    )
    _footer(canvas, content.identity, width=width, y=margin * 0.45, size=7.5 * max(m.scale, 0.9))


def _title(content, m, width):
    title = Paragraph(markup(content.title), _style("title", m.title, bold=True, color=BLUE_DARK))
    return title, _paragraph_height(title, width)


class _Shrunk:
    """Flowables stacked top-down in a ``width`` × ``height`` box, shrunk to fit, and
    wrapped once. (platypus's KeepInFrame wraps its content again every time it draws.)"""

    def __init__(self, flowables, width, height):
        self.scale = 1.0
        placed, used = self._stack(flowables, width)
        for _attempt in range(8):
            if used * self.scale <= height:
                break
            self.scale *= height / (used * self.scale) * 0.98
            placed, used = self._stack(flowables, width / self.scale)
        self.placed, self.height = placed, used * self.scale

    @staticmethod
    def _stack(flowables, width):
        placed, top = [], 0.0
        for index, flowable in enumerate(flowables):
            style = getattr(flowable, "style", None)
            top += style.spaceBefore if style is not None and index else 0
            _w, height = flowable.wrap(width, 10_000)
            placed.append((flowable, top + height))
            top += height + (style.spaceAfter if style is not None else 0)
        return placed, top

    def drawOn(self, canvas, x, y):
        """Draw with the bottom-left corner of the used height at (x, y)."""
        canvas.saveState()
        canvas.translate(x, y + self.height)
        canvas.scale(self.scale, self.scale)
        for flowable, bottom in self.placed:
            flowable.drawOn(canvas, 0, -bottom)
        canvas.restoreState()


def _shrunk_into(flowables, width, height):
    """The flowables wrapped and shrunk into the box; and the height they use."""
    shrunk = _Shrunk(flowables, width, height)
    return shrunk, shrunk.height


def _call_to_action(content, m):
    parts = []
    if content.closing:
        parts.append(
            Paragraph(markup(content.closing), _style("closing", m.body + 3, bold=True, color=BLUE_DARK))
        )
    if content.cta_label:
        parts.append(Spacer(1, 6 * m.scale))
        parts.append(
            Paragraph(markup(content.cta_label), _style("cta", m.body + 1.5, bold=True, color=ORANGE_DARK))
        )
    help_line = _help_line(content)
    if help_line:
        parts.append(Spacer(1, 6 * m.scale))
        parts.append(
            Paragraph(
                f"<b>{escape(_('Need help?'))}</b> {markup(help_line)}", _style("help", m.body, color=INK)
            )
        )
    return parts


def _draw_sheet_personal(canvas, content, layout, sheet):
    m = layout.metrics
    size = m.body + 0.5
    for index, name in enumerate(SHEET_PERSONAL_LINES):
        baseline = layout.box_top - (index + 1) * m.row + m.row * 0.3
        value = placeholder_value(name, sheet.personal, content)
        if value:
            canvas.setFillColor(INK)
            canvas.setFont("Helvetica-Bold", size)
            canvas.drawString(
                layout.value_x, baseline, _fit_string(value, "Helvetica-Bold", size, layout.value_width)
            )
        else:
            canvas.setStrokeColor(HexColor("#9aa8b6"))
            canvas.setLineWidth(0.6)
            canvas.setDash(1, 2)
            canvas.line(layout.value_x, baseline - 1, layout.value_x + layout.value_width, baseline - 1)
            canvas.setDash()
    draw_qr(canvas, sheet.qr_url, layout.qr_x, layout.qr_y, m.qr)
    canvas.setFillColor(INK)
    url_size = 8.5 * max(m.scale, 0.9)
    canvas.setFont("Courier-Bold", url_size)
    canvas.drawCentredString(
        layout.qr_x + m.qr / 2, layout.qr_y - url_size - 1, printable(short_url(sheet.qr_url))
    )


@dataclass(frozen=True)
class _RecordedForm:
    """The drawing of a sheet's static part, as reportlab wrote it: its operators, the
    fonts they name (standard name, name in the document) in the order the document
    first saw them, the pictures they place, and where the per-page parts go."""

    code: tuple[str, ...]
    fonts: tuple[tuple[str, str], ...]
    pictures: tuple[_Printed, ...]
    places: tuple[float, ...]


_PLACES = ("box_top", "value_x", "value_width", "qr_x", "qr_y")
_FORMS_KEPT = 16
_forms: dict[tuple, _RecordedForm | None] = {}
_forms_lock = threading.Lock()


def _sheet_static_form(canvas, content, layout, size):
    """Define the form "guide" (what is the same on every sheet) on ``canvas``.

    Drawing it is most of a single sheet's time and the same for every sheet of a guide,
    size and language: the operators it writes are recorded once and replayed into each
    new document. The key holds the content itself (a frozen dataclass), so an edited
    guide is drawn anew. A replay needs the new document to name the fonts as the
    recorded one did (both are fresh canvases, so they do); otherwise it draws again.
    """
    key = (content, size, get_language())
    recorded = _forms.get(key)
    if recorded is not None and _replay_form(canvas, recorded, layout):
        return
    canvas.beginForm("guide")
    _draw_sheet_static(canvas, content, layout)
    recorded = _record_form(canvas, layout)
    canvas.endForm()
    with _forms_lock:
        if len(_forms) >= _FORMS_KEPT:
            _forms.pop(next(iter(_forms)), None)  # the oldest
        _forms[key] = recorded


def _record_form(canvas, layout) -> _RecordedForm | None:
    """The form being drawn on ``canvas``, or None when it uses anything a replay would
    not carry (links, transparency, spot colours, shadings)."""
    if canvas._annotationrefs or canvas._colorsUsed or canvas._shadingUsed or canvas._extgstate.getState():
        return None
    document = canvas._doc
    pictures = []
    for name in canvas._formsinuse:
        image = document.idToObject.get(document.getXObjectName(name))
        if not isinstance(image, _PrintedXObject):
            return None
        pictures.append(image.printed)
    return _RecordedForm(
        code=tuple(canvas._code),
        fonts=tuple(document.fontMapping.items()),
        pictures=tuple(pictures),
        places=tuple(getattr(layout, place) for place in _PLACES),
    )


def _replay_form(canvas, recorded: _RecordedForm, layout) -> bool:
    document = canvas._doc
    for font, internal_name in recorded.fonts:
        if document.getInternalFontName(font) != internal_name:
            return False
    canvas.beginForm("guide")
    for printed in recorded.pictures:
        _add_printed(canvas, printed)
    canvas._code.extend(recorded.code)
    canvas.endForm()
    for place, value in zip(_PLACES, recorded.places, strict=True):
        setattr(layout, place, value)
    return True


@_binary_streams()
def guide_sheets(
    content: GuideContent,
    sheets: Iterable[Sheet],
    *,
    size: str = "a4",
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """One guide sheet per ``Sheet`` (a district pack, or a single sheet), as one PDF."""
    pagesize = SHEET_SIZES[size]
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, pagesize, title=content.title, author=content.identity.organisation_name)
    layout = _SheetLayout(width=pagesize[0], height=pagesize[1], metrics=_SHEET_METRICS[size])
    _sheet_static_form(canvas, content, layout, size)
    count = 0
    for sheet in sheets:
        canvas.doForm("guide")
        _draw_sheet_personal(canvas, content, layout, sheet)
        canvas.showPage()
        count += 1
        if progress and count % 50 == 0:
            progress(count)
    if count == 0:
        canvas.doForm("guide")
        canvas.showPage()
    canvas.save()
    if progress:
        progress(count)
    return buffer.getvalue()


def guide_sheet(content: GuideContent, *, qr_url: str, personal: Mapping | None = None, size="a4") -> bytes:
    """A single guide sheet: the general one (blank personal lines) or an institution's."""
    return guide_sheets(content, [Sheet(qr_url=qr_url, personal=personal or {})], size=size)


# --- Posters --------------------------------------------------------------------------------


@_binary_streams()
def poster(content: GuideContent, *, qr_url: str, size: str = "a3") -> bytes:
    """A poster: headline, the three key steps, a large QR code. Drawn on A4 and scaled
    for A3 (the A sizes share one aspect ratio), so both print alike."""
    pagesize = POSTER_SIZES[size]
    scale = pagesize[0] / A4[0]
    width, height = A4
    margin = 40
    inner = width - 2 * margin
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, pagesize, title=content.poster_headline or content.title, author="")
    canvas.setAuthor(printable(content.identity.organisation_name))
    canvas.scale(scale, scale)

    _header_band(canvas, content.identity, width=width, height=height, band=76, margin=margin)
    y = height - 76 - 5 - 26
    headline = Paragraph(
        markup(content.poster_headline or content.title),
        _style("headline", 34, bold=True, color=BLUE_DARK, leading=38, alignment=TA_CENTER),
    )
    y -= _paragraph_height(headline, inner)
    headline.drawOn(canvas, margin, y)
    if content.cta_label:
        sub = Paragraph(
            markup(content.cta_label), _style("sub", 16, bold=True, color=ORANGE_DARK, alignment=TA_CENTER)
        )
        y -= 10 + _paragraph_height(sub, inner)
        sub.drawOn(canvas, margin, y)

    # QR block at the bottom, above the contact band.
    band_bottom = 64
    qr_size = 200
    qr_y = band_bottom + 58
    qr_x = (width - qr_size) / 2
    canvas.setFillColor(ORANGE)
    canvas.roundRect(qr_x - 8, qr_y - 8, qr_size + 16, qr_size + 16, 10, stroke=0, fill=1)
    draw_qr(canvas, qr_url, qr_x, qr_y, qr_size)
    canvas.setFillColor(INK)
    canvas.setFont("Courier-Bold", 15)
    canvas.drawCentredString(width / 2, qr_y - 30, printable(short_url(qr_url)))
    canvas.setFont("Helvetica-Bold", 12)
    canvas.setFillColor(BLUE_DARK)
    canvas.drawCentredString(width / 2, qr_y + qr_size + 20, printable(_("Scan the code to open the form")))

    # The three key steps between the headline and the QR code.
    radius = 21
    step_title = _style("poster-step", 19, bold=True, color=BLUE_DARK, leading=23, spaceAfter=4)
    step_text = _style("poster-text", 13.5, leading=18)
    rows = []
    for number, step in enumerate(content.poster_steps, start=1):
        rows.append(
            [
                _Number(number, radius),
                [Paragraph(markup(step.title), step_title), Paragraph(markup(step.text), step_text)],
            ]
        )
    top = y - 24
    bottom = qr_y + qr_size + 44
    if rows:
        table = Table(rows, colWidths=[2 * radius + 14, inner - 2 * radius - 14])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 16),
                ]
            )
        )
        frame = KeepInFrame(inner, top - bottom, [table], mode="shrink")
        _width, used = frame.wrapOn(canvas, inner, top - bottom)
        frame.drawOn(canvas, margin, top - used - (top - bottom - used) / 2)

    # Contact band.
    canvas.setFillColor(BLUE)
    canvas.rect(0, 0, width, band_bottom, stroke=0, fill=1)
    canvas.setFillColor(white)
    help_line = _help_line(content)
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawCentredString(
        width / 2, band_bottom - 26, printable(help_line or content.identity.organisation_name)
    )
    canvas.setFont("Helvetica", 10)
    website = short_url(content.identity.website) if content.identity.website else ""
    canvas.drawCentredString(
        width / 2,
        band_bottom - 44,
        printable("  ·  ".join(p for p in (website, content.identity.hashtag) if p)),
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- Fact sheets ------------------------------------------------------------------------------


@_binary_streams()
def fact_sheet(
    *, title: str, subtitle: str, facts: Iterable[tuple[str, str]], notes: Iterable[str], identity: Identity
) -> bytes:
    """A one-page fact sheet for the press: a title, key figures, notes and sources."""
    width, height = A4
    margin = 48
    inner = width - 2 * margin
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, A4, title=title, author=identity.organisation_name)
    _header_band(canvas, identity, width=width, height=height, band=66, margin=margin)
    y = height - 66 - 5 - 24
    heading = Paragraph(markup(title), _style("fs-title", 22, bold=True, color=BLUE_DARK))
    y -= _paragraph_height(heading, inner)
    heading.drawOn(canvas, margin, y)
    if subtitle:
        sub = Paragraph(markup(subtitle), _style("fs-sub", 11.5, color=MUTED))
        y -= 6 + _paragraph_height(sub, inner)
        sub.drawOn(canvas, margin, y)
    value_style = _style("fs-value", 20, bold=True, color=ORANGE_DARK, leading=23)
    label_style = _style("fs-label", 11.5, color=INK)
    cells = [
        [Paragraph(markup(value), value_style), Paragraph(markup(label), label_style)]
        for label, value in facts
    ]
    if cells:
        table = Table(cells, colWidths=[inner * 0.34, inner * 0.66])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
                    ("TOPPADDING", (0, 0), (-1, -1), 8),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ]
            )
        )
        _width, used = table.wrapOn(canvas, inner, y - 120)
        y -= 18 + used
        table.drawOn(canvas, margin, y)
    note_style = _style("fs-note", 9, color=MUTED)
    for note in notes:
        paragraph = Paragraph(markup(note), note_style)
        y -= 8 + _paragraph_height(paragraph, inner)
        paragraph.drawOn(canvas, margin, y)
    _footer(canvas, identity, width=width, y=28)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
