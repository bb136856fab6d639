"""StreamField blocks shared by every page type (home, news, guides, press)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    size = blocks.ChoiceBlock(choices=[("h2", "H2"), ("h3", "H3")], default="h2", label=_("Size"))

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = _("Heading")
        description = _("A section heading")
        preview_value = {"text": "Sensus Penduduk Online 2020", "size": "h2"}


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(required=False, max_length=300, label=_("Caption"))
    credit = blocks.CharBlock(required=False, max_length=150, label=_("Credit"))

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        label = _("Image")
        description = _("An image with an optional caption and photo credit")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(required=False, max_length=200, label=_("Attribution"))

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        label = _("Quote")
        description = _("A quotation with the name of the speaker")
        preview_value = {
            "text": "Mari isi Sensus Penduduk Online di sensus.bps.go.id.",
            "attribution": "Kepala BPS Provinsi NTT",
        }


class CallToActionBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=80, label=_("Button text"))
    url = blocks.URLBlock(label=_("Link"))

    class Meta:
        icon = "link"
        template = "blocks/call_to_action_block.html"
        label = _("Call to action")
        description = _("A prominent button, for example to the online census form")
        preview_value = {"label": "Isi sensus sekarang", "url": "https://sensus.bps.go.id"}


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(required=False, max_length=200, label=_("Title"))

    class Meta:
        icon = "doc-full"
        template = "blocks/document_block.html"
        label = _("Document")
        description = _("A downloadable file, such as a PDF fact sheet")


class BaseStreamBlock(blocks.StreamBlock):
    """The body blocks every content page offers."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        icon="pilcrow",
        template="blocks/paragraph_block.html",
        features=["bold", "italic", "link", "ol", "ul"],
        label=_("Paragraph"),
    )
    image = ImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    document = DocumentBlock()
