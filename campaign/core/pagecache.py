"""A server-side cache of public pages, shared by every web worker on a host.

Anonymous visitors on a weak connection read the same few pages (the news index, the
latest posts, the home page); rendering them once per publication instead of once per
visit keeps a small office server fast. The middleware sits first in the stack: a hit is
answered with the headers stored with it (the security headers and the Content-Security-
Policy the outer middleware added when the page was rendered) before the security, CSP,
session, CSRF and authentication middleware or any rendering run, so it costs less than a
static file.

What may be stored, and why it is safe:

- only GET requests without a session or messages cookie, so nobody logged in (or holding
  a password-restricted page's session) ever reads or fills the cache;
- only responses a view marked cacheable (Wagtail pages through the ``on_serve_page``
  hook, the feeds and the sitemap through ``cacheable``), with status 200, that set no
  cookie (a CSRF token or a message sets one) and are not marked private or no-store;
- keyed on scheme, host, path, the few query parameters pages understand and the
  language; any other query parameter (search, tracking) skips the cache altogether.

Publishing or unpublishing a page, moving one, or changing an image or a site setting
purges everything at once (``campaign.core.services.page_cache_purge``): a new generation token makes
every earlier key unreachable, which works the same on a file, database or Redis cache.
"""

import hashlib
import os
import tempfile
import threading
import time
import uuid
from functools import lru_cache, wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseNotModified
from django.http.response import ResponseHeaders
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language_from_path

CACHE_ALIAS = "default"
GENERATION_KEY = "pagecache:generation"
# Query parameters whose every value is a distinct, cacheable page.
CACHEABLE_PARAMETERS = frozenset({"page", "tag", "region"})
MAX_PARAMETER_LENGTH = 64
HIT_HEADER = "X-Page-Cache"
_CACHEABLE_ATTRIBUTE = "_page_cache_allowed"


def _cache():
    return caches[CACHE_ALIAS]


def generation():
    """The current generation token, part of every key."""
    path = _generation_file()
    if path is not None:
        return _file_generation(path)
    cache = _cache()
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex[:16], None)
        token = cache.get(GENERATION_KEY)
    return token


# With the file cache (the default: one host, its web workers sharing a directory) the
# token is a small file of its own beside the cache's entries: a hit checks it with one
# ``stat`` (its inode changes with every purge, which replaces the file) and reads it
# only when it changed, where a cache entry costs an open, a read and an unpickle on
# every request. Other backends (Redis, memcached, the database) keep it as an entry.
GENERATION_FILE = "pagecache.generation"
_generation_memo: tuple = (None, None)  # ((inode, mtime, size), token)


def _generation_file():
    cache = _cache()
    if isinstance(cache, FileBasedCache):
        return os.path.join(cache._dir, GENERATION_FILE)
    return None


def _file_generation(path):
    global _generation_memo
    try:
        status = os.stat(path)
    except FileNotFoundError:
        _file_generation_write(path, uuid.uuid4().hex[:16], replace=False)
        status = os.stat(path)
    signature = (status.st_ino, status.st_mtime_ns, status.st_size)
    memo = _generation_memo
    if memo[0] == signature:
        return memo[1]
    with open(path, encoding="ascii") as file:
        token = file.read().strip()
    # A purge publishes twice (at once and when its transaction commits), and a freed
    # inode is soon reused: a file written in the last few clock ticks could be followed
    # by one with the same inode, time and size. Such a file is read again next time;
    # an older one is remembered (any later write has a later time).
    fresh = time.time_ns() - status.st_mtime_ns < _FRESH_NS
    _generation_memo = (None if fresh else signature, token)
    return token


_FRESH_NS = 50_000_000  # 50 ms: well above the file system's clock tick


def _file_generation_write(path, token, *, replace):
    """Write ``token`` as the generation: atomically (a new file renamed over the old
    one, so a reader sees the old token or the new, never half of one). Without
    ``replace`` a token another worker wrote first wins."""
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".generation-")
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(token)
        if replace:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)  # fails if the file exists: the first one stays
            except FileExistsError:
                pass
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def request_generation(request):
    """The generation token as this request first read it (one cache get per request)."""
    token = getattr(request, "_page_cache_generation", None)
    if token is None:
        token = request._page_cache_generation = generation()
    return token


def start_new_generation():
    """Make every cached page unreachable at once; old entries expire on their own.

    A request that began before this keeps the key it computed then, so a page rendered
    from the old content is never stored under the new generation.
    """
    token = uuid.uuid4().hex[:16]
    path = _generation_file()
    if path is not None:
        _file_generation_write(path, token, replace=True)
    else:
        _cache().set(GENERATION_KEY, token, None)
    return token


def mark_cacheable(request):
    """Called by views whose anonymous output is the same for everyone."""
    setattr(request, _CACHEABLE_ATTRIBUTE, True)


def cacheable(view):
    """Decorator for function views (feeds, sitemap) that may be cached."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        mark_cacheable(request)
        return view(request, *args, **kwargs)

    return wrapper


def request_key(request):
    """The cache key for ``request``, or None when it must not touch the cache."""
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
        return None
    raw_cookies = request.META.get("HTTP_COOKIE", "")
    if raw_cookies and (settings.SESSION_COOKIE_NAME in raw_cookies or "messages" in raw_cookies):
        cookies = request.COOKIES  # parsed only when a name appears in the header
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return None
    # Everything the digest below is computed from, as it arrived: the same raw request
    # always has the same digest (or none), so it is computed once per process.
    meta = request.META
    raw = (
        tuple(settings.ALLOWED_HOSTS),
        settings.LANGUAGE_CODE,
        request.scheme,
        meta.get("HTTP_X_FORWARDED_HOST"),
        meta.get("HTTP_HOST"),
        meta.get("SERVER_NAME"),
        meta.get("SERVER_PORT"),
        request.path,
        request.path_info,
        meta.get("QUERY_STRING", ""),
    )
    digest = _digests.get(raw, _UNKNOWN)
    if digest is _UNKNOWN:
        digest = _digest(request)  # a host not allowed raises here, every time
        if len(_digests) >= _DIGESTS:
            _digests.clear()
        _digests[raw] = digest
    if digest is None:
        return None
    return f"pagecache:{request_generation(request)}:{digest}"


_UNKNOWN = object()
_DIGESTS = 4096
_digests: dict = {}


def _digest(request):
    """The key's digest of scheme, host, path, the cacheable query parameters and the
    language, or None when the request must not touch the cache."""
    path = request.path
    if path.startswith(_uncached_prefixes()):
        return None
    parameters = []
    for name, values in request.GET.lists():
        if not any(values):
            continue  # ?q=&tag= from a submitted empty filter form: the plain page
        if name not in CACHEABLE_PARAMETERS or len(values) != 1:
            return None
        if len(values[0]) > MAX_PARAMETER_LENGTH:
            return None
        parameters.append((name, values[0]))
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    url = f"{request.scheme}://{request.get_host()}{path}?{urlencode(sorted(parameters))}"
    return hashlib.sha256(f"{language}|{url}".encode()).hexdigest()


@lru_cache(maxsize=1)
def _uncached_prefixes():
    """The admin, and the static and media files that WhiteNoise and the media view
    answer themselves: not worth a cache lookup."""
    prefixes = [getattr(settings, "WAGTAILADMIN_PATH_PREFIX", "/admin/")]
    prefixes += [url for url in (settings.STATIC_URL, settings.MEDIA_URL) if url and url.startswith("/")]
    return tuple(prefixes)


def response_is_storable(request, response):
    if not getattr(request, _CACHEABLE_ATTRIBUTE, False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    # The stored headers are served to everyone: a policy naming a nonce would hand
    # every visitor the same nonce, so a page that used one is not stored.
    if "nonce-" in response.get("Content-Security-Policy", ""):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


# This process's copies of the pages it last served from the shared cache, for the
# generation ``_copies[0]``: {key: (entry, expires at)}.
LOCAL_COPIES = 256
_copies: tuple[str | None, dict] = (None, {})
_copies_lock = threading.Lock()


def stored_page(request, key):
    """The page stored under ``key``, or None.

    A hit read the generation token and then the page from the shared cache: two reads
    (a file each with the default file cache), about half of a hit's time. A stored page
    never changes under its key (the key holds the generation, and a purge starts a new
    one), so each process keeps a copy of the pages it serves, for the generation its
    requests read, until the shared entry's own expiry. The generation is still read on
    every request, so a purge anywhere reaches this process at its next request.
    """
    token = request_generation(request)
    copies = _copies
    if copies[0] != token:
        copies = _new_copies(token)
    now = time.time()
    copy = copies[1].get(key)
    if copy is not None and copy[1] > now:
        return copy[0]
    entry = _cache().get(key)
    if entry is not None:
        stored_at = entry[2] if len(entry) > 2 else now
        # The headers checked and encoded once (``ResponseHeaders``), not on every hit.
        entry = (entry[0], entry[1], ResponseHeaders(entry[0])._store)
        with _copies_lock:
            if len(copies[1]) >= LOCAL_COPIES:
                copies[1].clear()
            copies[1][key] = (entry, stored_at + settings.PAGE_CACHE_SECONDS)
    return entry


def _new_copies(token):
    global _copies
    with _copies_lock:
        if _copies[0] != token:
            _copies = (token, {})
        return _copies


class PageCacheMiddleware:
    def __init__(self, get_response):
        from .memo import attach_site  # imports Wagtail's models: once the apps are ready

        self.attach_site = attach_site
        self.get_response = get_response
        self.admin_prefix = getattr(settings, "WAGTAILADMIN_PATH_PREFIX", "/admin/")

    def __call__(self, request):
        key = request_key(request)
        entry = None if key is None else stored_page(request, key)
        if entry is not None:
            return self._from_entry(request, entry)
        if (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(self.admin_prefix)
        ):
            # An anonymous public page to render needs its site and settings: from the
            # per-process memo of this generation (see ``memo``), not the database.
            # Signed-in requests (admin, field app) keep Wagtail's own lookup. The memo is
            # only a shortcut: with the database away the view answers for itself
            # (/healthz says 503), not this middleware with a 500.
            try:
                self.attach_site(request)
            except DatabaseError:
                pass
        if key is None:
            return self.get_response(request)
        response = self.get_response(request)
        if response_is_storable(request, response):
            content = response.content
            etag = quote_etag(hashlib.sha256(content).hexdigest()[:32])
            response.headers["ETag"] = etag
            headers = list(response.items())
            _cache().set(key, (headers, content, time.time()), settings.PAGE_CACHE_SECONDS)
            response.headers[HIT_HEADER] = "miss"
        return response

    @staticmethod
    def _from_entry(request, entry):
        headers, content, checked = entry
        etag = checked.get("etag", (None, None))[1]
        if etag and etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
            response = HttpResponseNotModified()
            response.headers["ETag"] = etag
        else:
            response = HttpResponse(content)
            # Django's header map, filled from the copy checked when it was made: the
            # same headers as ``HttpResponse(content, headers=headers)``, a quarter of
            # a hit's time less.
            response.headers._store = dict(checked)
        response.headers[HIT_HEADER] = "hit"
        return response
