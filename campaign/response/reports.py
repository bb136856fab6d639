"""The "Did it work?" report: per district, the change in online rate in the 7 days after
a week's guided sessions, beside districts without any, with the numbers behind it (the
same figures as the weekly PDF, ``selectors.uplift``) and a CSV/XLSX export."""

import datetime
from dataclasses import dataclass

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from campaign.core.exports import SafeSpreadsheetExportMixin
from campaign.core.selectors import campaign_chosen_with_choices
from campaign.core.tables import NumberColumn

from .selectors import uplift

# Staff and the head of section read it (it sets every team's districts side by side);
# field teams do not: they have no area goals either.
UPLIFT_PERMISSION = "response.view_areagoal"


@dataclass
class UpliftLine:
    """One area of the report: its group (with sessions or not) and its figures."""

    code: str
    name: str
    group: str
    sessions: int
    before: int
    after: int
    population: int
    change: float


class UpliftReportView(SafeSpreadsheetExportMixin, ReportView):
    page_title = gettext_lazy("Did it work? Online rate after guided sessions")
    header_icon = "crosshairs"
    results_template_name = "response/admin/uplift_results.html"
    index_url_name = "response_report_uplift"
    index_results_url_name = "response_report_uplift_results"
    paginate_by = 100
    columns = [
        Column("name", label=gettext_lazy("Area")),
        Column("group", label=gettext_lazy("Guided sessions that week")),
        NumberColumn("sessions", label=gettext_lazy("Sessions")),
        NumberColumn("before", label=gettext_lazy("Persons online before")),
        NumberColumn("after", label=gettext_lazy("Persons online after")),
        NumberColumn("population", label=gettext_lazy("Population")),
        # Short, so the table fits: the sentence above it says "points of the population".
        Column("change", label=gettext_lazy("Change (points)"), accessor="change_display"),
    ]
    list_export = ["code", "name", "group", "sessions", "before", "after", "population", "change"]
    export_headings = {
        "code": gettext_lazy("BPS code"),
        "name": gettext_lazy("Area"),
        "group": gettext_lazy("Guided sessions that week"),
        "sessions": gettext_lazy("Sessions"),
        "before": gettext_lazy("Persons online before"),
        "after": gettext_lazy("Persons online after"),
        "population": gettext_lazy("Population"),
        "change": gettext_lazy("Change (points of the population)"),
    }

    @cached_property
    def _chosen(self):
        # The campaign selector's (``?campaign=``), else the active one; and the choices.
        return campaign_chosen_with_choices(value=self.request.GET.get("campaign"))

    @property
    def campaign(self):
        return self._chosen[0]

    @cached_property
    def weeks(self):
        return self.campaign.weeks() if self.campaign else []

    @cached_property
    def week(self):
        """The chosen week, else the latest campaign week that has ended (its 7 days of
        figures can be complete), else the first."""
        from django.utils import timezone

        try:
            chosen = datetime.date.fromisoformat(self.request.GET.get("week", ""))
        except ValueError:
            chosen = None
        if chosen in self.weeks:
            return chosen

        ended = [week for week in self.weeks if week + datetime.timedelta(days=6) < timezone.localdate()]
        return (ended or self.weeks or [None])[-1]

    def get_filename(self):
        return f"setelah-pendampingan-{self.week:%Y-%m-%d}" if self.week else "setelah-pendampingan"

    @cached_property
    def result(self):
        if self.campaign is None or self.week is None:
            return None
        return uplift(campaign=self.campaign, week=self.week)

    def get_queryset(self):
        result = self.result
        if result is None:
            return []
        with_sessions, without = gettext_lazy("yes"), gettext_lazy("none")
        lines = []
        for rows, group in ((result.visited, with_sessions), (result.others, without)):
            for row in rows:
                line = UpliftLine(
                    code=row.region.code,
                    name=row.region.name,
                    group=str(group),
                    sessions=row.sessions,
                    before=row.before,
                    after=row.after,
                    population=row.population,
                    change=row.change,
                )
                line.change_display = _points(row.change)
                lines.append(line)
        return lines

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = self.result
        context["uplift"] = result
        context["week_choices"] = [(week, week == self.week) for week in self.weeks]
        context["campaign_choices"] = self._chosen[1]
        context["chosen_campaign"] = self.campaign
        if result is not None and result.visited_mean is not None:
            context["visited_mean"] = _points(result.visited_mean)
        if result is not None and result.others_mean is not None:
            context["others_mean"] = _points(result.others_mean)
        return context


def _points(value):
    from django.utils import formats

    return formats.number_format(value, 2, force_grouping=True)
