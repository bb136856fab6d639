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
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from campaign.core.models import Region
from campaign.core.permissions import PermissionMenuItem
from campaign.core.viewsets import ScopedSnippetViewSet

from . import services, views
from .models import Contact, Institution, InstitutionKind, MediaPartner
from .policies import register_policies

# First: a ViewSet registering a model without a policy gets Wagtail's unscoped fallback.
register_policies()


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


class InstitutionViewSet(ScopedSnippetViewSet):
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


class ContactViewSet(ScopedSnippetViewSet):
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


class MediaPartnerViewSet(ScopedSnippetViewSet):
    model = MediaPartner
    icon = "openquote"
    menu_label = _("Media partners")
    index_view_class = views.MediaPartnerIndexView
    list_display = ["name", "medium", "region", views.contact_count_column]
    list_filter = ["medium"]
    list_export = ["name", "medium", "region", "website"]
    search_fields = ["name"]


class InstitutionKindViewSet(ScopedSnippetViewSet):
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


# --- Field work ----------------------------------------------------------------------

from wagtail.admin.ui.components import Component  # noqa: E402
from wagtail.snippets.views.snippets import (  # noqa: E402
    IndexView as SnippetIndexView,
)

from . import fieldwork_views  # noqa: E402
from .dashboard import dashboard_data  # noqa: E402
from .models import Assignment, CoordinationMeeting, GuidedSession, Team  # noqa: E402


class SessionIndexView(SnippetIndexView):
    def get_base_queryset(self):
        # The rows come from the session policy (ScopedSnippetViewSet.get_queryset).
        return super().get_base_queryset().select_related("institution", "team")


class SessionViewSet(ScopedSnippetViewSet):
    model = GuidedSession
    icon = "group"
    menu_label = _("Guided sessions")
    index_view_class = SessionIndexView
    list_display = [
        "institution",
        "team",
        "starts_at",
        Column("status", label=_("Status"), accessor="get_status_display"),
        "people_guided",
        "people_completed",
    ]
    list_filter = ["status", "team", "follow_up_needed"]
    search_fields = ["institution__name", "notes"]
    list_per_page = 50


class TeamViewSet(ScopedSnippetViewSet):
    model = Team
    icon = "group"
    menu_label = _("Teams")
    list_display = ["name", "area", "leader", "default_weekly_target"]
    list_filter = ["campaign"]


class MeetingViewSet(ScopedSnippetViewSet):
    model = CoordinationMeeting
    icon = "date"
    menu_label = _("Rakorcam")
    list_display = ["district", "date", "attendees"]
    list_filter = ["campaign"]


class AssignmentViewSet(ScopedSnippetViewSet):
    model = Assignment
    icon = "list-ul"
    menu_label = _("Visit plans")
    list_display = ["institution", "team", "week", "planned_date"]
    list_filter = ["week", "team"]
    search_fields = ["institution__name"]
    list_per_page = 50


class FieldWorkGroup(SnippetViewSetGroup):
    items = (TeamViewSet, SessionViewSet, AssignmentViewSet, MeetingViewSet)
    menu_icon = "group"
    menu_label = _("Field work")
    menu_name = "fieldwork"
    # After the registry: teams work through the institutions registered before.
    menu_order = 170


register_snippet(FieldWorkGroup)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def refresh_institution_status(request, instance):
    if isinstance(instance, GuidedSession):
        services.institution_status_refresh(institution_ids=[instance.institution_id])


@hooks.register("after_delete_snippet")
def refresh_after_delete(request, instances):
    ids = [i.institution_id for i in instances if isinstance(i, GuidedSession)]
    if ids:
        services.institution_status_refresh(institution_ids=ids)


@hooks.register("register_admin_urls")
def register_fieldwork_urls():
    views = fieldwork_views
    return [
        path("campaign/dashboard/", views.dashboard, name="institutions_dashboard"),
        path("campaign/dashboard/report.pdf", views.weekly_report_pdf, name="institutions_weekly_report"),
        path("campaign/plan/", views.planning, name="institutions_planning"),
        path(
            "reports/sessions/",
            views.report_permission(views.SessionsReportView, "institutions.view_guidedsession"),
            name="institutions_report_sessions",
        ),
        path(
            "reports/sessions/results/",
            views.report_permission(views.SessionsReportView, "institutions.view_guidedsession"),
            name="institutions_report_sessions_results",
        ),
        path(
            "reports/not-reached/",
            views.report_permission(views.NotReachedReportView, "institutions.view_institution"),
            name="institutions_report_not_reached",
        ),
        path(
            "reports/not-reached/results/",
            views.report_permission(views.NotReachedReportView, "institutions.view_institution"),
            name="institutions_report_not_reached_results",
        ),
        path(
            "reports/team-performance/",
            views.report_permission(views.TeamPerformanceReportView, "institutions.view_guidedsession"),
            name="institutions_report_team_performance",
        ),
        path(
            "reports/team-performance/results/",
            views.report_permission(views.TeamPerformanceReportView, "institutions.view_guidedsession"),
            name="institutions_report_team_performance_results",
        ),
    ]


@hooks.register("register_admin_menu_item")
def dashboard_menu_item():
    return PermissionMenuItem(
        _("Campaign dashboard"),
        reverse("institutions_dashboard"),
        icon_name="view",
        order=140,
        permission="institutions.view_guidedsession",
    )


@hooks.register("register_admin_menu_item")
def planning_menu_item():
    return PermissionMenuItem(
        _("Weekly plan"),
        reverse("institutions_planning"),
        icon_name="date",
        order=165,
        permission="institutions.add_assignment",
    )


@hooks.register("register_reports_menu_item")
def sessions_report_item():
    return PermissionMenuItem(
        _("Guided sessions"),
        reverse("institutions_report_sessions"),
        icon_name="group",
        order=700,
        permission="institutions.view_guidedsession",
    )


@hooks.register("register_reports_menu_item")
def not_reached_report_item():
    return PermissionMenuItem(
        _("Institutions not yet reached"),
        reverse("institutions_report_not_reached"),
        icon_name="warning",
        order=710,
        permission="institutions.view_institution",
    )


@hooks.register("register_reports_menu_item")
def team_report_item():
    return PermissionMenuItem(
        _("Team performance by week"),
        reverse("institutions_report_team_performance"),
        icon_name="list-ul",
        order=720,
        permission="institutions.view_guidedsession",
    )


class DashboardSummaryPanel(Component):
    """The campaign at a glance on the admin home page, the user's team first."""

    name = "campaign_summary"
    order = 50
    template_name = "institutions/admin/home_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        from campaign.core.selectors import campaign_get_active

        campaign = campaign_get_active()
        if campaign is None:
            return {"data": None}
        return {"data": dashboard_data(campaign=campaign, user=self.request.user)}


@hooks.register("construct_homepage_panels")
def add_summary_panel(request, panels):
    if request.user.has_perm("institutions.view_guidedsession"):
        panels.append(DashboardSummaryPanel(request))
