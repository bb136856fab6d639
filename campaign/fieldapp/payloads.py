"""Checks the JSON the field app sends; every problem becomes a translated message.

The API answers 400 with ``{"error": ..., "fields": {name: [messages]}}`` so that the
phone can show the person what to fix (or drop a queued recording that can never pass).
"""

import base64
import binascii
import datetime
import hashlib
import io
import json
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.institutions.models import GuidedSession

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PEOPLE = 100_000
MAX_NOTES = 5_000

SESSION_FIELDS = {
    "starts_at",
    "status",
    "people_guided",
    "people_completed",
    "follow_up_needed",
    "notes",
    "photo",
}


class PayloadError(Exception):
    """A request the API cannot accept as sent."""

    def __init__(self, message, fields=None, code="invalid"):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.code = code

    def as_dict(self):
        return {"error": self.message, "code": self.code, "fields": self.fields}

    @classmethod
    def from_validation_error(cls, error: ValidationError):
        if hasattr(error, "error_dict"):
            fields = {
                name: [str(m) for e in errors for m in e.messages]
                for name, errors in error.error_dict.items()
            }
        else:
            fields = {"__all__": [str(m) for m in error.messages]}
        first = next(iter(fields.values()))[0]
        codes = {e.code for errors in getattr(error, "error_dict", {}).values() for e in errors}
        code = "outside_campaign" if "outside_campaign" in codes else "invalid"
        return cls(_("The recording was not accepted: %(reason)s") % {"reason": first}, fields, code)


def parse_json(body: bytes) -> dict:
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise PayloadError(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise PayloadError(_("The request body must be a JSON object."))
    return data


class _Checker:
    def __init__(self, data):
        self.data = data
        self.errors = {}
        self.clean = {}

    def error(self, name, message):
        self.errors.setdefault(name, []).append(message)

    def require(self, *names):
        for name in names:
            if self.data.get(name) in (None, ""):
                self.error(name, _("This field is required."))

    def unknown(self, allowed):
        for name in sorted(set(self.data) - set(allowed)):
            self.error(name, _("Unknown field."))

    def uuid(self, name):
        value = self.data.get(name)
        if value in (None, ""):
            return
        try:
            self.clean[name] = uuid.UUID(str(value))
        except ValueError:
            self.error(name, _("Not a valid UUID."))

    def integer(self, name, *, minimum=0, maximum=MAX_PEOPLE, target=None):
        if name not in self.data or self.data[name] is None:
            return
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, _("Must be a whole number."))
        elif not minimum <= value <= maximum:
            self.error(
                name,
                _("Must be between %(minimum)d and %(maximum)d.") % {"minimum": minimum, "maximum": maximum},
            )
        else:
            self.clean[target or name] = value

    def boolean(self, name):
        if name not in self.data:
            return
        if not isinstance(self.data[name], bool):
            self.error(name, _("Must be true or false."))
        else:
            self.clean[name] = self.data[name]

    def text(self, name, *, maximum=MAX_NOTES):
        if name not in self.data:
            return
        value = self.data[name]
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(name, _("Must be text."))
        elif not _is_storable_text(value):
            self.error(name, _("Contains characters that are not valid text."))
        elif len(value) > maximum:
            self.error(name, _("At most %(maximum)d characters.") % {"maximum": maximum})
        else:
            self.clean[name] = value.strip()

    def datetime(self, name):
        if name not in self.data:
            return
        value = self.data[name]
        parsed = None
        if isinstance(value, str):
            try:
                parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                parsed = None
        if parsed is None:
            self.error(name, _("Not a date and time (use ISO 8601, e.g. 2020-03-02T09:30:00+08:00)."))
            return
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        self.clean[name] = parsed

    def date(self, name):
        if name not in self.data:
            return
        try:
            self.clean[name] = datetime.date.fromisoformat(str(self.data[name]))
        except ValueError:
            self.error(name, _("Not a date (use YYYY-MM-DD)."))

    def status(self, name="status"):
        if name not in self.data:
            return
        if self.data[name] not in GuidedSession.Status.values:
            self.error(
                name,
                _("Must be one of: %(choices)s.") % {"choices": ", ".join(GuidedSession.Status.values)},
            )
        else:
            self.clean[name] = self.data[name]

    def photo(self, name="photo"):
        if name not in self.data or self.data[name] in (None, ""):
            return
        photo = photo_from_data_url(self.data[name])
        if isinstance(photo, str):
            self.error(name, photo)
        else:
            self.clean[name] = photo

    def done(self):
        if self.errors:
            first_field, messages = next(iter(self.errors.items()))
            raise PayloadError(
                _("The recording was not accepted: %(field)s: %(reason)s")
                % {"field": first_field, "reason": messages[0]},
                self.errors,
            )
        return self.clean


def _is_storable_text(value: str) -> bool:
    """No NUL (PostgreSQL refuses it) and no lone surrogate (a ``\\ud800`` escape in the
    JSON: not Unicode, it cannot be encoded to store or to answer)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def photo_from_data_url(value):
    """A JPEG/PNG/WebP ``data:`` URL → ContentFile named by its content hash, or an
    error message. The phone resizes photos before sending; this is only a guard."""
    from PIL import Image, UnidentifiedImageError

    if not isinstance(value, str) or not value.startswith("data:image/") or ";base64," not in value:
        return _("The photo must be an image sent as a data: URL.")
    encoded = value.split(";base64,", 1)[1]
    if len(encoded) > MAX_PHOTO_BYTES * 4 // 3 + 4:
        return _("The photo is too large (at most 5 MB).")
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return _("The photo is not valid base64.")
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            kind = (image.format or "").lower()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return _("The photo is not an image the server can read.")
    if kind not in {"jpeg", "png", "webp"}:
        return _("The photo must be a JPEG, PNG or WebP image.")
    extension = {"jpeg": "jpg"}.get(kind, kind)
    return ContentFile(content, name=f"{photo_digest(content)}.{extension}")


def photo_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:16]


def session_create_payload(data: dict) -> dict:
    check = _Checker(data)
    check.unknown({"client_id", "team", "institution", *SESSION_FIELDS})
    check.require("client_id", "team", "institution", "starts_at")
    check.uuid("client_id")
    check.integer("team", minimum=1, maximum=2**62)
    check.integer("institution", minimum=1, maximum=2**62)
    _session_fields(check)
    clean = check.done()
    clean.setdefault("status", GuidedSession.Status.HELD)
    return clean


def session_edit_payload(data: dict) -> dict:
    check = _Checker(data)
    check.unknown({"base_updated_at", *SESSION_FIELDS})
    check.require("base_updated_at")
    check.datetime("base_updated_at")
    _session_fields(check)
    clean = check.done()
    if len(clean) == 1:
        raise PayloadError(_("Nothing to change: send at least one field of the session."))
    return clean


def _session_fields(check):
    check.datetime("starts_at")
    check.status()
    check.integer("people_guided")
    check.integer("people_completed")
    check.boolean("follow_up_needed")
    check.text("notes")
    check.photo()


def meeting_payload(data: dict) -> dict:
    check = _Checker(data)
    check.unknown({"client_id", "team", "district", "date", "attendees", "notes"})
    check.require("team", "district", "date")
    check.uuid("client_id")
    check.integer("team", minimum=1, maximum=2**62)
    check.integer("district", minimum=1, maximum=2**62)
    check.date("date")
    check.integer("attendees")
    check.text("notes")
    return check.done()
