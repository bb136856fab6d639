"""The materials app's part in carrying a campaign over (``campaign.core.carryover``):
every guide of the earlier campaign (its own and those of no campaign) is copied with
Wagtail's page copy, next to the original, as a draft linked to the new campaign, for
staff to revise and publish through the usual moderation."""

from django.db.models import Q
from django.utils.text import slugify

from campaign.core.carryover import register_copy_step

from .models import GuidePage


def guides_copy(*, source, target, options, user=None) -> int:
    suffix = slugify(target.short_name or target.name) or f"campaign-{target.pk}"
    copied = 0
    for guide in GuidePage.objects.filter(Q(campaign=source) | Q(campaign__isnull=True)).order_by("path"):
        parent = guide.get_parent()
        taken = set(parent.get_children().values_list("slug", flat=True))
        slug, n = f"{guide.slug}-{suffix}"[:255], 2
        while slug in taken:
            slug, n = f"{guide.slug}-{suffix}-{n}"[:255], n + 1
        guide.copy(
            to=parent,
            update_attrs={"slug": slug, "campaign": target},
            keep_live=False,
            copy_revisions=False,
            user=user,
            log_action="wagtail.copy",
        )
        copied += 1
    return copied


def register():
    register_copy_step("guides", guides_copy)
