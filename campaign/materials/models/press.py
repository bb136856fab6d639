"""The press room: releases (with embargo), fact sheets, photos and logos."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from campaign.core.blocks import BaseStreamBlock


class PressRoomPage(Page):
    """Press releases below it; fact sheets and the media library on it."""

    intro = models.TextField(_("introduction"), blank=True)
    press_email = models.EmailField(_("press email"), blank=True)
    press_phone = models.CharField(_("press phone"), max_length=40, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("press_email"), FieldPanel("press_phone")]),
        InlinePanel("fact_sheets", label=_("Fact sheets")),
        InlinePanel("media_items", label=_("Media library: photos and logos")),
    ]

    parent_page_types = ["core.HomePage"]
    subpage_types = ["materials.PressReleasePage"]
    show_in_menus_default = True

    class Meta:
        verbose_name = _("press room")

    def get_context(self, request, *args, **kwargs):
        from ..selectors import press_room_contents

        context = super().get_context(request, *args, **kwargs)
        context.update(press_room_contents(room=self))
        return context


class PressFactSheet(Orderable):
    page = ParentalKey(PressRoomPage, on_delete=models.CASCADE, related_name="fact_sheets")
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("document"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = _("fact sheet")
        verbose_name_plural = _("fact sheets")

    def __str__(self):
        return self.title


class MediaItem(Orderable):
    """A photo or logo the press may use, with the caption and credit to print."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        LOGO = "logo", _("Logo")

    page = ParentalKey(PressRoomPage, on_delete=models.CASCADE, related_name="media_items")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.PHOTO)
    caption = models.CharField(_("caption"), max_length=300)
    credit = models.CharField(_("credit"), max_length=150, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("image"), FieldPanel("kind")]),
        FieldPanel("caption"),
        FieldPanel("credit"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("media item")
        verbose_name_plural = _("media library")

    def __str__(self):
        return self.caption


class PressReleasePage(Page):
    """A press release. Embargoed while its go-live time is in the future: the public
    sees nothing, media partners see it through their personal link."""

    date = models.DateField(_("release date"), default=timezone.localdate)
    summary = models.TextField(_("summary"), max_length=600)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        HelpPanel(
            content=_(
                "To embargo a release, set its go-live date and time (WITA) under “Schedule "
                "publishing” and publish: it appears by itself at that time. Before then, media "
                "partners read it through their personal links (Materials → Press links)."
            )
        ),
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("Attachments")),
        MultiFieldPanel([InlinePanel("contacts", label=_("Press contacts"))], heading=_("Press contacts")),
    ]

    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["materials.PressRoomPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("press release")
        verbose_name_plural = _("press releases")
        permissions = [("issue_embargo_link", _("Can issue media partners' embargo links"))]

    @property
    def embargo_until(self):
        """When the release publishes itself, while that is still in the future."""
        if self.go_live_at and self.go_live_at > timezone.now():
            return self.go_live_at
        return None

    def get_context(self, request, *args, **kwargs):
        from ..selectors import press_release_details

        context = super().get_context(request, *args, **kwargs)
        context.update(press_release_details(release=self))
        context["press_room_url"] = context["press_room"].get_url(request)
        return context


class PressAttachment(Orderable):
    page = ParentalKey(PressReleasePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("document"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Empty: the document's title.")
    )

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        return self.title or self.document.title


class PressContact(Orderable):
    page = ParentalKey(PressReleasePage, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("role")]),
        FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("press contact")
        verbose_name_plural = _("press contacts")

    def __str__(self):
        return self.name
