"""StreamField blocks of guides: numbered steps that print as well as they read."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class GuideStepBlock(blocks.StructBlock):
    """One step. Plain text (not rich text): it is printed on paper as well as shown on
    the web, and plain text prints the same everywhere."""

    title = blocks.CharBlock(label=_("Step"), max_length=120)
    text = blocks.TextBlock(label=_("What to do"))
    image = ImageChooserBlock(
        label=_("Screenshot"), required=False, help_text=_("Optional: what the screen looks like.")
    )
    tip = blocks.TextBlock(label=_("Tip"), required=False, help_text=_("Optional: a hint or a warning."))
    on_poster = blocks.BooleanBlock(
        label=_("Key step"),
        required=False,
        help_text=_("Key steps appear on the poster (at most three; else the first three steps)."),
    )

    class Meta:
        icon = "list-ol"
        template = "materials/blocks/guide_step_block.html"
        label = _("Step")
        description = _("A numbered step with an optional screenshot and tip")
        preview_value = {
            "title": "Buka situs sensus.bps.go.id",
            "text": "Gunakan ponsel atau komputer yang tersambung ke internet.",
            "tip": "Pastikan alamatnya persis sensus.bps.go.id.",
            "on_poster": True,
        }


class GuideStepsBlock(blocks.StreamBlock):
    step = GuideStepBlock()

    class Meta:
        min_num = 1
        max_num = 12
