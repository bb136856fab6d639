"""The hostile-input set and the checks every surface applies to it.

Each test module of the hostile suite declares ``COVERS``: which (model label, field)
pairs it drives through which surfaces ("page", "admin", "email", "pdf", "feed", "ics",
"export", "api"). ``test_hostile_coverage`` fails when a text field of ours is neither
covered nor listed in ``INTERNAL`` with the reason it is never shown.

A check must be able to fail: every helper below also asserts that the value *was*
rendered (escaped, or literally), so a surface that silently drops the field does not pass.
"""

import re
import shutil
import subprocess
import tempfile
from html import unescape
from pathlib import Path

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }}{% debug %}"
# One value with every markup attack in it; short enough for a 100-character field.
PAYLOAD = f"Zx{SCRIPT}{IMG}{TEMPLATE}"
PAYLOAD_SHORT = "Zx<b>&\"'{{7*7}}"  # for fields of 30-60 characters
CRLF = "Rapat\r\nBcc: korban@example.org"
LONG = "panjang " * 2_500  # 20,000 characters
INVALID_UTF8 = b"Dinas \xff\xfe Kupang \xc3\x28"
HOSTILE_URLS = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x"]

RAW_MARKUP = (SCRIPT, "<img src=x onerror", "Zx<b>")


def assert_html_safe(html: str, value: str = PAYLOAD) -> None:
    """``value`` appears in ``html`` as text (escaped), never as markup, never evaluated."""
    for raw in RAW_MARKUP:
        if raw in value:
            assert raw not in html, f"unescaped {raw!r} in the page"
    # The escaped value is on the page, template syntax included (printed, not evaluated):
    # the surface did render the field.
    assert value in unescape(_strip_tags(html)), "the hostile value is not shown as text"


def assert_text_literal(text: str, value: str = PAYLOAD) -> None:
    """Plain-text surfaces (email text part, PDF text, CSV) show the value exactly."""
    assert _squash(value) in _squash(text), "the hostile value is not shown literally"


def pdf_text(data: bytes) -> str:
    """The text of a PDF as poppler's pdftotext reads it (the file must parse)."""
    assert data.startswith(b"%PDF"), "not a PDF"
    assert shutil.which("pdftotext"), "poppler-utils is needed (scripts/system-deps)"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.pdf"
        path.write_bytes(data)
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
        )
    return result.stdout.decode("utf-8")


def _strip_tags(html: str) -> str:
    # Attribute values count as shown too (title="…", alt="…"), so keep them as text.
    html = re.sub(r"<script\b[^>]*>.*?</script>", " ", html, flags=re.S | re.I)
    attributes = " ".join(re.findall(r'="([^"]*)"', html))
    return re.sub(r"<[^>]+>", "", html) + " " + attributes


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
