import pytest

from campaign.core.ids import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 5_000, None),  # int() would refuse it
        ("0", None),
        ("²", None),  # isdigit() says yes, int() says no
        ("١٢", 12),  # other scripts' decimal digits are digits to int() too
        ("-1", None),
        (" 1", None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_parse_id(text, expected):
    assert parse_id(text) == expected
