import django_filters
from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from campaign.core.models import Region

from . import services, views
from .models import Contact, Institution, InstitutionKind, MediaPartner


class InstitutionFilterSet(WagtailFilterSet):
    kind = django_filters.ModelChoiceFilter(queryset=InstitutionKind.objects.all(), label=_("Kind"))
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level__in=["regency", "district"]).order_by("code"),
        label=_("Region"),
        method="filter_region",
    )
    status = django_filters.ChoiceFilter(choices=Institution.Status.choices, label=_("Status"))

    class Meta:
        model = Institution
        fields = ["kind", "region", "status"]

    def filter_region(self, queryset, name, value):
        # A regency includes the institutions of all its districts.
        return queryset.filter(region__code__startswith=value.code)


class InstitutionViewSet(SnippetViewSet):
    model = Institution
    icon = "home"
    menu_label = _("Institutions")
    index_view_class = views.InstitutionIndexView
    inspect_view_class = views.InstitutionInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "kind",
        "region",
        "address",
        "employees",
        "status",
        "external_id",
        "notes",
        "created_at",
        "updated_at",
    ]
    list_display = [
        "name",
        "kind",
        "region",
        Column("status", label=_("Status"), accessor="get_status_display"),
        "updated_at",
    ]
    list_filter = InstitutionFilterSet
    filterset_class = InstitutionFilterSet
    list_export = [
        "external_id",
        "name",
        "kind",
        "region",
        "address",
        "employees",
        "latitude",
        "longitude",
        "status",
        "notes",
        "updated_at",
    ]
    export_filename = "institusi"
    # Plain database search (no search index to keep in step with bulk imports).
    search_fields = ["name", "address", "external_id"]
    ordering = ["name"]
    list_per_page = 50


class ContactFilterSet(WagtailFilterSet):
    has_institution = django_filters.BooleanFilter(
        field_name="institution", lookup_expr="isnull", exclude=True, label=_("At an institution")
    )
    opted_out = django_filters.BooleanFilter(
        field_name="opted_out_at", lookup_expr="isnull", exclude=True, label=_("Opted out")
    )
    lawful_basis = django_filters.ChoiceFilter(choices=Contact.LawfulBasis.choices, label=_("Lawful basis"))

    class Meta:
        model = Contact
        fields = ["has_institution", "opted_out", "lawful_basis", "preferred_language"]


class ContactViewSet(SnippetViewSet):
    model = Contact
    icon = "user"
    menu_label = _("Contacts")
    index_view_class = views.ContactIndexView
    inspect_view_class = views.LocalTimeInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "position",
        "institution",
        "media_partner",
        "email",
        "phone",
        "preferred_language",
        "purpose",
        "consent_source",
        "lawful_basis",
        "consent_date",
        "opted_out_at",
        "erased_at",
        "created_at",
        "updated_at",
    ]
    list_display = ["name", "position", "organisation", "email", "phone", "updated_at"]
    filterset_class = ContactFilterSet
    list_export = [
        "name",
        "position",
        "institution",
        "media_partner",
        "email",
        "phone",
        "preferred_language",
        "purpose",
        "consent_source",
        "lawful_basis",
        "consent_date",
        "opted_out_at",
    ]
    export_filename = "kontak"
    search_fields = ["name", "email", "phone", "position"]
    list_per_page = 50


class MediaPartnerViewSet(SnippetViewSet):
    model = MediaPartner
    icon = "openquote"
    menu_label = _("Media partners")
    index_view_class = views.MediaPartnerIndexView
    list_display = ["name", "medium", "region", views.contact_count_column]
    list_filter = ["medium"]
    list_export = ["name", "medium", "region", "website"]
    search_fields = ["name"]


class InstitutionKindViewSet(SnippetViewSet):
    model = InstitutionKind
    icon = "tag"
    menu_label = _("Institution kinds")
    list_display = ["name", "description", "sort_order"]
    ordering = ["sort_order", "name"]


class InstitutionsGroup(SnippetViewSetGroup):
    items = (InstitutionViewSet, ContactViewSet, MediaPartnerViewSet, InstitutionKindViewSet)
    menu_icon = "group"
    menu_label = _("Institutions")
    menu_name = "institutions"
    # Right after "Campaign setup": the registry is the campaign's daily work.
    menu_order = 160


register_snippet(InstitutionsGroup)


# Friendly names for the extra views, used by templates and tests.
@hooks.register("register_admin_urls")
def register_named_urls():
    return [
        path("institutions/import/", views.import_upload, name="institutions_import"),
        path("institutions/import/<int:pk>/", views.import_run, name="institutions_import_run"),
        path(
            "institutions/import/template.<str:fmt>",
            views.import_template,
            name="institutions_import_template",
        ),
        path(
            "institutions/contacts/duplicates/",
            views.contact_duplicates,
            name="institutions_contact_duplicates",
        ),
        path("institutions/contacts/<int:pk>/erase/", views.contact_erase, name="institutions_contact_erase"),
    ]


@hooks.register("register_snippet_listing_buttons")
def contact_erase_button(snippet, user, next_url=None):
    if (
        isinstance(snippet, Contact)
        and not snippet.is_erased
        and user.has_perm("institutions.delete_contact")
    ):
        yield ListingButton(
            _("Erase personal data"),
            reverse("institutions_contact_erase", args=[snippet.pk]),
            icon_name="bin",
            priority=90,
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Institution.Status.choices)


class SetStatusBulkAction(SnippetBulkAction):
    display_name = _("Set status")
    action_type = "set_status"
    aria_label = _("Set the campaign status of the selected institutions")
    template_name = "institutions/admin/bulk_set_status.html"
    action_priority = 20
    form_class = StatusForm
    models = [Institution]

    def check_perm(self, snippet):
        return self.request.user.has_perm("institutions.change_institution")

    def get_execution_context(self):
        return {
            **super().get_execution_context(),
            "status": self.cleaned_form.cleaned_data["status"],
            "user": self.request.user,
        }

    @classmethod
    def execute_action(cls, objects, user=None, status=None, **kwargs):
        changed = services.institutions_set_status(institutions=objects, status=status, user=user)
        return changed, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d institution updated.", "%(count)d institutions updated.", num_parent_objects
        ) % {"count": num_parent_objects}


hooks.register("register_bulk_action", SetStatusBulkAction)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("jemputbola.erase", _("Erase personal data"), _("Personal data erased"))
    actions.register_action(
        "jemputbola.merge", _("Merge duplicates"), _("Duplicates merged into this contact")
    )
