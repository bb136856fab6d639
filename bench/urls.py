"""The project's URLs plus one bare view, the reference a page-cache hit is measured
against (bench/bench_pagecache.py). Only the benchmark settings use this module."""

from django.http import HttpResponse
from django.urls import path

from campaign.urls import urlpatterns as campaign_urlpatterns

BARE_PATH = "/bench/bare/"


def bare(request):
    """The least a Django view can do: a fixed body, through the whole middleware stack."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH.strip("/") + "/", bare, name="bench-bare"), *campaign_urlpatterns]
