"""Phone numbers as stored: E.164 (``+6281234567890``), whatever notation was typed.

One rule for every path (admin forms, imports, services, the field app): the model field
normalises what it is given, so a spreadsheet export can trust that a phone column holds
only ``+`` and digits.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def parse_phone(value: str) -> str | None:
    """E.164 form of an Indonesian (or international) phone number, or None."""
    try:
        number = phonenumbers.parse(value, "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneNumberField(models.CharField):
    """A CharField that cleans any Indonesian notation (``0812-3456-7890``, ``+62 812…``)
    to E.164 and refuses anything that is not a valid number."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in (None, ""):
            return value
        normalised = parse_phone(value)
        if normalised is None:
            raise ValidationError(_("Not a valid phone number."), code="invalid_phone")
        return normalised

    def get_prep_value(self, value):
        # Saving does not re-validate: forms, full_clean() and the services already hold the
        # rule, and a row stored before it (or by a raw update) must stay saveable.
        return models.Field.get_prep_value(self, value) if value is None else str(value)
