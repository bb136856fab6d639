"""One way to print numbers, for templates (``core_tags``: ``number``, ``percent``,
``weeks_gap``), charts and PDFs alike.

Separators follow the active language: Indonesian writes 1.234,5 and English 1,234.5,
both grouped by thousands. Values are rounded half up (Django's ``number_format`` cuts
decimals off). A percentage has no space before the sign (79,2%), as Indonesian style
writes it. A lead or lag is a distance in words, never a signed number: "2,5 minggu
tertinggal", not "-2,5 minggu tertinggal".
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def format_number(value, decimals: int = 0, *, trim: bool = False) -> str:
    """``value`` with ``decimals`` decimal places in the active language's notation.

    ``trim`` drops the decimals of a whole number (23 rather than 23,00, but 23,50).
    Anything that is not a number is returned as text, unchanged ("" for None).
    """
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)  # never "-0,0"
    if trim and number == number.to_integral_value():
        number, decimals = number.quantize(Decimal(1)), 0
    return formats.number_format(number, decimals, use_l10n=True, force_grouping=True)


def format_percent(value, decimals: int = 1, *, trim: bool = False) -> str:
    """A percentage: "79,2%" (Indonesian), "79.2%" (English)."""
    text = format_number(value, decimals, trim=trim)
    return f"{text}%" if text else ""


@dataclass(frozen=True)
class WeeksGap:
    """How far the teams are from their plan: a distance and the words for its direction."""

    amount: str  # "2,5" (never signed)
    label: str  # "minggu tertinggal dari rencana"
    ahead: bool  # on plan counts as ahead

    def __str__(self):
        return f"{self.amount} {self.label}" if self.amount else self.label


def weeks_gap(weeks) -> WeeksGap:
    """``weeks`` ahead (positive) or behind (negative) the plan, in words."""
    number = _decimal(weeks) or Decimal(0)
    rounded = number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if rounded == 0:
        return WeeksGap(amount="", label=_("on plan"), ahead=True)
    distance = abs(rounded)
    count = 1 if distance == 1 else 2  # plural forms want an integer
    if rounded > 0:
        label = ngettext("week ahead of plan", "weeks ahead of plan", count)
    else:
        label = ngettext("week behind plan", "weeks behind plan", count)
    return WeeksGap(amount=format_number(distance, 1, trim=True), label=label, ahead=rounded > 0)
