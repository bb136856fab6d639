"""Every search query is cleaned before the backend sees it (campaign/core/search.py)."""

import pytest
from modelsearch.query import And, Boost, Phrase, PlainText
from wagtail.search.backends import get_search_backend

from campaign.core.search import MAX_PARTS, MAX_QUERY, clean_query, search_terms


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("sensus penduduk", "sensus penduduk"),
        ('"sensus', "sensus"),
        ('kupang" OR "x', "kupang OR x"),
        ("nul\x00byte\ttab", "nul byte tab"),
        ("-- ;; !! sensus ??", "sensus"),
        ("<script>", "<script>"),  # a word with letters stays: it is only searched for
        ('"', ""),
    ],
)
def test_search_terms_keep_the_words_and_drop_the_syntax(query, terms):
    assert search_terms(query) == terms


def test_search_terms_are_cut_at_a_word_boundary():
    terms = search_terms("kata " * 5_000)
    assert len(terms) <= MAX_QUERY and terms.endswith("kata") and terms.count("kata") == 20


def test_parsed_queries_are_cleaned_part_by_part():
    parsed = And([PlainText('a"b'), Phrase("frasa\x00"), *[PlainText("x")] * 50, Boost(PlainText('"y'), 2)])
    cleaned = clean_query(parsed)
    assert len(cleaned.subqueries) == MAX_PARTS
    assert cleaned.subqueries[0].query_string == "a b" and cleaned.subqueries[1].query_string == "frasa"
    assert parsed.subqueries[0].query_string == 'a"b'  # the caller's query is left alone


@pytest.mark.django_db
def test_the_configured_backend_cleans_and_still_finds(home_page):
    from wagtail.models import Page

    backend = get_search_backend()
    assert type(backend).__name__.startswith("Cleaning")
    home_page.title = "Sensus Penduduk Online"
    home_page.save_revision().publish()
    backend.add(home_page)
    found = list(backend.search('"sensus', Page.objects.all()))
    assert home_page.pk in [page.pk for page in found]
    assert list(backend.search('"', Page.objects.all())) == []
    list(backend.search("kata " * 5_000, Page.objects.all()))  # no RecursionError


@pytest.mark.django_db
@pytest.mark.parametrize("text", ['"', "\ufffd\ufffd", '" "', "-- !!"])
def test_queries_left_empty_find_nothing_instead_of_failing(text):
    from modelsearch.utils import parse_query_string
    from wagtail.models import Page

    backend = get_search_backend()
    for query in (text, parse_query_string(text)[1], And([PlainText(text)]), Boost(PlainText(text), 2)):
        assert list(backend.search(query, Page.objects.all())) == []
