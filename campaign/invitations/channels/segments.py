"""How many SMS parts a text takes: GSM 03.38 (7-bit) when every character is in its
alphabet, 160 characters in one part, 153 per part when split (the rest is the
concatenation header); the extension characters (``^{}[]~|€\\``) take two. Any other
character (emoji, curly quotes, most non-Latin letters) makes the whole text UCS-2:
70 in one part, 67 per part, counted in UTF-16 code units."""

import math
from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    length: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int


def sms_segments(text: str) -> Segments:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        length = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    parts = 1 if length <= single else math.ceil(length / multi)
    return Segments(encoding=encoding, length=length, parts=parts)


# Characters editors type (or paste from a word processor) that would turn a whole SMS
# into UCS-2, and their GSM-7 equivalents.
_PLAIN = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "}
)


def sms_plain(text: str) -> str:
    """``text`` with typographic quotes, dashes and ellipses made GSM-7."""
    return text.translate(_PLAIN)
