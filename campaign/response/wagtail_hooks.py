from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from campaign.core.permissions import PermissionMenuItem
from campaign.institutions.fieldwork_admin_views import report_permission

from . import admin_views as views
from . import reports
from .models import AreaGoal, CountChange, FetchSource, OfficialCount


class OfficialCountViewSet(SnippetViewSet):
    model = OfficialCount
    icon = "table"
    menu_label = _("Official figures")
    index_view_class = views.OfficialCountIndexView
    list_display = ["region", "date", "persons", "households", "accessed", "source", "imported_at"]
    list_filter = ["date"]
    search_fields = ["region__name", "region__code"]
    # Latest day first, then by region: both from the (date, region) index. Ordering by
    # the region's code joined the region table first and sorted all 2.6 million rows of
    # a year of district figures (15 s on SQLite) to show 20.
    ordering = ["-date", "region_id"]
    inspect_view_enabled = True
    copy_view_enabled = False


class CountChangeViewSet(SnippetViewSet):
    model = CountChange
    icon = "history"
    menu_label = _("Corrections")
    list_display = ["count", "old", "new", "source", "changed_at"]
    ordering = ["-changed_at"]
    inspect_view_enabled = True
    copy_view_enabled = False


class AreaGoalViewSet(SnippetViewSet):
    model = AreaGoal
    icon = "crosshairs"
    menu_label = _("Area goals")
    list_display = ["region", "campaign", "population", "goal_persons"]
    copy_view_enabled = False


@hooks.register("register_admin_urls")
def register_response_urls():
    return [
        path("response/import/", views.import_upload, name="response_import"),
        path("response/import/<int:pk>/", views.import_run, name="response_import_run"),
        path("response/proposal/", views.proposal_view, name="response_proposal"),
        path(
            "reports/after-sessions/",
            report_permission(reports.UpliftReportView, reports.UPLIFT_PERMISSION),
            name="response_report_uplift",
        ),
        path(
            "reports/after-sessions/results/",
            report_permission(reports.UpliftReportView, reports.UPLIFT_PERMISSION),
            name="response_report_uplift_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def uplift_report_item():
    return PermissionMenuItem(
        _("Did it work? After guided sessions"),
        reverse("response_report_uplift"),
        icon_name="crosshairs",
        order=730,
        permission=reports.UPLIFT_PERMISSION,
    )


@hooks.register("register_admin_menu_item")
def proposal_menu_item():
    return PermissionMenuItem(
        _("Weekly plan proposal"),
        reverse("response_proposal"),
        icon_name="crosshairs",
        order=166,
        permission="institutions.add_assignment",
    )


class FetchSourceViewSet(SnippetViewSet):
    model = FetchSource
    icon = "download"
    menu_label = _("Scheduled fetches")
    list_display = ["name", "url", "format", "every_minutes", "last_run_at", "last_outcome", "last_message"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "url",
        "format",
        "region_column",
        "date_column",
        "persons_column",
        "households_column",
        "accessed_column",
        "every_minutes",
        "last_run_at",
        "last_outcome",
        "last_message",
    ]


class ResponseGroup(SnippetViewSetGroup):
    items = (OfficialCountViewSet, CountChangeViewSet, AreaGoalViewSet, FetchSourceViewSet)
    menu_icon = "table"
    menu_label = _("Online response")
    menu_name = "response"
    menu_order = 170


register_snippet(ResponseGroup)
