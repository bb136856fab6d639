"""Bare Django: the benchmark settings without any middleware. The reference a page-cache
hit is measured against (bench/bench_pagecache.py): Django's WSGI handler, URL routing
and a view returning a fixed body, and nothing of this project's stack."""

from .bench import *  # noqa: F403

MIDDLEWARE = []
