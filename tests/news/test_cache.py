"""The public page cache: hits are cheap, edits show at once, nothing personal is kept."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation
from wagtail.models import PageViewRestriction

from campaign.core import pagecache
from campaign.core.models import CampaignSettings
from campaign.news.models import NewsPage
from tests.factories import NewsPageFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

HIT = "X-Page-Cache"


@pytest.fixture
def post(news_index):
    # The site settings row is created on first use, and saving it purges the cache:
    # create it up front, as any running site has it.
    CampaignSettings.for_site(news_index.get_site())
    post = NewsPageFactory(parent=news_index, title="Sensus dibuka 15 Februari")
    post.save_revision().publish()
    return post


def _get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    return response, response.get(HIT), response.content.decode()


def test_second_visit_is_a_hit_and_a_published_edit_shows_at_once(client, post, news_index):
    _, first, html = _get(client, post.url)
    assert first == "miss" and "Sensus dibuka 15 Februari" in html
    # A change that bypasses publishing is not seen: the page really comes from the cache.
    NewsPage.objects.filter(pk=post.pk).update(title="Diubah diam-diam")
    _, second, html = _get(client, post.url)
    assert second == "hit" and "Sensus dibuka 15 Februari" in html
    _get(client, news_index.url)

    post.title = "Sensus diperpanjang hingga 29 Mei 2020"
    post.save_revision().publish()

    _, third, html = _get(client, post.url)
    assert third == "miss" and "Sensus diperpanjang hingga 29 Mei 2020" in html
    _, _, index_html = _get(client, news_index.url)
    assert "Sensus diperpanjang hingga 29 Mei 2020" in index_html
    assert _get(client, post.url)[1] == "hit"


def test_unpublishing_removes_the_post_everywhere_at_once(client, post, news_index):
    _get(client, post.url)
    _get(client, news_index.url)
    _get(client, "/feeds/news/rss.xml")

    post.unpublish()

    assert client.get(post.url).status_code == 404
    assert post.title not in _get(client, news_index.url)[2]
    assert post.title not in _get(client, "/feeds/news/rss.xml")[2]


def test_feeds_and_sitemap_are_cached_and_purged(client, post, news_index):
    for url in ("/feeds/news/rss.xml", "/feeds/news/atom.xml", "/sitemap.xml"):
        assert _get(client, url)[1] == "miss"
        assert _get(client, url)[1] == "hit"
    NewsPageFactory(parent=news_index, title="Berita baru").save_revision().publish()
    assert "Berita baru" in _get(client, "/feeds/news/rss.xml")[2]


def test_a_hit_gets_its_own_security_headers_and_answers_conditional_requests(client, post):
    miss, _, _ = _get(client, post.url)
    hit, state, _ = _get(client, post.url)
    assert state == "hit"
    assert "default-src 'self'" in hit["Content-Security-Policy"]
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["ETag"] == miss["ETag"]

    not_modified = client.get(post.url, headers={"If-None-Match": hit["ETag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""


def test_a_hit_is_answered_before_the_rest_of_the_middleware_stack(client, post):
    """Security, CSP, session and authentication middleware do no work for a hit: the
    headers they added when the page was rendered are served from the cache."""
    miss, _, _ = _get(client, post.url)
    hit, state, _ = _get(client, post.url)
    assert state == "hit"
    assert hasattr(miss.wsgi_request, "_csp_nonce") and hasattr(miss.wsgi_request, "session")
    assert not hasattr(hit.wsgi_request, "_csp_nonce") and not hasattr(hit.wsgi_request, "session")
    for header in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Content-Language",
    ):
        assert hit[header] == miss[header], header


def test_static_and_media_paths_never_look_up_the_cache(rf):
    assert pagecache.request_key(rf.get("/static/css/site.css")) is None
    assert pagecache.request_key(rf.get("/media/images/foto.jpg")) is None
    assert pagecache.request_key(rf.get("/berita/")) is not None


def test_logged_in_visitors_neither_read_nor_fill_the_cache(client, post):
    _get(client, post.url)
    client.force_login(UserFactory())

    response, state, _ = _get(client, post.url)
    assert response.status_code == 200 and state is None
    client.logout()
    NewsPage.objects.filter(pk=post.pk).update(title="Judul lain")
    client.cookies.pop("sessionid", None)
    assert _get(client, post.url)[1] == "hit"


def test_visitors_with_a_session_or_messages_cookie_skip_the_cache(client, post):
    _get(client, post.url)
    client.cookies["sessionid"] = "anything"
    assert _get(client, post.url)[1] is None
    del client.cookies["sessionid"]
    client.cookies["messages"] = "anything"
    assert _get(client, post.url)[1] is None


def test_password_protected_page_with_its_csrf_form_is_never_cached(client, post):
    PageViewRestriction.objects.create(
        page=post, restriction_type=PageViewRestriction.PASSWORD, password="rahasia"
    )
    first, state, html = _get(client, post.url)
    assert 'name="csrfmiddlewaretoken"' in html and state is None
    client.cookies.clear()
    assert _get(client, post.url)[1] is None


def test_responses_setting_a_cookie_or_private_are_not_stored():
    request = RequestFactory().get("/berita/")
    pagecache.mark_cacheable(request)
    assert pagecache.response_is_storable(request, HttpResponse("ok"))

    with_cookie = HttpResponse("ok")
    with_cookie.set_cookie("csrftoken", "x")
    private = HttpResponse("ok", headers={"Cache-Control": "private"})
    # A policy with a nonce would give every visitor of the cached page the same nonce.
    with_nonce = HttpResponse("ok", headers={"Content-Security-Policy": "script-src 'self' 'nonce-abc'"})
    for response in (with_cookie, private, with_nonce, HttpResponse("nope", status=404)):
        assert not pagecache.response_is_storable(request, response)
    assert not pagecache.response_is_storable(RequestFactory().get("/"), HttpResponse("ok"))


def test_filters_and_languages_are_cached_apart_and_search_is_not_cached(client, post, news_index):
    NewsPageFactory(parent=news_index, title="Rakorcam", tags=["rakorcam"])

    assert _get(client, news_index.url)[1] == "miss"
    assert _get(client, news_index.url, data={"tag": "rakorcam"})[1] == "miss"
    _, state, html = _get(client, news_index.url, data={"tag": "rakorcam"})
    assert state == "hit" and post.title not in html
    # A submitted empty filter form is the plain page.
    assert _get(client, news_index.url + "?q=&tag=&region=")[1] == "hit"
    assert _get(client, "/en" + news_index.url)[1] == "miss"
    assert '<html lang="en">' in _get(client, "/en" + news_index.url)[2]
    for query in ({"q": "sensus"}, {"utm_source": "wa"}, {"tag": ["a", "b"]}):
        assert _get(client, news_index.url, data=query)[1] is None
    assert client.get(news_index.url, {"tag": "tidak-ada"}).status_code == 404
    assert _get(client, news_index.url, data={"tag": "tidak-ada"})[1] is None


def test_changing_the_site_settings_purges_the_cache(client, post, home_page):
    _get(client, post.url)
    settings = CampaignSettings.for_site(home_page.get_site())
    settings.hotline = "(0380) 821755"
    settings.save()

    _, state, html = _get(client, post.url)
    assert state == "miss" and "(0380) 821755" in html


def test_page_cache_off_means_no_cache_at_all(client, post, settings):
    settings.PAGE_CACHE_SECONDS = 0
    _get(client, post.url)
    assert _get(client, post.url)[1] is None


def test_every_model_shown_on_public_pages_purges_the_cache(client, post):
    """Regions name the news filters and the home page's areas: editing one purges."""
    from campaign.core.models import Region

    region = Region.objects.create(code="5371", name="Kota Kupang", level=Region.Level.REGENCY)
    _get(client, post.url)
    assert _get(client, post.url)[1] == "hit"
    region.name = "Kota Kupang (diperbarui)"
    region.save()
    assert _get(client, post.url)[1] == "miss"


def test_purge_happens_again_when_the_publishing_transaction_commits(
    post, django_capture_on_commit_callbacks
):
    from campaign.core import pagecache

    before = pagecache.generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post.save_revision().publish()
        during = pagecache.generation()
    after = pagecache.generation()

    assert callbacks and len({before, during, after}) == 3


def test_migrate_purges_the_cache_so_a_deploy_shows_new_templates(client, post):
    from django.apps import apps
    from django.db.models.signals import post_migrate

    _get(client, post.url)
    config = apps.get_app_config("core")  # migrate signals every app; core's purges
    post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False, using="default")

    assert _get(client, post.url)[1] == "miss"


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize(
    "browser",
    [{}, {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}, {"HTTP_ACCEPT_LANGUAGE": "id"}, {"cookie": "en"}],
    ids=["no-preference", "accept-en", "accept-id", "language-cookie-en"],
)
def test_a_hit_is_in_the_language_the_whole_stack_picks(client, post, settings, prefix, browser):
    """The hit is answered before the locale middleware runs, so its key must hold all
    that middleware reads to pick the language: here the path's prefix alone (Indonesian
    without one, English under /en/), whatever the browser asks for or a language
    cookie says. Each hit matches what the whole stack renders for the same request."""
    # The path without a prefix whatever ran before; and the language the requests
    # activate in this thread is not left behind for the next test.
    with translation.override("id"):
        browser = dict(browser)
        if cookie := browser.pop("cookie", None):
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
        url = prefix + post.url
        expected = "en" if prefix else "id"

        settings.PAGE_CACHE_SECONDS = 0
        rendered = client.get(url, **browser)
        settings.PAGE_CACHE_SECONDS = 600
        miss = client.get(url, **browser)
        from_other_browser = client.get(url, HTTP_ACCEPT_LANGUAGE="en" if expected == "id" else "id")

        assert (
            rendered["Content-Language"] == expected
            and f'<html lang="{expected}">' in rendered.content.decode()
        )
        assert miss[HIT] == "miss" and from_other_browser[HIT] == "hit"
        for response in (miss, from_other_browser):
            assert response["Content-Language"] == rendered["Content-Language"]
            assert f'<html lang="{expected}">' in response.content.decode()
            assert response.get("Vary") == rendered.get("Vary")


def test_a_worker_serves_its_copy_of_a_page_until_a_purge_or_the_expiry(client, post, settings, monkeypatch):
    """A hit reads the shared generation token on every request, but the page itself only
    once per process: a purge from any worker (a new token) or the entry's expiry ends the
    copy."""
    shared = pagecache._cache()
    reads = []
    get = shared.get
    monkeypatch.setattr(
        shared, "get", lambda key, *args, **kwargs: reads.append(key) or get(key, *args, **kwargs)
    )

    assert _get(client, post.url)[1] == "miss"

    def pages_read():
        return [key for key in reads if key.startswith("pagecache:") and key != pagecache.GENERATION_KEY]

    assert [_get(client, post.url)[1] for _ in range(3)] == ["hit"] * 3
    assert len(pages_read()) == 2  # the miss's lookup, then the first hit's; not the next two
    assert reads.count(pagecache.GENERATION_KEY) == 4  # every request

    pagecache.start_new_generation()  # what a publish on another worker does
    assert _get(client, post.url)[1] == "miss"
    assert _get(client, post.url)[1] == "hit"

    later = pagecache.time.time() + settings.PAGE_CACHE_SECONDS + 1
    monkeypatch.setattr(pagecache.time, "time", lambda: later)  # the shared entry expires too
    assert _get(client, post.url)[1] == "miss"


def test_a_hit_from_a_workers_copy_has_every_header_and_byte_of_the_miss(client, post):
    miss = client.get(post.url)
    hits = [client.get(post.url) for _ in range(2)]  # from the shared cache, then the copy

    def headers(response):
        return {name: value for name, value in response.items() if name != HIT}

    for hit in hits:
        assert hit[HIT] == "hit"
        assert headers(hit) == headers(miss) and hit.content == miss.content
    not_modified = client.get(post.url, headers={"If-None-Match": miss["ETag"]})
    assert not_modified.status_code == 304 and not_modified["ETag"] == miss["ETag"]


# --- The generation token with the file cache (the default), and the per-process keys ---


@pytest.fixture
def file_cache(settings, tmp_path):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    caches["default"].clear()
    yield tmp_path / "cache" / pagecache.GENERATION_FILE


def _age(path, seconds=60):
    """Make the token file look written ``seconds`` ago (a purge long past)."""
    import os
    import time

    past = time.time_ns() - seconds * 1_000_000_000
    os.utime(path, ns=(past, past))


def test_with_the_file_cache_the_token_is_a_file_checked_by_stat_and_read_when_it_changes(
    file_cache, monkeypatch
):
    first = pagecache.generation()
    assert file_cache.read_text() == first and len(first) == 16
    _age(file_cache)
    opened = []
    real_open = open
    monkeypatch.setattr(
        pagecache, "open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k), raising=False
    )
    assert pagecache.generation() == first  # read once more: it changed (its time)
    assert [pagecache.generation() for _ in range(3)] == [first] * 3
    assert len(opened) == 1  # then a stat each time, no read

    # Another worker purges (a new file renamed over the old one): seen at the next call.
    second = pagecache.start_new_generation()
    assert second != first and pagecache.generation() == second
    # A file written in the last moments is read every time (a freed inode is reused and
    # the clock is coarse: a second purge right after could look the same).
    pagecache._file_generation_write(str(file_cache), "f" * 16, replace=True)
    assert pagecache.generation() == "f" * 16


def test_the_first_token_written_wins_when_two_workers_start_at_once(file_cache):
    pagecache._file_generation_write(str(file_cache), "a" * 16, replace=False)
    pagecache._file_generation_write(str(file_cache), "b" * 16, replace=False)
    assert pagecache.generation() == "a" * 16
    assert [p.name for p in file_cache.parent.iterdir()] == [pagecache.GENERATION_FILE]  # no temporary left


def test_a_hit_and_a_purge_with_the_file_cache(client, post, file_cache):
    assert _get(client, post.url)[1] == "miss"
    assert _get(client, post.url)[1] == "hit"
    _age(file_cache)
    assert _get(client, post.url)[1] == "hit"
    post.title = "Sensus diperpanjang"
    post.save_revision().publish()
    response, state, html = _get(client, post.url)
    assert state == "miss" and "Sensus diperpanjang" in html


def test_a_remembered_key_never_lets_a_session_or_a_bad_host_through(client, post, settings):
    from django.core.exceptions import DisallowedHost

    assert _get(client, post.url)[1] == "miss"
    assert _get(client, post.url)[1] == "hit"  # the raw request's digest is remembered now
    client.cookies[settings.SESSION_COOKIE_NAME] = "abc"
    assert _get(client, post.url)[1] is None  # a session: never from the cache
    del client.cookies[settings.SESSION_COOKIE_NAME]
    client.cookies["messages"] = "x"
    assert _get(client, post.url)[1] is None
    del client.cookies["messages"]
    settings.ALLOWED_HOSTS = ["testserver"]
    request = RequestFactory().get(post.url, HTTP_HOST="evil.example")
    for _ in range(2):  # refused each time, not remembered
        with pytest.raises(DisallowedHost):
            pagecache.request_key(request)
    settings.ALLOWED_HOSTS = ["evil.example"]  # a changed setting: computed anew
    assert pagecache.request_key(request) is not None
