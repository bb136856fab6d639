"""Guides: step-by-step instructions that read well on a phone and print as a sheet."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from ..blocks import GuideStepsBlock


class GuideIndexPage(Page):
    """The list of guides, linked from the home page."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["core.HomePage"]
    subpage_types = ["materials.GuidePage"]
    show_in_menus_default = True

    class Meta:
        verbose_name = _("guide index")

    def get_context(self, request, *args, **kwargs):
        from ..selectors import guides_for_index

        context = super().get_context(request, *args, **kwargs)
        context["guides"] = guides_for_index(index=self)
        return context


class GuidePage(Page):
    """A step-by-step guide with its printable sheets and poster."""

    intro = models.TextField(
        _("introduction"), help_text=_("One or two sentences: what the guide helps to do.")
    )
    steps = StreamField(GuideStepsBlock(), verbose_name=_("steps"))
    closing = models.CharField(
        _("closing call to action"),
        max_length=200,
        blank=True,
        help_text=_("For example: “Done? Ask your colleagues to fill it in too!”"),
    )
    cta_label = models.CharField(_("button text"), max_length=80, default="Isi Sensus Penduduk Online")
    target_url = models.URLField(
        _("target"),
        blank=True,
        help_text=_(
            "Where the button and the printed QR codes lead. Empty: the active campaign's online form."
        ),
    )
    hotline = models.CharField(
        _("hotline"), max_length=40, blank=True, help_text=_("Empty: the hotline of the campaign defaults.")
    )
    campaign = models.ForeignKey(
        "core.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The campaign this guide was written or carried over for; empty: every campaign."),
    )
    poster_headline = models.CharField(
        _("poster headline"), max_length=120, blank=True, help_text=_("Empty: the guide's title.")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("steps"),
        MultiFieldPanel(
            [FieldPanel("closing"), FieldPanel("cta_label"), FieldPanel("target_url"), FieldPanel("hotline")],
            heading=_("Call to action"),
        ),
        FieldPanel("poster_headline"),
        FieldPanel("campaign"),
    ]

    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("steps")]

    parent_page_types = ["materials.GuideIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("guide")
        verbose_name_plural = _("guides")

    def get_context(self, request, *args, **kwargs):
        from ..selectors import guide_target_url

        context = super().get_context(request, *args, **kwargs)
        context["target_url"] = guide_target_url(guide=self)
        context["print_variants"] = [
            ("sheet", "a4", _("Guide sheet, A4")),
            ("sheet", "a5", _("Half sheet, A5")),
            ("poster", "a3", _("Poster, A3")),
            ("poster", "a4", _("Poster, A4")),
        ]
        return context
