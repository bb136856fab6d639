"""RSS 2.0 and Atom feeds of the news, for all posts and per tag.

Relative links are made absolute from the request's host (validated by ALLOWED_HOSTS),
as Django's syndication framework does.
"""

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _
from taggit.models import Tag

from campaign.core import pagecache
from campaign.core.models import CampaignSettings

from . import selectors


@dataclass
class FeedScope:
    organisation: str
    index_url: str
    tag: Tag | None
    items: list


class NewsRssFeed(Feed):
    feed_type = Rss201rev2Feed
    url_name = "news:feed_rss"
    tag_url_name = "news:tag_feed_rss"

    def __call__(self, request, *args, **kwargs):
        pagecache.mark_cacheable(request)
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, tag=None):
        site = selectors.site_for_request(request)
        if site is None:
            raise Http404("No site")
        tag_object = None
        if tag is not None:
            tag_object = Tag.objects.filter(slug=tag).first()
            if tag_object is None:
                raise Http404("No such tag")
        index = selectors.news_index_for_site(site=site)
        index_url = index.get_url(request=request) if index else "/"
        if tag_object is not None:
            index_url = f"{index_url}?tag={tag_object.slug}"
        items = selectors.news_feed_items(site=site, tag=tag_object)
        for item in items:
            item.feed_link = item.get_url(request=request)
        return FeedScope(
            organisation=CampaignSettings.for_site(site).organisation_name,
            index_url=index_url,
            tag=tag_object,
            items=items,
        )

    def title(self, obj):
        if obj.tag is not None:
            return _("%(organisation)s news: %(tag)s") % {
                "organisation": obj.organisation,
                "tag": obj.tag.name,
            }
        return _("%(organisation)s news") % {"organisation": obj.organisation}

    def description(self, obj):
        return _("News and announcements about the census campaign.")

    subtitle = description

    def author_name(self, obj):
        return obj.organisation

    def link(self, obj):
        return obj.index_url

    def feed_url(self, obj):
        if obj.tag is not None:
            return reverse(self.tag_url_name, args=[obj.tag.slug])
        return reverse(self.url_name)

    def items(self, obj):
        return obj.items

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return item.feed_link

    def item_guid(self, item):
        # Stable across slug changes and moves.
        return f"news-page-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        """The post's date; the time of first publication when it went live that day."""
        published = item.first_published_at
        if published and timezone.localdate(published) == item.date:
            return published
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time(8)))

    def item_updateddate(self, item):
        return item.last_published_at or self.item_pubdate(item)

    def item_author_name(self, item):
        return item.reporter or None

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed
    url_name = "news:feed_atom"
    tag_url_name = "news:tag_feed_atom"
