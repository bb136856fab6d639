"""Files the public may not fetch yet: documents and images used by material that is not
live (an embargoed release, a draft, a withdrawn page, the unpublished draft or the
scheduled version of a live page) and by nothing that is public.

Which page uses which file is Wagtail's reference index (``ReferenceIndex``): it records
every foreign key, inline child (attachments, fact sheets, media items), rich-text link and
StreamField block (document, image, page choosers) of every page, under the page. A page
that is not live keeps its newest content in revisions; those are read with the index's
own extractor, as are the scheduled revisions of live pages (a live release with a newer,
embargoed version). A file also used by a live page, a snippet or a setting is public.

Wagtail updates the index from a background task after each save; pages are indexed
at once here as well (``index_page_now``), so a file is never served in the gap.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex, Revision

_CACHE_KEY = "materials.embargo.withheld"
# An upper bound on staleness; every publish, unpublish and save clears it at once.
_CACHE_SECONDS = 60


def _withheld(now) -> dict[str, frozenset[int]]:
    page_type = ContentType.objects.get_for_model(Page).pk
    targets = {
        ReferenceIndex._get_base_content_type(get_document_model()).pk: "documents",
        ReferenceIndex._get_base_content_type(get_image_model()).pk: "images",
    }
    not_live = Page.objects.not_live()
    hidden_pages = {str(pk) for pk in not_live.values_list("pk", flat=True)}
    held = {kind: set() for kind in targets.values()}
    public = {kind: set() for kind in targets.values()}
    rows = ReferenceIndex.objects.filter(to_content_type_id__in=targets).values_list(
        "base_content_type_id", "object_id", "to_content_type_id", "to_object_id"
    )
    for base_type, object_id, to_type, to_id in rows:
        bucket = held if base_type == page_type and object_id in hidden_pages else public
        bucket[targets[to_type]].add(int(to_id))
    # Content only in revisions: scheduled versions, and the newest draft of any page
    # (a page that is not live, or a live one with unpublished changes).
    drafts = Page.objects.filter(Q(live=False) | Q(has_unpublished_changes=True))
    revisions = Revision.page_revisions.filter(
        Q(approved_go_live_at__gt=now) | Q(pk__in=drafts.values("latest_revision_id"))
    )
    for revision in revisions:
        for to_type, to_id, _model_path, _content_path in ReferenceIndex._extract_references_from_object(
            revision.as_object()
        ):
            if to_type in targets:
                held[targets[to_type]].add(int(to_id))
    return {kind: frozenset(held[kind] - public[kind]) for kind in held}


def withheld(kind: str) -> frozenset[int]:
    """Ids of the ``kind`` ("documents" or "images") the public may not fetch now."""
    found = cache.get(_CACHE_KEY)
    if found is None:
        found = _withheld(timezone.now())
        cache.set(_CACHE_KEY, found, _CACHE_SECONDS)
    return found[kind]


def document_is_withheld(document) -> bool:
    return document.pk in withheld("documents")


def image_is_withheld(image_id: int) -> bool:
    return image_id in withheld("images")


def forget(**kwargs):
    """Publishing, unpublishing, scheduling or saving a page changes what is withheld."""
    cache.delete(_CACHE_KEY)


def index_page_now(sender, instance, raw=False, **kwargs):
    """Index a saved page at once (Wagtail's own update runs later, as a task)."""
    if not raw and isinstance(instance, Page):
        ReferenceIndex.create_or_update_for_object(instance)
    forget()
