"""The client's address behind our reverse proxies (PROXY_HOPS)."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from campaign.core.middleware import ClientAddressMiddleware


def _seen(settings, hops, forwarded=None, remote="10.0.0.2"):
    settings.PROXY_HOPS = hops
    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    ClientAddressMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))
    return seen["address"]


@pytest.mark.parametrize(
    ("hops", "forwarded", "client"),
    [
        (0, "203.0.113.5", "10.0.0.2"),  # no proxy of ours: the header is the client's own words
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client wrote the left entry
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.2"),  # fewer entries than proxies: not through them
        (1, "", "10.0.0.2"),
        (1, None, "10.0.0.2"),
    ],
)
def test_the_client_is_read_that_many_hops_from_the_right(settings, hops, forwarded, client):
    assert _seen(settings, hops, forwarded) == client
