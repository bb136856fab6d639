"""Signed, purpose-specific, expiring token links for people without an account.

Each purpose has its own salt, so a token made for one purpose never opens another.
Opening a link only reads: nothing changes state on GET (mail scanners follow links).
"""

import datetime

from django.core import signing

GUIDE_SALT = "jemputbola.materials.guide-download"
PRESS_SALT = "jemputbola.materials.press-embargo"
GUIDE_MAX_AGE = datetime.timedelta(days=90)
PRESS_MAX_AGE = datetime.timedelta(days=30)


class TokenError(Exception):
    def __init__(self, *, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _read(token, *, salt, max_age, keys):
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise TokenError(expired=True) from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise TokenError() from error
    if not isinstance(data, dict) or not all(isinstance(data.get(key), int) for key in keys):
        raise TokenError()
    return tuple(data[key] for key in keys)


def guide_token(*, guide_id: int, institution_id: int) -> str:
    """For an institution's contacts: download the institution's own guide sheet."""
    return signing.dumps({"g": guide_id, "i": institution_id}, salt=GUIDE_SALT, compress=True)


def guide_token_read(token: str) -> tuple[int, int]:
    """(guide id, institution id); raises TokenError."""
    return _read(token, salt=GUIDE_SALT, max_age=GUIDE_MAX_AGE, keys=("g", "i"))


def press_token(*, contact_id: int) -> str:
    """For one media partner contact: read embargoed releases before they publish."""
    return signing.dumps({"c": contact_id}, salt=PRESS_SALT, compress=True)


def press_token_read(token: str) -> int:
    """The contact id; raises TokenError."""
    return _read(token, salt=PRESS_SALT, max_age=PRESS_MAX_AGE, keys=("c",))[0]


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
