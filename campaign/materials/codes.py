"""The short codes printed in QR codes, ``/q/<code>``.

A code names the material and carries its ids, so a scan needs no table of issued
codes and printing a sheet writes nothing: ``s1z`` is the general sheet of guide 71
(base 36), ``p1z`` its poster, ``i1z-rs`` the sheet of institution 1000. Codes do not
depend on the secret key: paper outlives key rotations.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from .models import Scan

_CODE = re.compile(r"^([spi])([0-9a-z]{1,12})(?:-([0-9a-z]{1,12}))?$")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    if number <= 0:
        raise ValueError("ids are positive")
    out = ""
    while number:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
    return out


@dataclass(frozen=True)
class MaterialCode:
    material: str  # a Scan.Material value
    guide_id: int
    institution_id: int | None = None

    def __post_init__(self):
        personal = self.material == Scan.Material.INSTITUTION
        if personal != (self.institution_id is not None):
            raise ValueError("an institution's sheet, and only it, names an institution")

    def __str__(self):
        code = f"{self.material}{_base36(self.guide_id)}"
        if self.institution_id is not None:
            code += f"-{_base36(self.institution_id)}"
        return code

    @property
    def url(self) -> str:
        """The absolute URL the QR code encodes."""
        return settings.BASE_URL + reverse("materials:qr", args=[str(self)])


def parse(code: str) -> MaterialCode | None:
    """The material a code names, or None for anything that is not a code."""
    match = _CODE.match((code or "").strip().lower())
    if not match:
        return None
    material, guide, institution = match.groups()
    if (material == Scan.Material.INSTITUTION) != (institution is not None):
        return None
    return MaterialCode(
        material=material,
        guide_id=int(guide, 36),
        institution_id=int(institution, 36) if institution else None,
    )


def for_guide(guide_id: int, *, poster=False) -> MaterialCode:
    return MaterialCode(material=Scan.Material.POSTER if poster else Scan.Material.SHEET, guide_id=guide_id)


def for_institution(guide_id: int, institution_id: int) -> MaterialCode:
    return MaterialCode(material=Scan.Material.INSTITUTION, guide_id=guide_id, institution_id=institution_id)
