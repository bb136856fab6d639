"""Signed, purpose-specific, expiring token links for people without an account.

One mechanism for every app: a purpose names its salt and its lifetime, so a token made
for one purpose (an RSVP, an unsubscribe, a guide download, a press preview) never opens
another, and every reader refuses an expired, tampered or other-purpose token with the
same ``TokenError``. Opening a link only reads: nothing changes state on GET (mail
scanners follow links).
"""

import datetime
from dataclasses import dataclass

from django.core import signing


class TokenError(Exception):
    """A token that is expired (``expired``), tampered with, or made for another purpose."""

    def __init__(self, *, expired=False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class Purpose:
    salt: str
    max_age: datetime.timedelta


def make(purpose: Purpose, value, *, compress=False) -> str:
    return signing.dumps(value, salt=purpose.salt, compress=compress)


def read(purpose: Purpose, token: str):
    """The signed value; raises TokenError."""
    try:
        return signing.loads(token, salt=purpose.salt, max_age=purpose.max_age)
    except signing.SignatureExpired as error:
        raise TokenError(expired=True) from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise TokenError() from error


def read_id(purpose: Purpose, token: str) -> int:
    """A signed integer id; raises TokenError."""
    value = read(purpose, token)
    if not isinstance(value, int) or isinstance(value, bool):
        raise TokenError()
    return value


def read_ids(purpose: Purpose, token: str, keys: tuple[str, ...]) -> tuple[int, ...]:
    """The integer ids under ``keys`` of a signed mapping; raises TokenError."""
    value = read(purpose, token)
    if not isinstance(value, dict) or not all(
        isinstance(value.get(key), int) and not isinstance(value.get(key), bool) for key in keys
    ):
        raise TokenError()
    return tuple(value[key] for key in keys)
