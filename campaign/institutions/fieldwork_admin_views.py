"""Admin views for field work: dashboard, weekly planning, reports and the weekly PDF."""

import datetime

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView

from campaign.core.exports import SafeSpreadsheetExportMixin
from campaign.core.permissions import permission_require
from campaign.core.selectors import campaign_chosen_with_choices, campaign_get_active
from campaign.core.tables import NumberColumn
from campaign.core.viewsets import visible_to

from . import charts, services
from .dashboard import (
    current_week,
    dashboard_data,
    institutions_not_reached,
    sessions_visible_to,
    team_week_performance,
)
from .models import Institution, Team, week_start


def _campaign_and_choices(request=None):
    """The campaign the selector names (``?campaign=``; the dashboard, the reports and the
    weekly PDF read earlier campaigns too), else the active one; and the selector's
    choices (one query for both)."""
    if request is None:
        campaign, choices = campaign_get_active(), []
    else:
        campaign, choices = campaign_chosen_with_choices(value=request.GET.get("campaign"))
    if campaign is None:
        raise Http404(_("No campaign is active."))
    return campaign, choices


def _campaign_or_404(request=None):
    return _campaign_and_choices(request)[0]


def campaign_selector_context(campaign, choices) -> dict:
    """The selector's choices, and the query string that keeps a chosen campaign other
    than the active one in the page's own links."""
    return {
        "campaign_choices": choices,
        "campaign_query": "" if campaign.is_active else f"&campaign={campaign.pk}",
    }


def _week_param(request, campaign):
    value = request.GET.get("week", "")
    try:
        week = week_start(datetime.date.fromisoformat(value))
    except ValueError:
        return current_week(campaign)
    return week if week in campaign.weeks() else current_week(campaign)


def area_rows(areas):
    from campaign.response.charts import rag_label, sparkline

    return [{"row": row, "spark": sparkline(row.trend), "label": rag_label(row.status)} for row in areas.rows]


def dashboard(request):
    permission_require(request, "institutions.view_guidedsession")
    campaign, choices = _campaign_and_choices(request)
    data = dashboard_data(
        campaign=campaign, week=_week_param(request, campaign), user=request.user, area_user=request.user
    )
    selector = campaign_selector_context(campaign, choices)
    from campaign.response.maps import campaign_map, svg

    area_map, map_regency = campaign_map(
        campaign=campaign,
        section=data.areas,
        regency_code=request.GET.get("map", ""),
        link=lambda code: f"?week={data.week:%Y-%m-%d}{selector['campaign_query']}&map={code}#map",
    )
    return TemplateResponse(
        request,
        "institutions/admin/dashboard.html",
        {
            **selector,
            "data": data,
            "area_map": area_map,
            "area_map_svg": svg(area_map),
            "map_regency": map_regency,
            "team_chart": charts.team_bars(data.chart_teams),
            "weekly_chart": charts.weekly_columns(data.series, data.week),
            "goal_chart": charts.goal_bar(data.participation["official"] or 0, data.participation["goal"]),
            "area_rows": area_rows(data.areas),
            "previous_week": data.week - datetime.timedelta(weeks=1),
            "next_week": data.week + datetime.timedelta(weeks=1),
            "has_previous": data.week > data.weeks[0],
            "has_next": data.week < data.weeks[-1],
        },
    )


def weekly_report_pdf(request):
    permission_require(request, "institutions.view_guidedsession")
    campaign = _campaign_or_404(request)
    from campaign.response.selectors import uplift

    from .pdf import weekly_report

    data = dashboard_data(campaign=campaign, week=_week_param(request, campaign), area_user=request.user)
    data.uplift = uplift(campaign=campaign, week=data.week)
    from campaign.response.maps import campaign_map

    data.area_map = campaign_map(campaign=campaign, section=data.areas)[0]
    response = HttpResponse(weekly_report(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="laporan-mingguan-{data.week:%Y-%m-%d}.pdf"'
    return response


class AssignForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=gettext_lazy("Team"))
    planned_date = forms.DateField(
        label=gettext_lazy("Planned day (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    institutions = forms.ModelMultipleChoiceField(
        queryset=Institution.objects.all(), widget=forms.CheckboxSelectMultiple, required=True
    )


@require_http_methods(["GET", "POST"])
def planning(request):
    """Plan a week: each team's planned count against its target, the institutions not
    yet planned by district, and bulk assignment (tick institutions, pick a team)."""
    permission_require(request, "institutions.add_assignment")
    campaign = _campaign_or_404()
    week = _week_param(request, campaign)
    teams = visible_to(request.user, Team).filter(campaign=campaign)
    form = AssignForm(request.POST or None)
    form.fields["team"].queryset = teams
    form.fields["institutions"].queryset = visible_to(request.user, Institution)
    if request.method == "POST" and form.is_valid():
        try:
            created, skipped = services.assignments_create(
                institutions=list(form.cleaned_data["institutions"]),
                team=form.cleaned_data["team"],
                week=week,
                planned_date=form.cleaned_data["planned_date"],
                user=request.user,
            )
        except (ValidationError, services.NotYourTeam) as error:
            messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                _("%(created)d institutions planned for %(team)s; %(skipped)d were already planned.")
                % {"created": len(created), "team": form.cleaned_data["team"], "skipped": len(skipped)},
            )
        return redirect(f"{request.path}?week={week:%Y-%m-%d}&district={request.GET.get('district', '')}")

    data = dashboard_data(campaign=campaign, week=week, user=request.user, area_user=request.user)
    area_codes = list(campaign.area.values_list("code", flat=True)) or [""]
    area_q = Q()
    for code in area_codes:
        area_q |= Q(region__code__startswith=code)
    unplanned = (
        institutions_not_reached(campaign=campaign, user=request.user)
        .filter(area_q)
        .exclude(assignments__week=week)
    )
    district_counts = list(
        unplanned.values("region__code", "region__name").annotate(n=Count("pk")).order_by("region__code")
    )
    district = request.GET.get("district", "")
    listed = unplanned.filter(region__code__startswith=district)[:200] if district else []
    return TemplateResponse(
        request,
        "institutions/admin/planning.html",
        {
            "data": data,
            "form": form,
            "teams": teams,
            "week": week,
            "weeks": campaign.weeks(),
            "district": district,
            "district_counts": district_counts,
            "listed": listed,
        },
    )


class CampaignReportMixin:
    """A report of one campaign: the selector's (``?campaign=``), else the active one."""

    results_template_name = "institutions/admin/campaign_report_results.html"

    @cached_property
    def _chosen(self):
        return campaign_chosen_with_choices(value=self.request.GET.get("campaign"))

    @property
    def campaign(self):
        return self._chosen[0]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaign_choices"] = self._chosen[1]
        return context


class SessionsReportView(CampaignReportMixin, SafeSpreadsheetExportMixin, ReportView):
    page_title = gettext_lazy("Guided sessions")
    header_icon = "group"
    columns = [
        DateColumn("starts_at", label=gettext_lazy("Date and time")),
        Column("team", label=gettext_lazy("Team")),
        Column("institution", label=gettext_lazy("Institution")),
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display"),
        NumberColumn("people_guided", label=gettext_lazy("People guided")),
        NumberColumn("people_completed", label=gettext_lazy("People completed")),
    ]
    index_url_name = "institutions_report_sessions"
    index_results_url_name = "institutions_report_sessions_results"
    list_export = [
        "starts_at",
        "team.name",
        "institution.name",
        "institution.kind.name",
        "institution.region.name",
        "status",
        "people_guided",
        "people_completed",
        "follow_up_needed",
        "notes",
    ]
    export_headings = {
        "starts_at": gettext_lazy("Date and time"),
        "team.name": gettext_lazy("Team"),
        "institution.name": gettext_lazy("Institution"),
        "institution.kind.name": gettext_lazy("Kind"),
        "institution.region.name": gettext_lazy("Region"),
        "status": gettext_lazy("Status"),
        "people_guided": gettext_lazy("People guided"),
        "people_completed": gettext_lazy("People completed"),
        "follow_up_needed": gettext_lazy("Follow-up needed"),
        "notes": gettext_lazy("Notes"),
    }
    export_filename = "sesi-pendampingan"
    any_permission_required = ["view"]

    def get_queryset(self):
        sessions = sessions_visible_to(self.request.user)
        if self.campaign is not None:
            # The campaign's teams by ``team_id + 0``, which no index serves: with planner
            # statistics SQLite otherwise reads every session of the campaign through the
            # team index and sorts them all (440 ms for the first page over 200,000
            # sessions) instead of walking ``session_latest_first`` until 50 match (4 ms).
            teams = Team.objects.filter(campaign=self.campaign).values("pk")
            sessions = sessions.alias(
                team_key=ExpressionWrapper(F("team_id") + 0, output_field=IntegerField())
            ).filter(team_key__in=teams)
        return sessions.select_related("institution__kind", "institution__region").order_by("-starts_at")


def _status_label(institution):
    """The institution's status in the report's campaign (``campaign_status``)."""
    return Institution.Status(institution.campaign_status).label


class NotReachedReportView(CampaignReportMixin, SafeSpreadsheetExportMixin, ReportView):
    page_title = gettext_lazy("Institutions not yet reached")
    header_icon = "warning"
    columns = [
        Column("name", label=gettext_lazy("Institution")),
        Column("kind", label=gettext_lazy("Kind")),
        Column("region", label=gettext_lazy("Region")),
        Column("campaign_status", label=gettext_lazy("Status"), accessor=_status_label),
        NumberColumn("employees", label=gettext_lazy("Employees")),
    ]
    index_url_name = "institutions_report_not_reached"
    index_results_url_name = "institutions_report_not_reached_results"
    list_export = ["name", "kind.name", "region.code", "region.name", "campaign_status", "employees"]
    export_headings = {
        "name": gettext_lazy("Institution"),
        "kind.name": gettext_lazy("Kind"),
        "region.code": gettext_lazy("Region code"),
        "region.name": gettext_lazy("Region"),
        "campaign_status": gettext_lazy("Status"),
        "employees": gettext_lazy("Employees"),
    }
    export_filename = "institusi-belum-dijangkau"
    # Field teams read the list to plan their visits; copying the registry out of the
    # system is an export, for those with the export permission (as the list views).
    export_permission = "institutions.export_institution"

    def dispatch(self, request, *args, **kwargs):
        if request.GET.get("export") and not request.user.has_perm(self.export_permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def show_export_buttons(self):
        return bool(self.list_export) and self.request.user.has_perm(self.export_permission)

    def get_queryset(self):
        return institutions_not_reached(campaign=self.campaign, user=self.request.user)


class TeamPerformanceReportView(CampaignReportMixin, SafeSpreadsheetExportMixin, ReportView):
    page_title = gettext_lazy("Team performance by week")
    header_icon = "list-ul"
    columns = [
        Column("week", label=gettext_lazy("Week starting")),
        Column("team", label=gettext_lazy("Team")),
        NumberColumn("target", label=gettext_lazy("Target")),
        NumberColumn("planned", label=gettext_lazy("Planned")),
        NumberColumn("held", label=gettext_lazy("Held")),
        NumberColumn("guided", label=gettext_lazy("People guided")),
        NumberColumn("completed", label=gettext_lazy("People completed")),
    ]
    index_url_name = "institutions_report_team_performance"
    index_results_url_name = "institutions_report_team_performance_results"
    list_export = ["week", "team", "target", "planned", "held", "guided", "completed"]
    export_headings = {
        "week": gettext_lazy("Week starting"),
        "team": gettext_lazy("Team"),
        "target": gettext_lazy("Target"),
        "planned": gettext_lazy("Planned"),
        "held": gettext_lazy("Held"),
        "guided": gettext_lazy("People guided"),
        "completed": gettext_lazy("People completed"),
    }
    export_filename = "kinerja-tim"
    paginate_by = 60

    def get_queryset(self):
        campaign = self.campaign
        return team_week_performance(campaign=campaign, user=self.request.user) if campaign else []


def report_permission(view_class, permission):
    """Wrap a report view so only users with ``permission`` reach it."""

    def view(request, *args, **kwargs):
        permission_require(request, permission)
        return view_class.as_view()(request, *args, **kwargs)

    view.view_class = view_class  # as Django's as_view() does: the URL says which view it serves
    return view
