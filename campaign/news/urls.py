from django.urls import path

from .feeds import NewsAtomFeed, NewsRssFeed

app_name = "news"

# Mounted under feeds/news/ inside i18n_patterns: /feeds/news/rss.xml in Indonesian,
# /en/feeds/news/rss.xml in English.
urlpatterns = [
    path("rss.xml", NewsRssFeed(), name="feed_rss"),
    path("atom.xml", NewsAtomFeed(), name="feed_atom"),
    path("tag/<slug:tag>/rss.xml", NewsRssFeed(), name="tag_feed_rss"),
    path("tag/<slug:tag>/atom.xml", NewsAtomFeed(), name="tag_feed_atom"),
]
