"""Primary keys that arrive as text (query strings, form posts, webhook metadata)."""

# The largest key a database stores (a signed 64-bit integer). A larger one is "not
# found": Django guards an integer field's lookup against overflow, not a page's
# ``page_ptr`` key, and SQLite raises OverflowError on it.
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """``value`` as a primary key, or None when it is not one. Decimal digits only
    (``isdigit`` admits "²", which int() refuses), checked for length before int() (which
    refuses thousands of digits), and within 1..MAX_ID."""
    if not isinstance(value, str) or not value.isdecimal() or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None
