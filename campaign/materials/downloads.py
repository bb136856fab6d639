"""Streamed downloads of the press room: a release with its attachments as one zip."""

import io
import zipfile
from html import unescape

from django.utils.html import strip_tags
from django.utils.text import slugify

CHUNK = 64 * 1024


class _Pipe(io.RawIOBase):
    """A write-only, unseekable stream whose written bytes are collected and drained;
    zipfile writes data descriptors on such a stream, so nothing is held back."""

    def __init__(self):
        self.chunks = []

    def writable(self):
        return True

    def write(self, data):
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self):
        data = b"".join(self.chunks)
        self.chunks = []
        return data


def release_text(release, *, contacts, embargo_until=None) -> str:
    """The release as plain text, for the zip."""
    from django.utils import formats, timezone

    lines = [release.title, formats.date_format(release.date, "j F Y"), ""]
    if embargo_until:
        local = timezone.localtime(embargo_until)
        lines += [f"EMBARGO: {formats.date_format(local, 'j F Y H.i')} WITA", ""]
    lines += [release.summary, ""]
    for block in release.body:
        if block.block_type == "paragraph":
            lines.append(unescape(strip_tags(block.value.source)))
        elif block.block_type == "heading":
            lines.append(block.value["text"].upper())
        elif block.block_type == "quote":
            lines.append(f"“{block.value['text']}” — {block.value.get('attribution') or ''}".rstrip(" —"))
        else:
            continue
        lines.append("")
    for contact in contacts:
        details = ", ".join(p for p in (contact.role, contact.phone, contact.email) if p)
        lines.append(f"{contact.name}: {details}" if details else contact.name)
    return "\n".join(lines).strip() + "\n"


def release_zip_chunks(release, *, documents, contacts, embargo_until=None):
    """Yield the zip of a release: its text and every document, written as it streams."""
    pipe = _Pipe()
    used = set()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        base = slugify(release.slug or release.title)[:60] or "siaran-pers"
        archive.writestr(f"{base}.txt", release_text(release, contacts=contacts, embargo_until=embargo_until))
        yield pipe.drain()
        for number, document in enumerate(documents, start=1):
            # The title, not the stored name (which storage may have suffixed).
            name = f"{slugify(document.title)[:60] or 'dokumen'}.{document.file_extension or 'bin'}"
            if name in used:
                name = f"{number}-{name}"
            used.add(name)
            with document.file.open("rb") as source, archive.open(name, "w") as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield pipe.drain()
    yield pipe.drain()
