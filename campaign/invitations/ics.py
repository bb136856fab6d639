"""iCalendar (RFC 5545) for a confirmed guided session: a pure function returning bytes."""

import datetime
import re

from django.conf import settings

# Every character some reader ends a line on (str.splitlines counts all of these), and
# the other control characters RFC 5545 does not allow in TEXT.
_LINE_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f]")


def _escape(value: str) -> str:
    value = (value or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\\\\n", value))


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def session_ics(
    *,
    uid: str,
    starts_at: datetime.datetime,
    summary: str,
    description: str = "",
    location: str = "",
    duration_minutes: int = 90,
    sequence: int = 0,
    cancelled: bool = False,
) -> bytes:
    host = settings.BASE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "jemputbola"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Jemput Bola//Invitations//ID",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{uid}@{host}",
        f"DTSTAMP:{_utc(datetime.datetime.now(datetime.UTC))}",
        f"DTSTART:{_utc(starts_at)}",
        f"DTEND:{_utc(starts_at + datetime.timedelta(minutes=duration_minutes))}",
        f"SEQUENCE:{sequence}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"SUMMARY:{_escape(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
