from urllib.parse import quote

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from campaign.core.models import Region

from .blocks import NewsBodyBlock


class NewsIndexPage(Page):
    """The list of news and announcements: filters by tag and region, search, feeds."""

    PER_PAGE = 10

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["core.HomePage"]
    subpage_types = ["news.NewsPage"]
    memo_route = True  # see campaign.core.memo.route

    class Meta:
        verbose_name = _("news index")

    def get_view_restrictions(self):
        from campaign.core import memo

        restrictions = memo.view_restrictions(self)
        return super().get_view_restrictions() if restrictions is None else restrictions

    def route(self, request, path_components):
        """Find a post in one query (Wagtail's default takes two: page, then specific)."""
        if len(path_components) == 1:
            post = (
                NewsPage.objects.child_of(self)
                .filter(slug=path_components[0])
                .select_related("hero_image", "region")
                .first()
            )
            if post is not None:
                post._cached_parent_obj = self
                return post.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from campaign.core import memo

        context = super().get_context(request, *args, **kwargs)
        query = request.GET
        if query.get("q", "").strip() or getattr(request, "is_preview", False):
            listing = self._listing(query)
        else:
            # Without a search, the listing is the same for every visitor until the next
            # publication: remembered per process for the current generation (``memo``).
            # Only listings that exist are kept (an unknown filter or page raises 404).
            parameters = tuple(query.get(name, "") for name in ("tag", "region", "page"))
            key = ("news-index", self.pk, *parameters)
            listing = memo.get_or_compute(request, key, lambda: self._listing(query))
        context.update(listing)
        return context

    def _listing(self, query):
        """The posts, filters, tags and regions a visit with ``query`` shows."""
        from . import selectors

        filters = selectors.news_filters_from_query(query)
        if filters is None:
            raise Http404("Unknown filter")
        live = selectors.news_live(index=self)
        posts = selectors.news_list(index=self, live=live, **filters.as_kwargs())
        paginator = Paginator(posts, self.PER_PAGE)
        try:
            page_of_posts = paginator.page(query.get("page") or 1)
        except (EmptyPage, PageNotAnInteger) as error:
            raise Http404("No such page") from error
        selectors.news_prefetch_for_listing(posts=page_of_posts.object_list)
        return {
            "posts": page_of_posts,
            "filters": filters,
            "filter_query": filters.as_query(),
            "tags": selectors.news_tags_in_use(index=self, live=live),
            "regions": selectors.news_regions_in_use(index=self, live=live),
        }


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("news.NewsPage", on_delete=models.CASCADE, related_name="tagged_items")


class NewsPage(Page):
    """One news post or announcement."""

    date = models.DateField(_("date"), default=timezone.localdate)
    lead = models.TextField(
        _("lead"),
        max_length=400,
        help_text=_("One or two sentences: shown in lists, feeds and link previews."),
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("main image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_caption = models.CharField(_("main image caption"), max_length=300, blank=True)
    hero_credit = models.CharField(_("main image credit"), max_length=150, blank=True)
    body = StreamField(NewsBodyBlock(), verbose_name=_("body"))
    reporter = models.CharField(_("reporter"), max_length=150, blank=True)
    editor = models.CharField(_("editor"), max_length=150, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        limit_choices_to={"level__in": [Region.Level.PROVINCE, Region.Level.REGENCY]},
        related_name="news_pages",
        help_text=_("The province or regency the news is about, if any."),
    )
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name=_("tags"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("lead"),
        MultiFieldPanel(
            [FieldPanel("hero_image"), FieldPanel("hero_caption"), FieldPanel("hero_credit")],
            heading=_("Main image"),
        ),
        FieldPanel("body"),
        FieldRowPanel([FieldPanel("reporter"), FieldPanel("editor")]),
        FieldPanel("tags"),
        FieldPanel("region"),
        InlinePanel(
            "related_links",
            label=_("Read also"),
            help_text=_("Chosen posts come first; posts sharing tags fill the rest."),
        ),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("date"),
        index.FilterField("region"),
    ]

    parent_page_types = ["news.NewsIndexPage"]
    subpage_types = []
    memo_route = True

    class Meta:
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")

    def get_view_restrictions(self):
        from campaign.core import memo

        restrictions = memo.view_restrictions(self)
        return super().get_view_restrictions() if restrictions is None else restrictions

    def get_context(self, request, *args, **kwargs):
        from campaign.core import memo

        context = super().get_context(request, *args, **kwargs)
        if getattr(request, "is_preview", False) or self.pk is None:
            tags, related = self._tags_and_related()
        else:
            # The same for every visitor until the next publication: remembered per
            # process for the current page-cache generation (see ``memo``).
            tags, related = memo.get_or_compute(request, ("news-post", self.pk), self._tags_and_related)
        # The main image's renditions are kept on the image (this page object is itself
        # remembered with its route); a page object that is not gets them here.
        hero = self.hero_image
        if hero is not None and not hasattr(hero, "prefetched_renditions"):
            prefetch_related_objects([hero], Prefetch("renditions", to_attr="prefetched_renditions"))
        share_url = request.build_absolute_uri(self.get_url(request=request) or request.path)
        parent = self.get_parent()
        context.update(
            {
                "post_tags": tags,
                "related_posts": related,
                "index_url": parent.get_url(request=request) if parent else None,
                "share_url": share_url,
                "whatsapp_url": "https://wa.me/?text=" + quote(f"{self.title}\n{share_url}"),
            }
        )
        return context

    def _tags_and_related(self):
        """The post's tags and "read also" cards, with the renditions of the cards' and
        the main image's pictures in one query: no cache round trip per picture size."""
        from . import selectors

        tags = list(self.tags.all())
        related = selectors.news_related(post=self, tags=tags, renditions=False)
        images = [post.hero_image for post in [self, *related] if post.hero_image is not None]
        prefetch_related_objects(images, Prefetch("renditions", to_attr="prefetched_renditions"))
        return tags, related

    @property
    def description(self):
        """What link previews and feeds show: the SEO description, else the lead."""
        return self.search_description or self.lead


class NewsPageRelatedLink(Orderable):
    """A "Read also" post picked by the editor."""

    page = ParentalKey(NewsPage, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(NewsPage, verbose_name=_("post"), on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("related")]

    class Meta(Orderable.Meta):
        verbose_name = _("related post")
        verbose_name_plural = _("related posts")
