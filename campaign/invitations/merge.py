"""Merge fields: the one registry of what a template may say about its recipient, and
the rendering of a template into subject, HTML and plain text.

A template is compiled once per batch and language (rich text expanded, layout
rendered, plain text derived) into skeletons holding ``{{ field }}`` placeholders; each
recipient then costs one substitution per skeleton. Values are escaped for HTML and left
as they are for plain text and the subject.

An empty value is never written into a sentence. Text between ``[[`` and ``]]`` is an
optional block: it is written only when every field inside it has a value, and left out
whole otherwise (``[[Tim pendamping kami, {{ team }}, ingin datang.]]``). A field outside
any block is required: a recipient without a value for it is not sent the message
(``Compiled.missing`` names the fields, ``MissingValues`` refuses the rendering).
"""

import html
import re
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser

from django.utils.translation import gettext_lazy as _

MERGE_FIELDS = {
    "contact_name": _("Contact's name"),
    "contact_position": _("Contact's position"),
    "institution": _("Institution or media outlet"),
    "team": _("Guiding team"),
    "session_date": _("Proposed session date and time"),
    "campaign_end": _("Last day of the online phase (after extensions)"),
    "rsvp_link": _("Link to accept, decline or propose another time"),
    "guide_link": _("Link to the institution's own guide sheet"),
    "progress_link": _("Link where the institution reports how many of its staff are done"),
    "press_room_link": _("Press room link"),
    "unsubscribe_link": _("Unsubscribe link"),
}
LINK_FIELDS = {name for name in MERGE_FIELDS if name.endswith("_link")}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# An optional block: ``[[`` … ``]]`` on one level, never nested.
BLOCK = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
_EMPTY_ELEMENTS = re.compile(r"<(p|li|h2|h3|b|i|strong|em)>\s*</\1>")
_HREF_PLACEHOLDER = re.compile(r"""href=(["'])\s*\{\{\s*([a-z_]+)\s*\}\}\s*\1""")
# Characters that end a header line somewhere (RFC 5322 and Python's str.splitlines).
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


class Unrenderable(ValueError):
    """A message that must not be sent as it would be rendered."""


class HeaderInjection(Unrenderable):
    """A value meant for a header (subject, recipient name) holds a line break."""


class MissingValues(Unrenderable):
    """A required field (outside every optional block) has no value for this recipient."""

    def __init__(self, fields):
        self.fields = sorted(fields)
        super().__init__(", ".join(self.fields))


def block_errors(text: str) -> list[str]:
    """What is wrong with the optional blocks of ``text`` (empty when nothing)."""
    text = text or ""
    errors = []
    outside = BLOCK.sub("", text)
    if "[[" in outside or "]]" in outside:
        errors.append(_("Every “[[” needs its own “]]”, and blocks cannot be nested."))
    for inner in BLOCK.findall(text):
        if "[[" in inner:
            errors.append(_("Every “[[” needs its own “]]”, and blocks cannot be nested."))
        if not _tags_balanced(inner):
            errors.append(_("An optional block [[ … ]] must start and end in the same paragraph."))
    return sorted(set(map(str, errors)))


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = {"br", "hr", "img"}


def _tags_balanced(fragment: str) -> bool:
    stack = []
    for closing, name, self_closing in _TAG.findall(fragment):
        name = name.lower()
        if name in _VOID or self_closing:
            continue
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def required_fields(text: str) -> set[str]:
    """Fields used outside every optional block: each recipient needs a value."""
    return set(PLACEHOLDER.findall(BLOCK.sub("", text or ""))) & set(MERGE_FIELDS)


def _has(values, name) -> bool:
    return bool(str(values.get(name) or "").strip())


def _blocks(skeleton: str, values: dict[str, str]) -> str:
    """Keep each optional block whose fields all have values; drop the others."""

    def keep(match):
        inner = match.group(1)
        return inner if all(_has(values, name) for name in PLACEHOLDER.findall(inner)) else ""

    return BLOCK.sub(keep, skeleton)


def unknown_merge_fields(text: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(text or "") if name not in MERGE_FIELDS})


def placeholders() -> dict[str, str]:
    """Each field mapped to its own placeholder: the context that renders a skeleton."""
    return {name: "{{" + name + "}}" for name in MERGE_FIELDS}


def check_header(value: str) -> str:
    if _LINE_BREAKS.search(value or ""):
        raise HeaderInjection(value)
    return value


def _fill(skeleton: str, values: dict[str, str], escape) -> str:
    return PLACEHOLDER.sub(lambda m: escape(values.get(m.group(1), "")), _blocks(skeleton, values))


def _fill_html(skeleton: str, values: dict[str, str]) -> str:
    def href(match):
        return f'href="{html.escape(values.get(match.group(2), ""), quote=True)}"'

    def text(match):
        name = match.group(1)
        value = values.get(name, "")
        if name in LINK_FIELDS and value:
            escaped = html.escape(value, quote=True)
            return f'<a href="{escaped}">{escaped}</a>'
        return html.escape(value, quote=True)

    skeleton = _blocks(skeleton, values)
    filled = PLACEHOLDER.sub(text, _HREF_PLACEHOLDER.sub(href, skeleton))
    # A paragraph or list item that held only an omitted block goes with it.
    previous = None
    while previous != filled:
        previous, filled = filled, _EMPTY_ELEMENTS.sub("", filled)
    return filled


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str
    # Required fields left empty (only when rendered with ``strict=False``, for previews).
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compiled:
    subject: str
    html: str
    text: str

    @cached_property
    def required(self) -> frozenset[str]:
        parts = (self.subject, self.html, self.text)
        return frozenset().union(*(required_fields(part) for part in parts))

    def missing(self, values: dict[str, str]) -> list[str]:
        """The required fields this recipient has no value for, sorted."""
        return sorted(name for name in self.required if not _has(values, name))

    def render(self, values: dict[str, str], *, strict: bool = True) -> Rendered:
        """Raises HeaderInjection when the merged subject would span lines, and (when
        ``strict``) MissingValues when a required field is empty."""
        missing = self.missing(values)
        if strict and missing:
            raise MissingValues(missing)
        subject = check_header(_fill(self.subject, values, str))
        return Rendered(
            subject=subject,
            html=_fill_html(self.html, values),
            # Lines left empty by an omitted block close up.
            text=re.sub(r"\n{3,}", "\n\n", _fill(self.text, values, str)),
            missing=tuple(missing),
        )


# --- HTML to plain text -----------------------------------------------------------------


class _TextMaker(HTMLParser):
    _BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "ul", "ol", "table", "tr", "hr", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str | None] = []
        self.lists: list[list] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("style", "script", "head", "title"):
            self.skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")
            if tag == "hr":
                self.parts.append("----------\n\n")
            if tag in ("ul", "ol"):
                self.lists.append([tag, 0])
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            if self.lists:
                self.lists[-1][1] += 1
                kind, number = self.lists[-1]
                self.parts.append(f"\n{number}. " if kind == "ol" else "\n- ")
            else:
                self.parts.append("\n- ")
        elif tag == "a":
            self.links.append(attrs.get("href"))
            self.parts.append("")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in self._BLOCKS:
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            # A link whose text is its own address is written once.
            if href and not href.startswith("mailto:"):
                tail = "".join(self.parts[-3:])
                if href not in tail:
                    self.parts.append(f" ({href})")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self):
        raw = "".join(self.parts)
        lines = [line.strip() for line in raw.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def html_to_text(value: str) -> str:
    maker = _TextMaker()
    maker.feed(value)
    maker.close()
    return maker.text()
