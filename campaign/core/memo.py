"""A per-process memo of what public pages read from the database, kept per generation.

Rendering a news post asked the database the same dozen questions on every visit: which
site serves this host, its home page, the page at this path, the view restrictions
above it, the site settings, the post's tags and "read also" cards (the index: its
listing, tags and regions); and it rendered the same news cards again. Their answers
change only when something public changes, and every such change already starts a new
page-cache generation (``campaign.core.services.page_cache_purge``, after the
transaction commits).

So each worker keeps the answers in memory under the generation they were read in:

- a request reads the shared generation token once, at its start (one cache get), and
  only ever reads or stores values of that generation;
- a new token seen by any request drops everything this process remembered, and a
  value is only stored in the values of the token its request read;
- the token lives in the shared cache (file, database or Redis), so a publish on one
  worker or host reaches every worker on every host that shares it.

Only answers that are the same for every visitor are kept (never anything read from
the session or the user); access checks still run on every request against the
remembered restrictions. Values are shared between requests and must be treated as
read-only. The memo is bounded: it starts over when it holds ``MAX_ENTRIES`` values.
"""

import copy
import threading

from wagtail.models import Page, PageViewRestriction

from . import pagecache

MAX_ENTRIES = 2000
_MISSING = object()

_lock = threading.Lock()
# (generation token, values): replaced as one, so a reader never pairs a token with
# another generation's values.
_state = (None, {})


def request_generation(request):
    """The generation this request reads and stores under (read once per request, shared
    with the page cache's key)."""
    return pagecache.request_generation(request)


def _values_for(token):
    """The values remembered for generation ``token`` (emptied when the token changes).

    Tokens are random, so an older one cannot be told from a newer one: the process
    simply follows the token of the request at hand. A request that started before a
    purge may switch back to the old token for a moment; it then only reads and stores
    values of that old generation, which no request of the new generation ever sees.
    """
    global _state
    state = _state
    if state[0] != token:
        with _lock:
            state = _state
            if state[0] != token:
                state = _state = (token, {})
    return state[1]


def get_or_compute(request, key, compute):
    """``compute()``, remembered under ``key`` for the request's generation.

    ``request`` None (no request, e.g. a management command) always computes.
    """
    if request is None:
        return compute()
    values = _values_for(request_generation(request))
    value = values.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        if _state[1] is values:
            if len(values) >= MAX_ENTRIES:
                values.clear()
            values[key] = value
    return value


def clear():
    """Forget everything (tests)."""
    global _state
    with _lock:
        _state = (None, {})


# --- What public pages read -----------------------------------------------------------


def attach_site(request):
    """Give the request its Wagtail site (root page and specific home page loaded) and the
    site's campaign settings from the memo, so neither is read from the database."""
    if hasattr(request, "_wagtail_site"):
        return
    from wagtail.models import Site

    try:
        key = ("site", request._get_raw_host(), request.get_port())
    except Exception:  # noqa: BLE001 (a malformed Host header: let Wagtail deal with it)
        return

    def load():
        site = Site._find_for_request(request)
        if site is not None:
            site.root_page.localized.specific  # noqa: B018 (loaded once, kept on the site)
        return site

    site = get_or_compute(request, key, load)
    request._wagtail_site = site
    if site is not None:
        from campaign.core.models import CampaignSettings

        remembered = get_or_compute(request, ("settings", site.pk), lambda: CampaignSettings.for_site(site))
        settings = copy.copy(remembered)  # its _request is this request's, not shared
        settings._request = request
        setattr(request, CampaignSettings.get_cache_attr_name(), settings)


def route(page, request, path_components, route):
    """``route(request, path_components)`` of ``page`` (a site's root page), remembered,
    with its view restrictions, when the page found says ``memo_route = True``: its
    route() depends on the path only and its serve() treats the page as read-only, so the
    result may be shared between requests."""
    key = ("route", page.pk, tuple(path_components))
    values = _values_for(request_generation(request))
    result = values.get(key)
    if result is not None:
        return result
    result = route(request, path_components)
    target, args, kwargs = result
    if not args and not kwargs and getattr(type(target), "memo_route", False):
        target._memo_view_restrictions = list(Page.get_view_restrictions(target))
        if _state[1] is values:
            if len(values) >= MAX_ENTRIES:
                values.clear()
            values[key] = result
    return result


def view_restrictions(page):
    """The page's view restrictions as remembered with its route, or None."""
    restrictions = getattr(page, "_memo_view_restrictions", None)
    if restrictions is None:
        return None
    queryset = PageViewRestriction.objects.filter(pk__in=[restriction.pk for restriction in restrictions])
    queryset._result_cache = list(restrictions)
    queryset._prefetch_done = True
    return queryset
