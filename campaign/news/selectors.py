"""Read queries of the news app: listings, filters, related posts and feed items."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Count,
    Prefetch,
    prefetch_related_objects,
)
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.models import Page, PageViewRestriction, Site

from campaign.core.models import Region
from campaign.core.search import search_terms

from .models import NewsIndexPage, NewsPage, NewsPageRelatedLink, NewsPageTag

# Renditions of the listing and "read also" cards, prefetched in one query; the spec
# must read exactly as in templates/news/includes/news_card.html.
CARD_RENDITIONS = Filter.expand_spec(["fill-{320x180,640x360}", "format-webp"])
# What a card shows: loading only these halves the cost of building the page objects.
CARD_FIELDS = ["id", "title", "url_path", "date", "lead", "region", "hero_image"]
RELATED_LIMIT = 3
FEED_LIMIT = 20
_REGION_CODE = re.compile(r"^\d{2}(\d{2})?$")
_TAG_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class NewsFilters:
    tag: Tag | None = None
    region: Region | None = None
    query: str = ""

    def as_kwargs(self):
        return {"tag": self.tag, "region": self.region, "query": self.query}

    def as_query(self):
        """The filters as a query string for pagination links (without ``page``)."""
        from urllib.parse import urlencode

        pairs = []
        if self.query:
            pairs.append(("q", self.query))
        if self.tag:
            pairs.append(("tag", self.tag.slug))
        if self.region:
            pairs.append(("region", self.region.code))
        return urlencode(pairs)

    @property
    def active(self):
        return bool(self.tag or self.region or self.query)


def news_filters_from_query(query_dict):
    """Parse ``?tag=&region=&q=``; None when a tag or region does not exist."""
    tag = region = None
    slug = query_dict.get("tag", "").strip()
    if slug:
        if not _TAG_SLUG.match(slug):
            return None
        tag = Tag.objects.filter(slug=slug).first()
        if tag is None:
            return None
    code = query_dict.get("region", "").strip()
    if code:
        if not _REGION_CODE.match(code):
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            return None
    query = " ".join(_CONTROL.sub(" ", query_dict.get("q", "")).split())[:100]
    return NewsFilters(tag=tag, region=region, query=query)


def news_live(*, index=None, site=None):
    """Live, public news posts under ``index`` (or anywhere on ``site``)."""
    posts = NewsPage.objects.live().public()
    if index is not None:
        posts = posts.child_of(index)
    elif site is not None:
        posts = posts.descendant_of(site.root_page, inclusive=True)
    return posts


def news_list(*, index, tag=None, region=None, query="", live=None):
    """The posts of an index page, newest first (best match first when searching).

    A region filter includes the regions inside it: BPS codes nest, so a province's
    code is the prefix of its regencies' codes.
    """
    posts = news_live(index=index) if live is None else live
    if tag is not None:
        posts = posts.filter(tagged_items__tag=tag)
    if region is not None:
        posts = posts.filter(region__code__startswith=region.code)
    if query:
        # Only terms with a letter or digit (the backend would drop the rest): a query of
        # punctuation alone matches nothing.
        words = search_terms(query)
        if not words:
            return NewsPage.objects.none()
        # The search backend filters only on indexed fields; narrow by primary key.
        if tag is not None or region is not None:
            posts = NewsPage.objects.filter(pk__in=list(posts.values_list("pk", flat=True)))
        return posts.search(words, operator="and")
    return news_cards(posts).order_by("-date", "-first_published_at", "-pk")


def _with_card_renditions(posts):
    """Attach the card renditions to the posts' (select_related) hero images: one query."""
    images = [post.hero_image for post in posts if post.hero_image_id]
    prefetch_related_objects(
        images,
        Prefetch(
            "renditions",
            queryset=get_image_model().get_rendition_model().objects.filter(filter_spec__in=CARD_RENDITIONS),
            to_attr="prefetched_renditions",
        ),
    )
    return posts


def news_cards(posts):
    """``posts`` loaded with just what a card shows, region and image joined."""
    return posts.select_related("region", "hero_image").only(*CARD_FIELDS)


def news_prefetch_for_listing(*, posts):
    """Everything a card shows, in a fixed number of queries whatever the page size."""
    posts = list(posts)
    prefetch_related_objects(posts, "region", "hero_image")
    return _with_card_renditions(posts)


def news_tags_in_use(*, index, live=None):
    """Tags of the index's live posts, most used first, for the filter list."""
    live = news_live(index=index) if live is None else live
    return list(
        Tag.objects.filter(news_newspagetag_items__content_object__in=live.values("pk"))
        .annotate(uses=Count("news_newspagetag_items"))
        .order_by("-uses", "name")
    )


def news_regions_in_use(*, index, live=None):
    """Regions the index's live posts are about, for the filter list."""
    live = news_live(index=index) if live is None else live
    return list(Region.objects.filter(news_pages__in=live.values("pk")).distinct().order_by("code"))


def news_related(*, post, tags=None, limit=RELATED_LIMIT, renditions=True):
    """The "Read also" posts: the editor's picks in their order, then the posts sharing most
    tags, newest first; only live posts that anyone may read.

    In a preview the picks are the page's unsaved cluster children, so the preview
    shows what the editor chose. Ranking is one plain SQL query (the ORM version, with
    its annotations and ``public()``, cost four times the CPU on every post view), then
    one query for the cards and, unless ``renditions`` is false (the caller fetches
    them with its own), one for their renditions.
    """
    picks = None
    if "related_links" in getattr(post, "_cluster_related_objects", {}):
        picks = [link.related_id for link in post.related_links.all() if link.related_id]
    tag_ids = [tag.pk for tag in (post.tags.all() if tags is None else tags)]
    ranked = _related_ranked_ids(post_id=post.pk, picks=picks, tag_ids=tag_ids, limit=limit)
    if not ranked:
        return []
    found = news_cards(NewsPage.objects.filter(pk__in=ranked)).in_bulk()
    related = [found[pk] for pk in ranked if pk in found]
    return _with_card_renditions(related) if renditions else related


def _placeholders(values):
    return ", ".join(["%s"] * len(values)) or "NULL"


def _related_ranked_ids(*, post_id, picks, tag_ids, limit):
    """Ids of live, unrestricted news posts other than ``post_id`` that are picked or share
    a tag: picks first in their order, then most shared tags, newest first.

    ``picks`` None reads the saved picks in the same query. Plain SQL that runs on SQLite
    and PostgreSQL alike; only table names (from the models) and placeholders are
    formatted into it.
    """
    tables = {
        "post": NewsPage._meta.db_table,
        "page": Page._meta.db_table,
        "tag": NewsPageTag._meta.db_table,
        "link": NewsPageRelatedLink._meta.db_table,
        "restriction": PageViewRestriction._meta.db_table,
        "tags": _placeholders(tag_ids),
    }
    if picks is None:
        picked, picked_params = "SELECT related_id FROM {link} WHERE page_id = %s", [post_id]
        rank = "SELECT MIN(l.sort_order) FROM {link} l WHERE l.page_id = %s AND l.related_id = n.page_ptr_id"
        rank_params = [post_id]
    else:
        picks = list(dict.fromkeys(picks))
        picked, picked_params = _placeholders(picks), picks
        rank = "CASE n.page_ptr_id " + "WHEN %s THEN %s " * len(picks) + "END" if picks else "NULL"
        rank_params = [value for position, pk in enumerate(picks) for value in (pk, position)]
    sql = """
        SELECT n.page_ptr_id,
            COALESCE(({rank}), 1000000) AS pick_rank,
            (SELECT COUNT(*) FROM {tag} t
             WHERE t.content_object_id = n.page_ptr_id AND t.tag_id IN ({tags})) AS shared
        FROM {post} n JOIN {page} p ON p.id = n.page_ptr_id
        WHERE p.live AND n.page_ptr_id <> %s
          AND (n.page_ptr_id IN ({picked}) OR EXISTS (
              SELECT 1 FROM {tag} t
              WHERE t.content_object_id = n.page_ptr_id AND t.tag_id IN ({tags})))
          AND NOT EXISTS (
              SELECT 1 FROM {restriction} r JOIN {page} rp ON rp.id = r.page_id
              WHERE p.path LIKE rp.path || '%%')
        ORDER BY pick_rank, shared DESC, n.date DESC, n.page_ptr_id DESC
        LIMIT %s
    """.replace("{rank}", rank).replace("{picked}", picked)
    sql = sql.format(**tables)  # noqa: S608 (table names and placeholders only)
    params = [*rank_params, *tag_ids, post_id, *picked_params, *tag_ids, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def news_feed_items(*, site, tag=None, limit=FEED_LIMIT):
    posts = news_live(site=site)
    if tag is not None:
        posts = posts.filter(tagged_items__tag=tag)
    return list(posts.order_by("-date", "-first_published_at", "-pk").prefetch_related("tags")[:limit])


def news_index_for_site(*, site):
    return NewsIndexPage.objects.live().descendant_of(site.root_page).order_by("path").first()


def site_for_request(request):
    return Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
