"""Signed, purpose-specific, expiring token links for people without an account.

Each purpose has its own salt, so a token made for one purpose never opens another.
Opening a link only reads: nothing changes state on GET (mail scanners follow links).
"""

import datetime

from campaign.core import tokens as signed
from campaign.core.tokens import TokenError

__all__ = ["TokenError", "guide_token", "guide_token_read", "press_token", "press_token_read"]

GUIDE = signed.Purpose("jemputbola.materials.guide-download", datetime.timedelta(days=90))
PRESS = signed.Purpose("jemputbola.materials.press-embargo", datetime.timedelta(days=30))
GUIDE_MAX_AGE = GUIDE.max_age
PRESS_MAX_AGE = PRESS.max_age


def guide_token(*, guide_id: int, institution_id: int) -> str:
    """For an institution's contacts: download the institution's own guide sheet."""
    return signed.make(GUIDE, {"g": guide_id, "i": institution_id}, compress=True)


def guide_token_read(token: str) -> tuple[int, int]:
    """(guide id, institution id); raises TokenError."""
    return signed.read_ids(GUIDE, token, ("g", "i"))


def press_token(*, contact_id: int) -> str:
    """For one media partner contact: read embargoed releases before they publish."""
    return signed.make(PRESS, {"c": contact_id}, compress=True)


def press_token_read(token: str) -> int:
    """The contact id; raises TokenError."""
    return signed.read_ids(PRESS, token, ("c",))[0]


def guide_download_url(*, guide_id: int, institution_id: int) -> str:
    """The absolute link an institution's contacts get for their own guide sheet."""
    from django.conf import settings
    from django.urls import reverse

    token = guide_token(guide_id=guide_id, institution_id=institution_id)
    return settings.BASE_URL + reverse("materials:guide_download", args=[token])


def press_preview_url(*, contact_id: int) -> str:
    """The absolute personal press-room link of a media partner contact."""
    from django.conf import settings
    from django.urls import reverse

    return settings.BASE_URL + reverse("materials:press_preview", args=[press_token(contact_id=contact_id)])
