"""The institutions app in the admin: its ViewSets registered (``viewsets``), its extra
URLs, menu items, buttons, bulk action and home panel."""

from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet

from campaign.core.permissions import PermissionMenuItem

from . import admin_views as views
from . import fieldwork_admin_views, services
from .dashboard import dashboard_data
from .models import Contact, GuidedSession, Institution, Team
from .policies import policy_for, register_policies
from .viewsets import FieldWorkGroup, InstitutionsGroup, PersonalDataLogViewSet

# First: a ViewSet registering a model without a policy gets Wagtail's unscoped fallback.
register_policies()


register_snippet(InstitutionsGroup)
register_snippet(FieldWorkGroup)
register_snippet(PersonalDataLogViewSet)


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


class ConfirmPurposeForm(forms.Form):
    """Which campaign the purpose is confirmed for: those carried over from another."""

    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, empty_label=None)
    purpose = forms.CharField(
        label=_("Purpose of processing"),
        max_length=200,
        required=False,
        help_text=_("Empty: “Sosialisasi dan pendampingan” followed by the campaign's name."),
    )
    lawful_basis = forms.ChoiceField(
        label=_("Lawful basis"), choices=Contact.LawfulBasis.choices, initial=Contact.LawfulBasis.PUBLIC_TASK
    )

    def __init__(self, *args, **kwargs):
        from campaign.core.models import Campaign

        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(carried_over_from__isnull=False).order_by(
            "-online_start"
        )


class ConfirmPurposeBulkAction(SnippetBulkAction):
    """UU 27/2022: staff confirm, for a campaign carried over from an earlier one, that the
    selected contacts' purpose and lawful basis hold (logged in the personal data log);
    until then the campaign's audiences leave them out."""

    display_name = _("Confirm the purpose")
    action_type = "confirm_purpose"
    aria_label = _("Confirm the purpose and lawful basis of the selected contacts for a campaign")
    template_name = "institutions/admin/bulk_confirm_purpose.html"
    action_priority = 30
    form_class = ConfirmPurposeForm
    models = [Contact]

    def check_perm(self, snippet):
        return policy_for(Contact).user_has_permission_for_instance(self.request.user, "change", snippet)

    def get_execution_context(self):
        return {
            **super().get_execution_context(),
            **self.cleaned_form.cleaned_data,
            "user": self.request.user,
        }

    @classmethod
    def execute_action(cls, objects, user=None, campaign=None, purpose="", lawful_basis="", **kwargs):
        confirmed = services.contact_purposes_confirm(
            contacts=objects, campaign=campaign, purpose=purpose, lawful_basis=lawful_basis, user=user
        )
        return confirmed, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "Purpose confirmed for %(count)d contact.",
            "Purpose confirmed for %(count)d contacts.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


hooks.register("register_bulk_action", ConfirmPurposeBulkAction)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("jemputbola.erase", _("Erase personal data"), _("Personal data erased"))
    actions.register_action(
        "jemputbola.merge", _("Merge duplicates"), _("Duplicates merged into this contact")
    )


@hooks.register("after_delete_snippet")
def refresh_after_delete(request, instances):
    # Creating and editing go through the services (``viewsets``); a delete, one row or a
    # bulk selection, reaches the status rule here, the one hook both delete views run.
    sessions = [i for i in instances if isinstance(i, GuidedSession)]
    if sessions:
        services.institution_status_refresh(institution_ids=[i.institution_id for i in sessions])
        services.session_tallies_refresh(places={(i.team.campaign_id, i.week) for i in sessions})
    if any(isinstance(i, Institution) for i in instances):
        # Their sessions went with them (a cascade): recount every week of every campaign.
        services.session_tallies_refresh()


@hooks.register("before_edit_snippet")
def remember_team_campaign(request, instance):
    if isinstance(instance, Team):
        request.team_campaign_before_edit = instance.campaign_id


@hooks.register("after_edit_snippet")
def refresh_after_team_edit(request, instance):
    # A team moved to another campaign takes its sessions with it: both campaigns'
    # tallies are recounted (the Team form saves through Wagtail's own view).
    before = getattr(request, "team_campaign_before_edit", None)
    if isinstance(instance, Team) and before is not None and before != instance.campaign_id:
        services.session_tallies_refresh(campaign_ids={before, instance.campaign_id})


@hooks.register("register_admin_urls")
def register_fieldwork_urls():
    views = fieldwork_admin_views
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
        return {
            "data": dashboard_data(campaign=campaign, user=self.request.user, area_user=self.request.user)
        }


@hooks.register("construct_homepage_panels")
def add_summary_panel(request, panels):
    if request.user.has_perm("institutions.view_guidedsession"):
        panels.append(DashboardSummaryPanel(request))
