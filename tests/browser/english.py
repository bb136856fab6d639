"""English left in the Indonesian admin: Wagtail's own interface strings that neither
Wagtail's `id` catalogue nor the project's (locale/id, which takes precedence) translates,
plus phrases a person reported.

Wagtail's English catalogues (locale/en) list every msgid of its interface, templates
and JavaScript. A line of text on an admin screen that is one of those msgids, while no
Indonesian catalogue has an entry for it, is English a person would read.
"""

import functools
import re
from pathlib import Path

import wagtail
from django.utils.translation import trans_real

# Reported on screens (issue 14, item 7) and in notification emails.
PHRASES = [
    "Reports",
    "Help",
    "Search…",
    "There are",
    "There is",
    "match your query",
    "Download XLSX",
    "Download CSV",
    "Collapse all",
    "Expand all",
    "More actions",
    "Request changes",
    "Approve with comment",
    "News approval",
    "Head of section approves",
    "Why not",
]
PHRASES_RE = re.compile("|".join(rf"(?<![\w-]){re.escape(p)}(?![\w-])" for p in PHRASES))
# Placeholders in a msgid (%(name)s, %s, {name}) stand for any text on the screen.
PLACEHOLDER_RE = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def _unquote(line):
    return (
        line[line.index('"') + 1 : line.rindex('"')]
        .encode()
        .decode("unicode_escape")
        .encode("latin-1")
        .decode()
    )


def _entries(path):
    """(context, msgid, msgid_plural) of a .po file."""
    entries, entry, key = [], {}, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:  # entries are separated by blank lines
            if "msgid" in entry:
                entries.append((entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")))
            entry, key = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key:
                entry[key] += _unquote(line)
        else:
            key = line.split(" ", 1)[0]
            if key.startswith("msgstr"):
                key = None
            else:
                entry[key] = _unquote(line)
    return [e for e in entries if e[1]]


def _catalogue_keys(domain, localedirs=None):
    if domain == "django":
        translation = trans_real.translation("id")
    else:
        translation = trans_real.DjangoTranslation("id", domain=domain, localedirs=localedirs)
    keys = set()
    for key in translation._catalog.keys():
        keys.add(key[0] if isinstance(key, tuple) else key)
    return keys


@functools.cache
def untranslated():
    """Wagtail msgids without an Indonesian entry: (exact strings, one pattern for the
    msgids with placeholders)."""
    root = Path(wagtail.__file__).parent
    exact, patterns = set(), []
    known = {
        "django": _catalogue_keys("django"),
        "djangojs": _catalogue_keys("djangojs", [str(root / "admin" / "locale")]),
    }
    for path in root.glob("**/locale/en/LC_MESSAGES/*.po"):
        keys = known[path.stem]
        for context, msgid, plural in _entries(path):
            key = f"{context}\x04{msgid}" if context else msgid
            if key in keys or not re.search(r"[A-Za-z]{2}", msgid):
                continue
            for text in filter(None, (msgid, plural)):
                if PLACEHOLDER_RE.search(text):
                    parts = PLACEHOLDER_RE.split(text)
                    if len(re.sub(r"[^A-Za-z]", "", "".join(parts))) >= 3:
                        patterns.append(r".+?".join(re.escape(part) for part in parts))
                else:
                    exact.add(text)
    pattern = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None
    return frozenset(exact), pattern


def english_in(text):
    """The English phrases and Wagtail strings in ``text`` (one screen's visible text)."""
    exact, pattern = untranslated()
    found = set(PHRASES_RE.findall(text))
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        if line in exact:
            found.add(line)
        elif pattern is not None and len(line) < 200 and pattern.fullmatch(line):
            found.add(line)
    return sorted(found)
