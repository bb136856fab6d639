"""The site's search backend: Wagtail's database backend (SQLite FTS5, PostgreSQL full
text) behind one cleaning step for every query, from the admin's page explorer and
search, snippet listings and our own news search alike.

Why: the SQLite backend puts a term's double quote into the FTS5 expression unescaped
(OperationalError → 500) and nests one expression per word (RecursionError for a query
of thousands of words). A query is words to look for, never syntax, so the cleaning keeps
the words: syntax characters and control characters become spaces, terms without a
letter or digit are dropped, and the query is cut to ``MAX_QUERY`` characters.
"""

import copy
import re

from django.db import connection
from modelsearch.backends.database import SearchBackend as _database_backend
from modelsearch.query import And, Boost, Fuzzy, Not, Or, Phrase, PlainText

MAX_QUERY = 100
_SYNTAX = re.compile(r'["\x00-\x1f\x7f]')
_WORD = re.compile(r"\w")


def search_terms(query: str) -> str:
    """The words of ``query`` a search backend may be given (possibly "")."""
    terms = [term for term in _SYNTAX.sub(" ", query).split() if _WORD.search(term)]
    kept, length = [], 0
    for term in terms:
        length += len(term) + (1 if kept else 0)
        if length > MAX_QUERY:
            break
        kept.append(term)
    return " ".join(kept)


# A parsed query (the admin's page search parses "words" and "a phrase" itself) keeps at
# most this many parts.
MAX_PARTS = 10


def clean_query(query):
    """``query`` (a string or a parsed modelsearch query) with every string in it cleaned;
    parts left empty are dropped, and a query left empty becomes "" (no results: the
    backend fails on an empty part instead)."""
    cleaned = _clean(query)
    return "" if cleaned is None else cleaned


def _clean(query):
    if isinstance(query, str):
        return search_terms(query) or None
    query = copy.copy(query)
    if isinstance(query, (PlainText, Phrase, Fuzzy)):
        query.query_string = search_terms(query.query_string)
        return query if query.query_string else None
    if isinstance(query, (And, Or)):
        parts = [part for part in map(_clean, query.subqueries[:MAX_PARTS]) if part is not None]
        if not parts:
            return None
        query.subqueries = parts
    elif isinstance(query, (Boost, Not)):
        query.subquery = _clean(query.subquery)
        if query.subquery is None:
            return None
    return query


class _CleaningMixin:
    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        query = clean_query(query)
        return super()._search(query_compiler_class, query, model_or_queryset, **kwargs)


# The cleaning class for each database vendor. Wagtail builds a backend for every search
# and every index update; the database backend is only built once, to learn its class.
_CLASSES = {}


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend module
    """The database backend Wagtail would pick for this database, with clean queries."""
    backend_class = _CLASSES.get(connection.vendor)
    if backend_class is None:
        found = type(_database_backend(params))
        backend_class = type(f"Cleaning{found.__name__}", (_CleaningMixin, found), {})
        _CLASSES[connection.vendor] = backend_class
    return backend_class(params)
