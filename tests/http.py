"""Helpers for responses in tests."""


def drain(response):
    """Read a response to its end, which closes it the way Django's test client expects.

    Calling ``response.close()`` directly fires ``request_finished`` with
    ``close_old_connections`` still connected: on PostgreSQL that closes the test's
    database connection in the middle of its transaction."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
