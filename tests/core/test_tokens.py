"""One signed-token mechanism for every app's links (campaign.core.tokens)."""

import datetime

import pytest
from django.core import signing

from campaign.core import tokens
from campaign.invitations import tokens as invitation_tokens
from campaign.materials import tokens as material_tokens

A = tokens.Purpose("tests.a", datetime.timedelta(days=1))
B = tokens.Purpose("tests.b", datetime.timedelta(days=1))


def test_a_token_opens_only_its_own_purpose():
    token = tokens.make(A, 7)
    assert tokens.read_id(A, token) == 7
    with pytest.raises(tokens.TokenError) as refused:
        tokens.read_id(B, token)
    assert not refused.value.expired


def test_expired_tampered_and_wrong_shapes_are_refused(monkeypatch):
    token = tokens.make(A, {"g": 1, "i": 2})
    assert tokens.read_ids(A, token, ("g", "i")) == (1, 2)
    for bad in (
        token[:-2] + "xx",
        tokens.make(A, {"g": True, "i": 2}),
        tokens.make(A, [1, 2]),
        "",
        "a" * 5000,
    ):
        with pytest.raises(tokens.TokenError):
            tokens.read_ids(A, bad, ("g", "i"))
    with pytest.raises(tokens.TokenError):
        tokens.read_id(A, tokens.make(A, True))
    old = signing.dumps(3, salt=A.salt)
    monkeypatch.setattr("time.time", lambda: 10**10)  # long after the one-day lifetime
    with pytest.raises(tokens.TokenError) as expired:
        tokens.read_id(A, old)
    assert expired.value.expired


def test_every_app_raises_the_one_token_error():
    assert invitation_tokens.TokenError is tokens.TokenError is material_tokens.TokenError
    with pytest.raises(tokens.TokenError):
        invitation_tokens.read("rsvp", material_tokens.press_token(contact_id=1))
    with pytest.raises(tokens.TokenError):
        material_tokens.press_token_read(invitation_tokens.make("rsvp", 1))
