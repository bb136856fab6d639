"""Body blocks of news posts: core's blocks, with images fetched ready to render."""

from django.utils.translation import gettext_lazy as _
from wagtail.images.blocks import ImageChooserBlock

from campaign.core.blocks import BaseStreamBlock, ImageBlock


class RenditionsImageChooserBlock(ImageChooserBlock):
    """Loads the chosen images with their renditions in two queries for the whole body,
    instead of a cache round trip per image (and Wagtail writing each one back)."""

    def bulk_to_python(self, values):
        ids = [value for value in values if value]
        found = self.model_class.objects.prefetch_renditions().in_bulk(ids)
        return [found.get(value) for value in values]


class NewsImageBlock(ImageBlock):
    image = RenditionsImageChooserBlock(label=_("Image"))

    class Meta:
        template = "news/blocks/image_block.html"


class NewsBodyBlock(BaseStreamBlock):
    """Core's body blocks; images get responsive, lazy-loaded markup."""

    image = NewsImageBlock()
