"""Official letters on A4: a pure function drawing on a reportlab canvas, returning bytes.

Nothing here reads the database: the caller passes the letterhead, the letters (as they
were numbered) and the signature image. The layout follows Indonesian government
correspondence: the kop surat (logo, office name lines, address, a double rule), then
Nomor / Lampiran / Perihal with the place and date on the right, "Yth." and the
addressee, the body, and the signatory's block (position, signature, name, NIP) on the
right. The institution's QR code (vector paths, ``campaign.materials.pdf.draw_qr``) sits
small in the lower left corner and leads to the recipient's RSVP page.

A batch prints as one PDF: the letterhead and the signature are PDF forms drawn once
and placed on every page, so a thousand letters stay small and fast.
"""

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from xml.sax.saxutils import escape, quoteattr

import qrcode
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from campaign.materials.pdf import binary_streams, draw_qr, new_canvas, printable

from .services.letters import date_id

WIDTH, HEIGHT = A4
LEFT, RIGHT = 71.0, 57.0  # 2.5 cm and 2 cm
TEXT_WIDTH = WIDTH - LEFT - RIGHT
TOP = HEIGHT - 36.0
QR_SIZE = 70.0
QR_Y = 34.0
BOTTOM = QR_Y + QR_SIZE + 14  # the body never runs into the QR code
KOP_BOTTOM = HEIGHT - 128.0
SIGN_X = WIDTH / 2 + 30
SIGN_WIDTH = WIDTH - RIGHT - SIGN_X

_BODY = ParagraphStyle(
    "letter-body", fontName="Helvetica", fontSize=11, leading=15.5, alignment=TA_JUSTIFY, firstLineIndent=28
)
_ITEM = ParagraphStyle("letter-item", parent=_BODY, firstLineIndent=0, leftIndent=46, bulletIndent=30)
_PLAIN = ParagraphStyle("letter-plain", fontName="Helvetica", fontSize=11, leading=14.5)
_KOP_1 = ParagraphStyle("kop-1", fontName="Helvetica-Bold", fontSize=15, leading=18, alignment=TA_CENTER)
_KOP_2 = ParagraphStyle("kop-2", fontName="Helvetica-Bold", fontSize=13, leading=16, alignment=TA_CENTER)
_KOP_3 = ParagraphStyle("kop-3", fontName="Helvetica", fontSize=9, leading=11.5, alignment=TA_CENTER)


@dataclass(frozen=True)
class Letterhead:
    line_1: str
    line_2: str = ""
    address: str = ""
    contact_line: str = ""
    place: str = "Kupang"
    logo: bytes | None = None


@dataclass(frozen=True)
class LetterContent:
    number: str
    date: datetime.date
    subject: str
    addressee: str
    rsvp_url: str
    position: str = ""
    institution: str = ""
    address: str = ""
    attachments: str = "-"
    body_html: str = ""
    signatory_name: str = ""
    signatory_position: str = ""
    signatory_nip: str = ""


def _text(value) -> str:
    return escape(printable(value))


# --- Rich text to paragraphs --------------------------------------------------------------


class _Blocks(HTMLParser):
    """Wagtail rich text (p, b/i, a, br, ol/ul) as Paragraph markup, one item per block."""

    _INLINE = {"b": "b", "strong": "b", "i": "i", "em": "i"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, str]] = []  # (kind, markup, bullet)
        self.current: list[str] = []
        self.lists: list[list] = []
        self.kind = "p"
        self.bullet = ""
        self.open_inline: list[str] = []

    def _flush(self):
        text = "".join(self.current).strip()
        for tag in reversed(self.open_inline):
            text += f"</{tag}>"
        if text.replace("<br/>", "").strip():
            self.blocks.append((self.kind, text, self.bullet))
        self.current = [f"<{tag}>" for tag in self.open_inline]
        self.kind, self.bullet = "p", ""

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "h2", "h3", "h4", "div"):
            self._flush()
        elif tag in ("ol", "ul"):
            self._flush()
            self.lists.append([tag, 0])
        elif tag == "li":
            self._flush()
            self.kind = "li"
            if self.lists:
                self.lists[-1][1] += 1
                kind, number = self.lists[-1]
                self.bullet = f"{number}." if kind == "ol" else "\u2022"
            else:
                self.bullet = "\u2022"
        elif tag in self._INLINE:
            self.current.append(f"<{self._INLINE[tag]}>")
            self.open_inline.append(self._INLINE[tag])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://", "mailto:")):
                self.current.append(f"<a href={quoteattr(printable(href))}>")
                self.open_inline.append("a")
        elif tag == "br":
            self.current.append("<br/>")

    def handle_endtag(self, tag):
        if tag in ("p", "h2", "h3", "h4", "div", "li"):
            self._flush()
        elif tag in ("ol", "ul"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag in self._INLINE or tag == "a":
            name = self._INLINE.get(tag, "a")
            if name in self.open_inline:
                self.open_inline.remove(name)
                self.current.append(f"</{name}>")

    def handle_data(self, data):
        self.current.append(_text(" ".join(data.split("\n"))))

    def result(self):
        self._flush()
        return self.blocks


def body_blocks(body_html: str) -> list[tuple[str, str, str]]:
    """The body's blocks: (kind, Paragraph markup, bullet), kind "p" or "li"."""
    parser = _Blocks()
    parser.feed(body_html or "")
    parser.close()
    return parser.result()


class _Laid:
    """Paragraphs made and wrapped once per PDF: most of a batch's letters share most of
    their lines (the subject, whole paragraphs of the body, the signatory), and making
    and wrapping a paragraph is most of a letter's cost."""

    def __init__(self):
        self._made = {}
        self._qr_versions = {}
        self._forms, self._seen, self._keep = {}, set(), []

    def paragraph(self, markup, style, width, bullet=""):
        key = (markup, style.name, width, bullet)
        laid = self._made.get(key)
        if laid is None:
            if len(self._made) > 2000:  # a batch of very different letters
                self._made.clear()
            paragraph = Paragraph(markup, style, bulletText=bullet or None)
            _w, height = paragraph.wrap(width, 10_000)
            laid = self._made[key] = (paragraph, height)
        return laid

    def draw(self, canvas, paragraph, x, y):
        """Draw a wrapped paragraph with its lower left corner at (x, y): the second time
        a paragraph is drawn it becomes a PDF form, placed (not drawn again) from then on.
        A paragraph with a link stays drawn: a link annotation belongs to its page."""
        name = self._forms.get(id(paragraph))
        if name is None:
            if id(paragraph) not in self._seen or "<a " in paragraph.text:
                self._seen.add(id(paragraph))
                paragraph.drawOn(canvas, x, y)
                return
            name = self._forms[id(paragraph)] = f"para{len(self._forms)}"
            self._keep.append(paragraph)  # its id names the form: keep it alive
            canvas.beginForm(name)
            paragraph.drawOn(canvas, 0, 0)
            canvas.endForm()
        canvas.saveState()
        canvas.translate(x, y)
        canvas.doForm(name)
        canvas.restoreState()

    def qr_matrix(self, data):
        """As ``pdf.qr_matrix``; the version found for one length is kept for the next
        (RSVP links of a batch are as long as each other), saving the search for it."""
        version = self._qr_versions.get(len(data))
        code = qrcode.QRCode(
            version=version, error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=0
        )
        code.add_data(data)
        code.make(fit=version is None)
        self._qr_versions[len(data)] = code.version
        return code.get_matrix()


# --- Drawing ---------------------------------------------------------------------------------


def _draw_kop(canvas, head: Letterhead):
    text_left, text_width = LEFT, TEXT_WIDTH
    if head.logo:
        logo = ImageReader(io.BytesIO(head.logo))
        width, height = logo.getSize()
        box = 68.0
        scale = min(box / width, box / height)
        canvas.drawImage(
            logo, LEFT, TOP - box + (box - height * scale) / 2, width * scale, height * scale, mask="auto"
        )
        text_left, text_width = LEFT + box + 6, TEXT_WIDTH - 2 * (box + 6)
    lines = [(head.line_1, _KOP_1), (head.line_2, _KOP_2)]
    lines += [(line, _KOP_3) for line in (head.address or "").splitlines() if line.strip()]
    lines += [(head.contact_line, _KOP_3)]
    y = TOP
    for value, style in lines:
        if not (value or "").strip():
            continue
        paragraph = Paragraph(_text(value), style)
        _w, h = paragraph.wrap(text_width, 200)
        paragraph.drawOn(canvas, text_left, y - h)
        y -= h
    rule = min(y, TOP - 68) - 8
    canvas.setLineWidth(2.2)
    canvas.line(LEFT, rule, WIDTH - RIGHT, rule)
    canvas.setLineWidth(0.7)
    canvas.line(LEFT, rule - 3.5, WIDTH - RIGHT, rule - 3.5)
    return rule - 3.5


def _kop_form(canvas, head: Letterhead) -> float:
    """The letterhead as a form drawn once; returns where the text may start."""
    canvas.beginForm("kop")
    bottom = _draw_kop(canvas, head)
    canvas.endForm()
    return bottom


def _signature_form(canvas, signature: bytes | None) -> bool:
    if not signature:
        return False
    image = ImageReader(io.BytesIO(signature))
    width, height = image.getSize()
    scale = min(SIGN_WIDTH / width, 56.0 / height)
    canvas.beginForm("signature")
    canvas.drawImage(image, SIGN_X, 0, width * scale, height * scale, mask="auto")
    canvas.endForm()
    return True


class _Page:
    """Where the next line goes; a new page (without the letterhead) when one is full."""

    def __init__(self, canvas, top, letter, laid):
        self.canvas, self.y, self.letter, self.laid = canvas, top, letter, laid
        self.pages = 1

    def need(self, height):
        if self.y - height < BOTTOM:
            self.canvas.showPage()
            self.pages += 1
            self.canvas.setFont("Helvetica", 8.5)
            self.canvas.drawString(LEFT, TOP, printable(f"{self.letter.number} - {self.pages}"))
            self.y = TOP - 24

    def flow(self, laid, x=LEFT, width=TEXT_WIDTH, space_after=4.0):
        """Draw a wrapped paragraph ``(paragraph, height)``, split across pages if need be."""
        paragraph, height = laid
        if self.y - height < BOTTOM:
            parts = paragraph.split(width, self.y - BOTTOM)
            if len(parts) != 2:
                parts = [paragraph]
            for part in parts:
                _w, h = part.wrap(width, 10_000)
                self.need(h)
                part.drawOn(self.canvas, x, self.y - h)
                self.y -= h
            paragraph.wrap(width, 10_000)  # the cached paragraph keeps its own lines
        else:
            self.laid.draw(self.canvas, paragraph, x, self.y - height)
            self.y -= height
        self.y -= space_after


def _draw_letter(canvas, letter: LetterContent, head: Letterhead, top: float, has_signature: bool, laid):
    canvas.doForm("kop")
    draw_qr(canvas, letter.rsvp_url, LEFT - 4, QR_Y, QR_SIZE, quiet=2, matrix=laid.qr_matrix(letter.rsvp_url))
    canvas.setFont("Helvetica", 7)
    canvas.setFillGray(0.3)
    canvas.drawString(LEFT + QR_SIZE + 2, QR_Y + QR_SIZE / 2 + 2, "Pindai kode ini untuk menjawab")
    canvas.drawString(LEFT + QR_SIZE + 2, QR_Y + QR_SIZE / 2 - 7, "undangan secara daring.")
    canvas.setFillGray(0)

    page = _Page(canvas, top - 22, letter, laid)
    # Place and date on the right, level with the number.
    dated = printable(f"{head.place}, {date_id(letter.date)}" if head.place else date_id(letter.date))
    canvas.setFont("Helvetica", 11)
    canvas.drawRightString(WIDTH - RIGHT, page.y - 11, dated)
    label_width, colon = 58.0, 8.0
    value_width = TEXT_WIDTH - label_width - colon - stringWidth(dated, "Helvetica", 11) - 16
    for label, value in (
        ("Nomor", letter.number),
        ("Lampiran", letter.attachments or "-"),
        ("Perihal", letter.subject),
    ):
        wide = TEXT_WIDTH - label_width - colon - 120
        paragraph, h = laid.paragraph(_text(value), _PLAIN, value_width if label == "Nomor" else wide)
        canvas.setFont("Helvetica", 11)
        canvas.drawString(LEFT, page.y - 11, label)
        canvas.drawString(LEFT + label_width, page.y - 11, ":")
        laid.draw(canvas, paragraph, LEFT + label_width + colon, page.y - h + 0.5)
        page.y -= max(h, 14.5)
    page.y -= 18

    addressee = [f"Yth. {_text(letter.addressee)}"]
    addressee += [_text(value) for value in (letter.position, letter.institution) if (value or "").strip()]
    addressee += [_text(line) for line in (letter.address or "").splitlines() if line.strip()]
    addressee += ["di", "&nbsp;" * 8 + "Tempat"]
    page.flow(
        laid.paragraph("<br/>".join(addressee), _PLAIN, TEXT_WIDTH * 0.62),
        width=TEXT_WIDTH * 0.62,
        space_after=16,
    )

    for kind, markup, bullet in body_blocks(letter.body_html):
        page.flow(laid.paragraph(markup, _ITEM if kind == "li" else _BODY, TEXT_WIDTH, bullet), space_after=6)

    # The signatory's block: position, signature, name (bold, underlined), NIP.
    position, position_height = laid.paragraph(_text(letter.signatory_position), _PLAIN, SIGN_WIDTH)
    page.need(position_height + 110)
    page.y -= 12
    laid.draw(canvas, position, SIGN_X, page.y - position_height)
    page.y -= position_height
    if has_signature:
        canvas.saveState()
        canvas.translate(0, page.y - 62)
        canvas.doForm("signature")
        canvas.restoreState()
    page.y -= 70
    name = printable(letter.signatory_name)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(SIGN_X, page.y - 11, name)
    canvas.setLineWidth(0.6)
    canvas.line(SIGN_X, page.y - 13, SIGN_X + stringWidth(name, "Helvetica-Bold", 11), page.y - 13)
    if letter.signatory_nip:
        canvas.setFont("Helvetica", 11)
        canvas.drawString(SIGN_X, page.y - 26, printable(f"NIP. {letter.signatory_nip}"))
    canvas.showPage()


@binary_streams()
def letters_pdf(
    head: Letterhead,
    letters: Iterable[LetterContent],
    *,
    signature: bytes | None = None,
    title: str = "Surat",
) -> bytes:
    """Every letter of ``letters`` (each on its own pages) as one A4 PDF."""
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, A4, title=title, author=" ".join(filter(None, [head.line_1, head.line_2])))
    top = _kop_form(canvas, head)
    has_signature = _signature_form(canvas, signature)
    count = 0
    laid = _Laid()
    for letter in letters:
        _draw_letter(canvas, letter, head, top, has_signature, laid)
        count += 1
    if count == 0:
        canvas.doForm("kop")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
