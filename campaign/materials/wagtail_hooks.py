from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.widgets import ListingButton
from wagtail.permissions import policy_registry, register_permission_policy

from campaign.core.permissions import PermissionMenuItem
from campaign.institutions.policies import ScopedPermissionPolicy

from . import admin_views, embargo
from .models import GuidePack


class GuidePackPolicy(ScopedPermissionPolicy):
    """A district's guide pack is its office's (``campaign.institutions.policies``)."""

    region_paths = ("region",)


if not isinstance(policy_registry.get_by_type(GuidePack, fallback=False), GuidePackPolicy):
    register_permission_policy(GuidePack, GuidePackPolicy(GuidePack))


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "materials/institutions/<int:institution_id>/",
            admin_views.institution_materials,
            name="materials_institution",
        ),
        path(
            "materials/institutions/<int:institution_id>/guide.pdf",
            admin_views.institution_guide,
            name="materials_institution_guide",
        ),
        path("materials/packs/", admin_views.pack_index, name="materials_packs"),
        path("materials/packs/<int:pk>/", admin_views.pack_detail, name="materials_pack"),
        path("materials/packs/<int:pk>/download/", admin_views.pack_download, name="materials_pack_download"),
        path(
            "materials/scans/guides/", admin_views.GuideScansReport.as_view(), name="materials_scans_guides"
        ),
        path(
            "materials/scans/guides/results/",
            admin_views.GuideScansReport.as_view(results_only=True),
            name="materials_scans_guides_results",
        ),
        path(
            "materials/scans/institutions/",
            admin_views.InstitutionScansReport.as_view(),
            name="materials_scans_institutions",
        ),
        path(
            "materials/scans/institutions/results/",
            admin_views.InstitutionScansReport.as_view(results_only=True),
            name="materials_scans_institutions_results",
        ),
        path("materials/press-links/", admin_views.press_links, name="materials_press_links"),
    ]


@hooks.register("register_snippet_listing_buttons")
def institution_guide_button(snippet, user, next_url=None):
    """From the institutions list: the institution's own guide sheet and contacts' link."""
    from campaign.institutions.models import Institution

    if isinstance(snippet, Institution) and user.has_perm("institutions.view_institution"):
        yield ListingButton(
            _("Guide sheet and QR code"),
            reverse("materials_institution", args=[snippet.pk]),
            icon_name="doc-full",
            priority=40,
        )


class _MaterialsMenuItem(SubmenuMenuItem):
    def is_shown(self, request):
        return any(item.is_shown(request) for item in self.menu.registered_menu_items)


@hooks.register("register_admin_menu_item")
def register_materials_menu():
    items = [
        PermissionMenuItem(
            _("Guide packs"),
            reverse("materials_packs"),
            name="guide-packs",
            icon_name="doc-full-inverse",
            order=100,
            permission="materials.view_guidepack",
        ),
        PermissionMenuItem(
            _("Scans by guide"),
            reverse("materials_scans_guides"),
            name="scans-guides",
            icon_name="view",
            order=200,
            permission="materials.view_scan",
        ),
        PermissionMenuItem(
            _("Scans by institution"),
            reverse("materials_scans_institutions"),
            name="scans-institutions",
            icon_name="view",
            order=300,
            permission="materials.view_scan",
        ),
        PermissionMenuItem(
            _("Press links"),
            reverse("materials_press_links"),
            name="press-links",
            icon_name="link",
            order=400,
            permission="materials.issue_embargo_link",
        ),
    ]
    # After "Institutions" (160): printing and tracking follow the registry.
    return _MaterialsMenuItem(
        _("Materials"), Menu(items=items), name="materials", icon_name="doc-full", order=170
    )


@hooks.register("before_serve_document")
def keep_embargoed_documents_private(document, request):
    """Documents are served by Wagtail's view (WAGTAILDOCS_SERVE_METHOD = "serve_view"),
    so this runs for every download: a document used by a page that is not live (an
    embargoed release's attachment or body block, a draft) and by nothing public is not
    found until the page goes live. Media partners get it through their personal link."""
    if embargo.document_is_withheld(document):
        raise Http404("Embargoed")
